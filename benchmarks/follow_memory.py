"""`make bench-follow-memory`: memory of a long follow-mode run (issue 18: "Memory stays flat over
a long follow run (measure RSS over at least 100,000 changes)").

One `meltano run` in follow mode, fed `--changes` new orders (each with its webhook to the real
receiver) in bursts at `--rate` changes per second; the resident memory (RSS) of the tap, the
mapper and the target is sampled every `--sample-seconds` against the purchases Iterable has
accepted. This run is about memory, not latency: the emulators answer at once (no added latency),
so the pipeline, not the emulated internet, sets the pace; the BigCommerce quota stays on.

    uv run python benchmarks/follow_memory.py                      # 100,000 changes
    uv run python benchmarks/follow_memory.py --changes 5000 --out /tmp/memory

Writes follow_memory.json, follow_memory.png and the "Follow-mode memory" section of RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import latency  # noqa: E402  (the latency bench's receiver, pipeline and process helpers)
from suite.latency_report import FOLLOW_SECTIONS  # noqa: E402

from sandbox.bigcommerce.testing import running_bigcommerce  # noqa: E402
from sandbox.iterable.testing import running_iterable  # noqa: E402

START, END = FOLLOW_SECTIONS[1]
ROLES = ("tap", "mapper", "target")


def _say(text: str) -> None:
    print(f"[memory {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def _slope_per_10k(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of RSS (MiB) against changes, per 10,000 changes."""
    if len(points) < 3:
        return None
    n = len(points)
    mean_x = sum(x for x, _ in points) / n
    mean_y = sum(y for _, y in points) / n
    spread = sum((x - mean_x) ** 2 for x, _ in points)
    if not spread:
        return None
    covariance = sum((x - mean_x) * (y - mean_y) for x, y in points)
    return covariance / spread * 10_000


def run(args: argparse.Namespace) -> dict[str, Any]:
    samples: list[dict[str, Any]] = []
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="follow-memory-")))
        bc = stack.enter_context(
            running_bigcommerce(
                seed=11,
                orders=args.store_orders,
                rate_limit_quota=latency.STANDARD_QUOTA,
                rate_limit_window_ms=int(latency.QUOTA_WINDOW_S * 1000),
            )
        )
        iterable = stack.enter_context(running_iterable())
        inbox_url = f"sqlite:///{workdir / 'inbox.sqlite'}"
        receiver = stack.enter_context(latency._receiver(inbox_url, workdir / "receiver.log"))
        latency._register(bc, receiver, workdir)
        log_path = workdir / "meltano.log"
        log = stack.enter_context(log_path.open("w"))
        env = latency._pipeline_env(
            workdir, bc, iterable, args.sweep_seconds, "never",
            commerce_concurrency=args.commerce_concurrency,
        )  # fmt: skip
        meltano = subprocess.Popen(
            ["meltano", "--environment", "sandbox", "run", *latency.PIPELINE],
            cwd=latency.REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        stack.callback(latency._stop, meltano)
        latency._wait(
            lambda: "follow: caught up" in log_path.read_text(errors="replace"),
            600, meltano, log_path,
        )  # fmt: skip
        children = latency._children(meltano.pid)
        # Only the purchases of the orders made from here on count.
        first_new = bc.emulator.store.orders.next_id()
        started = time.monotonic()
        made = 0
        next_sample = started
        burst = max(1, round(args.rate * args.burst_seconds))
        while made < args.changes:
            # On schedule: a slow burst does not slow the next one down (the load is the load).
            pause = started + made / args.rate - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            count = min(burst, args.changes - made)
            bc.emulator.apply_delta(
                orders=0, new_orders=count, customers=0, products=0, subscribers=0
            )
            made += count
            if time.monotonic() >= next_sample:
                samples.append(_sample(started, made, _accepted(iterable, first_new), children))
                next_sample += args.sample_seconds
                _say(f"{samples[-1]}")
        drive_seconds = time.monotonic() - started
        # Let the pipeline settle what it was given (or stop waiting: then it did not keep up).
        deadline = time.monotonic() + args.settle_seconds
        unchanged, previous = 0, -1
        while time.monotonic() < deadline and unchanged < 3:
            accepted = _accepted(iterable, first_new)
            samples.append(_sample(started, made, accepted, children))
            unchanged = unchanged + 1 if accepted == previous else 0  # 3 quiet samples: settled
            previous = accepted
            time.sleep(args.sample_seconds)
        requests_made = len(bc.emulator.request_log.entries())
        throttled = sum(1 for e in bc.emulator.request_log.entries() if e.status == 429)
    return {
        "changes": made,
        "rate": args.rate,
        "drive_seconds": round(drive_seconds, 1),
        "accepted": samples[-1]["accepted"] if samples else 0,
        "bigcommerce_requests": requests_made,
        "bigcommerce_429": throttled,
        "commerce_concurrency": args.commerce_concurrency,
        # False: the settle window closed with changes still queued (the pipeline fell behind).
        "settled": unchanged >= 3,
        "settle_seconds": args.settle_seconds,
        "samples": samples,
        "summary": summarise(samples),
    }


def _accepted(iterable: Any, first_order: int) -> int:
    """Purchases Iterable accepted for orders from `first_order` on (counted in place: not a
    copy of 100,000 of them)."""
    state = iterable.emulator.state
    with state.lock:
        return sum(
            1
            for purchase in state.purchases.values()
            if (purchase.get("dataFields") or {}).get("orderId", 0) >= first_order
        )


def _sample(started: float, made: int, accepted: int, children: dict[str, int]) -> dict[str, Any]:
    return {
        "seconds": round(time.monotonic() - started, 1),
        "made": made,
        "accepted": accepted,
        "rss_mib": {role: latency._rss_mib(pid) for role, pid in children.items()},
    }


def summarise(samples: list[dict[str, Any]]) -> dict[str, Any]:
    """Per plugin: RSS at the start, peak and end, and the slope over the run's second half
    (after the caches and pools have filled), per 10,000 changes accepted."""
    summary: dict[str, Any] = {}
    for role in ROLES:
        values = [(s["accepted"], s["rss_mib"].get(role)) for s in samples]
        known = [(x, y) for x, y in values if y is not None]
        if not known:
            continue
        half = known[-1][0] / 2
        summary[role] = {
            "start": known[0][1],
            "peak": max(y for _, y in known),
            "end": known[-1][1],
            "slope_per_10k_second_half": _slope_per_10k([(x, y) for x, y in known if x >= half]),
            "slope_per_10k_whole": _slope_per_10k(known),
        }
    return summary


def render(result: dict[str, Any]) -> str:
    lines = [
        START,
        "## Follow-mode memory",
        "",
        "`make bench-follow-memory` (`benchmarks/follow_memory.py`): one `meltano run` in follow "
        f"mode fed {result['changes']:,} new orders (each with its webhook to the real receiver) "
        f"at {result['rate']:g} changes/s in bursts; emulators without added latency, the "
        "Standard BigCommerce quota on, `order_coupons: never`, "
        f"`commerce_concurrency: {result['commerce_concurrency']}`; RSS of each plugin sampled "
        "against the purchases Iterable accepted.",
        "",
        f"Accepted {result['accepted']:,} purchases of {result['changes']:,} orders (the rest: "
        "orders that are no purchase, invalid emails dead-lettered"
        + (
            ""
            if result.get("settled", True)
            else f", and what was still queued when the {result['settle_seconds']:.0f} s settle "
            "window after the drive closed: the pipeline fell behind the load on this shared "
            "machine"
        )
        + f"); {result['bigcommerce_requests']} BigCommerce requests, "
        f"{result['bigcommerce_429']} answered 429; driving took {result['drive_seconds']:.0f} s. "
        "Slope: least squares of RSS against purchases accepted; the second half (after caches "
        "and pools filled) is the one that says whether memory grows with the work done.",
        "",
        "| plugin | RSS start | peak | end | slope, second half | slope, whole run |",
        "|---|---|---|---|---|---|",
    ]

    def slope(value: float | None) -> str:
        return "-" if value is None else f"{value:+.2f} MiB / 10k changes"

    for role, row in result["summary"].items():
        lines.append(
            f"| {role} | {row['start']:.0f} MiB | {row['peak']:.0f} MiB | {row['end']:.0f} MiB "
            f"| {slope(row['slope_per_10k_second_half'])} | {slope(row['slope_per_10k_whole'])} |"
        )
    lines += ["", "![RSS over the run](follow_memory.png)", "", END]
    return "\n".join(lines) + "\n"


def write_section(path: Path, section: str) -> None:
    text = path.read_text() if path.exists() else ""
    if START in text and END in text:
        before, rest = text.split(START, 1)
        text = before + section + rest.split(END, 1)[1].lstrip("\n")
    else:
        text = text.rstrip("\n") + ("\n\n" if text else "") + section
    path.write_text(text)


def draw(result: dict[str, Any], path: Path) -> None:
    import matplotlib  # noqa: PLC0415 - only when drawing

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axis = plt.subplots(figsize=(8, 4.5))
    for role in ROLES:
        points = [
            (s["accepted"], s["rss_mib"][role])
            for s in result["samples"]
            if s["rss_mib"].get(role) is not None
        ]
        if points:
            axis.plot(*zip(*points, strict=True), label=role)
    axis.set_xlabel("purchases accepted by Iterable")
    axis.set_ylabel("RSS (MiB)")
    axis.set_ylim(bottom=0)
    axis.set_title("Follow mode: memory over a long run")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--changes", type=int, default=100_000)
    parser.add_argument("--rate", type=float, default=50, help="changes per second")
    parser.add_argument("--burst-seconds", type=float, default=2.0, help="one burst per ...")
    parser.add_argument("--sample-seconds", type=float, default=10.0)
    parser.add_argument("--settle-seconds", type=float, default=600.0)
    parser.add_argument("--sweep-seconds", type=int, default=300)
    parser.add_argument("--commerce-concurrency", type=int, default=16)
    parser.add_argument("--store-orders", type=int, default=100)
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument("--from-json", type=Path, help="re-render the section and chart only")
    args = parser.parse_args(argv)
    if args.from_json:
        result = json.loads(args.from_json.read_text())
    else:
        args.out.mkdir(parents=True, exist_ok=True)
        result = run(args)
        (args.out / "follow_memory.json").write_text(json.dumps(result, indent=1) + "\n")
    draw(result, args.out / "follow_memory.png")
    write_section(args.out / "RESULTS.md", render(result))
    _say(f"wrote {args.out / 'follow_memory.json'}, follow_memory.png and RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
