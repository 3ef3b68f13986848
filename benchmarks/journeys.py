"""`make bench-journeys` (also run by `make bench`): journey entries and the delivery ledger.

For stores of 1k and 10k orders and the ledger on SQLite and on PostgreSQL, a first sync, a
no-change re-run, a full re-read and a 1% delta through the piped pipeline against the emulators
(see suite/journeys_measure.py): Iterable write requests and journey entries per 1,000 orders, the
ledger's size and the CPU it costs. Writes journeys.json and the "Journeys and the delivery
ledger" section of RESULTS.md (which run.py keeps).

    uv run python benchmarks/journeys.py                    # `make bench-journeys`
    uv run python benchmarks/journeys.py --orders 1000 --backends sqlite --out /tmp/j
    uv run python benchmarks/journeys.py --from-json benchmarks/journeys.json   # re-render only
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from suite import journeys_report, machine
from suite.journeys_measure import BackendUnavailableError, journey_run
from suite.sandbox import running_sandbox

HERE = Path(__file__).resolve().parent
BACKENDS = ("sqlite", "postgresql")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--orders", type=int, nargs="+", default=[1000, 10_000])
    parser.add_argument("--backends", nargs="+", choices=BACKENDS, default=list(BACKENDS))
    parser.add_argument(
        "--out", type=Path, default=HERE, help="where journeys.json and RESULTS.md go"
    )
    parser.add_argument("--from-json", type=Path, help="re-render the RESULTS.md section only")
    return parser


def _say(text: str) -> None:
    print(f"[bench-journeys {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def measure_size(orders: int, backends: list[str]) -> dict[str, Any]:
    carts = max(3, orders // 100)  # as run.py: carts through webhooks, a third converted
    result: dict[str, Any] = {"carts": carts, "backends": {}}
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-journeys-{orders}-") as folder,
        running_sandbox(orders, Path(folder), carts=carts) as sandbox,
    ):
        result["store"] = sandbox.bc.summary()
        for backend in backends:
            _say(f"{orders} orders, ledger on {backend}")
            try:
                result["backends"][backend] = journey_run(sandbox, Path(folder), orders, backend)
            except BackendUnavailableError as error:  # said in RESULTS.md; the rest stands
                result["backends"][backend] = {"error": str(error)}
                _say(f"{orders} orders, ledger on {backend}: not measured: {error}")
    return result


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        started = time.perf_counter()
        results = {"machine": machine.describe(), "sizes": {}}
        for orders in args.orders:
            results["sizes"][str(orders)] = measure_size(orders, args.backends)
        results["total_wall_s"] = round(time.perf_counter() - started, 1)
        (args.out / "journeys.json").write_text(json.dumps(results, indent=1) + "\n")
    journeys_report.SECTION.write(args.out / "RESULTS.md", journeys_report.render(results))
    _say(f"wrote the journeys section of {args.out / 'RESULTS.md'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
