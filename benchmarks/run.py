"""`make bench`: how close the pipeline runs to the APIs' limits, what it costs, and the peer.

Runs every measure of benchmarks/README.md against `sandbox serve` for stores of 1k, 10k and
100k orders, each stage as its own process, and writes results.json (raw figures, every repeat),
RESULTS.md (a table per measure, medians) and results.png.

    uv run python benchmarks/run.py                       # the full run (`make bench`)
    uv run python benchmarks/run.py --quick               # 1k and 10k, 1 repeat
    uv run python benchmarks/run.py --from-json benchmarks/results.json   # re-render only
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from suite import chart, journeys_report, latency_report, machine, measures, report
from suite.peer import run_peer
from suite.processes import StageFailedError
from suite.sandbox import running_sandbox

HERE = Path(__file__).resolve().parent


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--orders", type=int, nargs="+", default=[1000, 10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument(
        "--large-repeats", type=int, default=1,
        help="runs per figure for stores of 100k orders and more (default 1, for time)",
    )  # fmt: skip
    parser.add_argument("--quick", action="store_true", help="1k and 10k orders, 1 repeat")
    parser.add_argument(
        "--quota-max-orders", type=int, default=10_000,
        help="largest store the quota measure runs on (it runs at the quota's pace)",
    )  # fmt: skip
    parser.add_argument(
        "--peer-max-orders", type=int, default=10_000,
        help="largest store the peer extracts (it makes 3 requests per order)",
    )  # fmt: skip
    parser.add_argument("--no-peer", action="store_true", help="skip the peer (no virtualenv)")
    parser.add_argument("--out", type=Path, default=HERE, help="where the three results go")
    parser.add_argument("--from-json", type=Path, help="re-render RESULTS.md and the chart only")
    return parser


def _say(text: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def measure_size(orders: int, repeats: int, args: argparse.Namespace) -> dict[str, Any]:
    carts = max(3, orders // 100)
    with (
        tempfile.TemporaryDirectory(prefix=f"bench-{orders}-") as folder,
        running_sandbox(orders, Path(folder), carts=carts) as sandbox,
    ):
        workdir = Path(folder)
        store = sandbox.bc.summary()
        result: dict[str, Any] = {"store": store, "carts": carts, "repeats": repeats, "runs": []}
        for repeat in range(repeats):
            _say(f"{orders} orders: cost run {repeat + 1}/{repeats}")
            result["runs"].append(measures.cost_run(sandbox, workdir))
        if orders <= args.quota_max_orders:
            _say(f"{orders} orders: BigCommerce quota run")
            result["bigcommerce_quota"] = measures.bigcommerce_quota_run(sandbox, workdir)
            _say(f"{orders} orders: Iterable limits run")
            result["iterable_quota"] = measures.iterable_quota_run(
                sandbox, workdir, workdir / "mapped.singer"
            )
        if not args.no_peer and orders <= args.peer_max_orders:
            _say(f"{orders} orders: the peer")
            try:
                result["peer"] = run_peer(sandbox, workdir, workdir / "tap.singer")
            except (subprocess.CalledProcessError, StageFailedError, OSError) as error:
                # Reported as such in RESULTS.md; the other measures stand.
                result["peer_error"] = _describe(error, workdir / "peer.log")
                _say(f"{orders} orders: the peer failed: {result['peer_error']}")
    return result


def _describe(error: Exception, log: Path) -> str:
    detail = getattr(error, "stderr", None) or (log.read_text() if log.exists() else "")
    if isinstance(detail, bytes):
        detail = detail.decode(errors="replace")
    tail = " ".join(str(detail).strip().splitlines()[-3:])
    return f"{error}{': ' + tail if tail else ''}"


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        if args.quick:
            args.orders, args.repeats = [1000, 10_000], 1
        started = time.perf_counter()
        results = {
            "machine": machine.describe(),
            "settings": {
                "orders": args.orders,
                "repeats": args.repeats,
                "large_repeats": args.large_repeats,
                "quota_max_orders": args.quota_max_orders,
                "peer_max_orders": 0 if args.no_peer else args.peer_max_orders,
                "time_scale": measures.TIME_SCALE,
            },
            "sizes": {},
        }
        for orders in args.orders:
            repeats = args.large_repeats if orders >= 100_000 else args.repeats
            results["sizes"][str(orders)] = measure_size(orders, repeats, args)
        results["total_wall_s"] = round(time.perf_counter() - started, 1)
        (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    results_md = args.out / "RESULTS.md"
    old_text = results_md.read_text() if results_md.exists() else ""
    # The follow-mode latency and the journeys sections are written by latency.py and
    # journeys.py (`make bench-latency`, `make bench-journeys`): kept.
    page = latency_report.keep_section(old_text, report.render(results))
    results_md.write_text(journeys_report.SECTION.keep(old_text, page))
    chart.draw(results, args.out / "results.png")
    _say(f"wrote {args.out / 'RESULTS.md'}, results.json and results.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
