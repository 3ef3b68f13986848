"""`make bench-latency`: how long a change in BigCommerce takes to reach Iterable in follow mode.

For each load (changes per second) a new order is made in the BigCommerce emulator every 1/rate
seconds; its webhook goes to the real receiver (`tap-bigcommerce-webhooks serve`, optionally behind
a proxy that loses a share of the deliveries), `meltano run` follows, and the Iterable emulator is
watched for the order's purchase. Latency = purchase accepted by Iterable - order made. Both
emulators answer every API request after a delay (hundreds of milliseconds, as the real APIs over
the internet) and BigCommerce enforces the Standard plan's quota (150 requests / 30 s).

    uv run python benchmarks/latency.py                 # the default loads, ~10 minutes
    uv run python benchmarks/latency.py --rates 10 --seconds 20 --out /tmp/latency

Writes latency.json and latency.png, and the "Follow-mode latency" section of RESULTS.md. Memory
over a long run (100,000 changes) is its own bench: `make bench-follow-memory` (follow_memory.py).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from map_bigcommerce_iterable.settings import DEFAULT_PURCHASE_STATUS_IDS
from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce
from sandbox.common.faults import FaultConfig
from sandbox.common.server import free_port, serve_in_thread, wait_for_port
from sandbox.iterable.testing import RunningIterable, running_iterable
from tap_bigcommerce.webhooks import cli as webhooks_cli

HERE = Path(__file__).resolve().parent
REPO_ROOT = HERE.parent
sys.path.insert(0, str(HERE))
from suite import latency_report  # noqa: E402

SECRET = "latency-bench-secret"  # noqa: S105 (a benchmark value)
PIPELINE = ("tap-bigcommerce", "map-bigcommerce-iterable-follow", "target-iterable")
STANDARD_QUOTA, QUOTA_WINDOW_S = 150, 30.0  # BigCommerce Standard plan (bigcommerce-api notes §4)


def _say(text: str) -> None:
    print(f"[latency {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


@dataclass
class Level:
    rate: float  # changes per second
    seconds: float
    drop: float = 0.0  # share of webhooks lost on the way


@dataclass
class Watch:
    """When each order was made, and when its purchase was first seen in Iterable."""

    made: dict[int, float] = field(default_factory=dict)
    seen: dict[int, float] = field(default_factory=dict)
    dropped_orders: set[int] = field(default_factory=set)


def _dropping_proxy(destination: str, drop: float, watch: Watch) -> Starlette:
    """Forwards deliveries to the receiver, losing `drop` of them (answered 200, never stored)."""
    chooser = random.Random(7)
    session = requests.Session()

    async def deliver(request: Request) -> Response:
        body = await request.body()
        if chooser.random() < drop:
            data = json.loads(body).get("data") or {}
            if isinstance(data.get("id"), int):
                watch.dropped_orders.add(data["id"])
            return Response(status_code=200)
        headers = {k: v for k, v in request.headers.items() if k.lower() != "host"}
        answer = session.post(destination, data=body, headers=headers, timeout=30)
        return Response(status_code=answer.status_code)

    return Starlette(routes=[Route("/webhooks/bigcommerce", deliver, methods=["POST"])])


@contextmanager
def _receiver(inbox_url: str, log: Path) -> Iterator[str]:
    port = free_port()
    env = {**os.environ, webhooks_cli.SECRET_ENV: SECRET}
    command = ["tap-bigcommerce-webhooks", "serve", "--port", str(port), "--inbox-url", inbox_url]
    with log.open("w") as output:
        process = subprocess.Popen(command, env=env, stdout=output, stderr=subprocess.STDOUT)
        try:
            wait_for_port(port, 60)
            yield f"http://127.0.0.1:{port}/webhooks/bigcommerce"
        finally:
            process.terminate()
            process.wait(30)


def _register(bc: RunningBigCommerce, destination: str, workdir: Path) -> None:
    config = workdir / "tap-config.json"
    config.write_text(
        json.dumps(
            {"store_hash": bc.store_hash, "access_token": bc.access_token, "api_url": bc.api_url}
        )
    )
    os.environ[webhooks_cli.SECRET_ENV] = SECRET
    argv = ["register", "--config", str(config), "--destination", destination]
    with open(os.devnull, "w") as quiet, _redirect_stdout(quiet):
        assert webhooks_cli.main(argv) == 0


@contextmanager
def _redirect_stdout(stream: Any) -> Iterator[None]:
    previous, sys.stdout = sys.stdout, stream
    try:
        yield
    finally:
        sys.stdout = previous


def _pipeline_env(
    workdir: Path,
    bc: RunningBigCommerce,
    iterable: RunningIterable,
    sweep: float,
    coupons: str,
    *,
    commerce_concurrency: int,
) -> dict[str, str]:
    return {
        **os.environ,
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_DATABASE_URI": f"sqlite:///{workdir / 'meltano.db'}",
        "TAP_BIGCOMMERCE_INBOX_URL": f"sqlite:///{workdir / 'inbox.sqlite'}",
        "TAP_BIGCOMMERCE_API_URL": bc.api_url,
        "TAP_BIGCOMMERCE_STORE_HASH": bc.store_hash,
        "TAP_BIGCOMMERCE_ACCESS_TOKEN": bc.access_token,
        "TAP_BIGCOMMERCE_FOLLOW": "true",
        "TAP_BIGCOMMERCE_SWEEP_SECONDS": str(sweep),
        "TAP_BIGCOMMERCE_HOOK_CHECK_SECONDS": "0",
        "TAP_BIGCOMMERCE_ORDER_COUPONS": coupons,
        "BIGCOMMERCE_ITERABLE_MAPPER_DATABASE_URL": f"sqlite:///{workdir / 'mapper.sqlite'}",
        # Each run its own delivery ledger, never the working directory's (shared by every run).
        "TARGET_ITERABLE_DATABASE_URL": f"sqlite:///{workdir / 'ledger.sqlite'}",
        "TARGET_ITERABLE_API_URL": iterable.api_url,
        "TARGET_ITERABLE_API_KEY": iterable.api_key,
        "TARGET_ITERABLE_COMMERCE_CONCURRENCY": str(commerce_concurrency),
        "TARGET_ITERABLE_DEAD_LETTER_PATH": str(workdir / "dead-letters" / "run-{run_id}.jsonl"),
    }


def _children(pid: int) -> dict[str, int]:
    """The plugin processes under `meltano run`: {tap, mapper, target} -> pid."""
    names = {
        "tap-bigcommerce": "tap",
        "map-bigcommerce-iterable": "mapper",
        "target-iterable": "target",
    }
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().split(b"\0")[:2]
        except (OSError, IndexError, ValueError):
            continue
        programs = {part.rsplit(b"/", 1)[-1].decode(errors="replace") for part in command}
        for program, role in names.items():
            if parent == pid and program in programs:
                found[role] = int(entry.name)
    return found


def _rss_mib(pid: int) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


def _qualifies(bc: RunningBigCommerce, order_id: int) -> bool:
    """The mapper makes a purchase of it: a purchase status, not archived, an email."""
    order = bc.emulator.store.orders.get(order_id)
    if order is None:
        return False
    email = order.billing_address.email or ""
    ok_status = order.status_id in DEFAULT_PURCHASE_STATUS_IDS
    return ok_status and not order.is_deleted and "@" in email


def _dead_lettered_orders(workdir: Path) -> set[int]:
    """Orders whose purchase the target dead-lettered (Iterable refused it, with a reason)."""
    orders = set()
    for path in (workdir / "dead-letters").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            letter = json.loads(line)
            if letter.get("stream") == "purchases":
                orders.add(letter["record"]["dataFields"]["orderId"])
    return orders


def _percentile(values: list[float], share: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def run_level(level: Level, args: argparse.Namespace) -> dict[str, Any]:
    watch = Watch()
    bc_faults = FaultConfig(slow_rate=1.0, slow_seconds=args.bigcommerce_latency)
    it_faults = FaultConfig(slow_rate=1.0, slow_seconds=args.iterable_latency)
    with ExitStack() as stack:
        workdir = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="latency-")))
        bc = stack.enter_context(
            running_bigcommerce(
                seed=11,
                orders=args.store_orders,
                rate_limit_quota=STANDARD_QUOTA,
                rate_limit_window_ms=int(QUOTA_WINDOW_S * 1000),
                faults=bc_faults,
            )
        )
        iterable = stack.enter_context(running_iterable(faults=it_faults))
        receiver = stack.enter_context(
            _receiver(f"sqlite:///{workdir / 'inbox.sqlite'}", workdir / "receiver.log")
        )
        destination = receiver
        if level.drop:
            proxy = stack.enter_context(
                serve_in_thread(_dropping_proxy(receiver, level.drop, watch))
            )
            destination = f"{proxy.url}/webhooks/bigcommerce"
        _register(bc, destination, workdir)
        log_path = workdir / "meltano.log"
        log = stack.enter_context(log_path.open("w"))
        meltano = subprocess.Popen(
            ["meltano", "--environment", "sandbox", "run", *PIPELINE],
            cwd=REPO_ROOT, env=_pipeline_env(
                workdir, bc, iterable, args.sweep_seconds, args.order_coupons,
                commerce_concurrency=args.commerce_concurrency,
            ),
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )  # fmt: skip
        stack.callback(_stop, meltano)
        _wait(
            lambda: "follow: caught up" in log_path.read_text(errors="replace"),
            600, meltano, log_path,
        )  # fmt: skip
        _wait(lambda: bool(iterable.emulator.purchases()), 120, meltano, log_path)
        children = _children(meltano.pid)
        rss_start = {role: _rss_mib(pid) for role, pid in children.items()}

        stop_watching = threading.Event()
        watcher = threading.Thread(target=_watch, args=(iterable, watch, stop_watching))
        watcher.start()
        bc.emulator.request_log.clear()
        load_start = os.getloadavg()[0]
        started = time.monotonic()
        _drive(bc, level, watch)
        drive_seconds = time.monotonic() - started
        measured = {o for o in watch.made if _qualifies(bc, o)}
        deadline = time.monotonic() + args.sweep_seconds + 120
        while not measured <= set(watch.seen) and time.monotonic() < deadline:
            time.sleep(0.1)
        window = time.monotonic() - started
        stop_watching.set()
        watcher.join(10)
        entries = bc.emulator.request_log.entries()
        rss_end = {role: _rss_mib(pid) for role, pid in children.items()}
        load_end = os.getloadavg()[0]
        missing_ids = sorted(measured - set(watch.seen))
        dead_lettered = _dead_lettered_orders(workdir) & set(missing_ids)
        if missing_ids and args.keep_failures:
            kept = Path(tempfile.mkdtemp(prefix="latency-missing-"))
            subprocess.run(["cp", "-r", str(workdir), str(kept)], check=False)
            _say(f"  missing orders {missing_ids}: workdir copied to {kept}")

    latencies = [watch.seen[o] - watch.made[o] for o in measured if o in watch.seen]
    dropped = [
        watch.seen[o] - watch.made[o] for o in measured & watch.dropped_orders & set(watch.seen)
    ]
    requests_made = len(entries)
    quota = STANDARD_QUOTA * window / QUOTA_WINDOW_S
    return {
        "rate": level.rate,
        "seconds": level.seconds,
        "drop": level.drop,
        "order_coupons": args.order_coupons,
        "changes": len(watch.made),
        "measured": len(measured),
        "arrived": len(latencies),
        "missing": len(measured) - len(latencies),
        "missing_ids": missing_ids,
        "missing_dead_lettered": len(dead_lettered),
        "drive_seconds": round(drive_seconds, 1),
        "p50": _percentile(latencies, 0.50),
        "p95": _percentile(latencies, 0.95),
        "p99": _percentile(latencies, 0.99),
        "max": max(latencies, default=None),
        "mean": statistics.fmean(latencies) if latencies else None,
        "dropped_webhook_orders": len(watch.dropped_orders & measured),
        "dropped_max": max(dropped, default=None),
        "bigcommerce_requests": requests_made,
        "bigcommerce_429": sum(1 for e in entries if e.status == 429),
        "quota_used": requests_made / quota if quota else None,
        "requests_per_change": requests_made / max(len(watch.made), 1),
        "rss_start_mib": rss_start,
        "rss_end_mib": rss_end,
        # The 1-minute load average: the machine is shared (2 cores), and latency follows it.
        "load_average": [round(load_start, 2), round(load_end, 2)],
        "latencies": sorted(round(x, 3) for x in latencies),
    }


def _drive(bc: RunningBigCommerce, level: Level, watch: Watch) -> None:
    """A new order every 1/rate seconds (on schedule: a late one does not delay the next)."""
    started = time.monotonic()
    for n in range(max(1, round(level.rate * level.seconds))):
        pause = started + n / level.rate - time.monotonic()
        if pause > 0:
            time.sleep(pause)
        made = bc.emulator.apply_delta(
            orders=0, new_orders=1, customers=0, products=0, subscribers=0
        )
        for order_id in made.new_order_ids:
            watch.made[order_id] = time.monotonic()


def _watch(iterable: RunningIterable, watch: Watch, stop: threading.Event) -> None:
    """First time each order's purchase is in Iterable (the emulator read every 50 ms)."""
    while not stop.is_set():
        now = time.monotonic()
        for purchase in iterable.emulator.purchases():
            order_id = purchase.get("dataFields", {}).get("orderId")
            if order_id in watch.made and order_id not in watch.seen:
                watch.seen[order_id] = now
        stop.wait(0.05)


def _wait(condition: Any, timeout: float, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if process.poll() is not None:
            tail = log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"meltano run ended with {process.returncode}:\n{tail}")
        if time.monotonic() > deadline:
            raise TimeoutError("the follow pipeline did not catch up")
        time.sleep(0.2)


def _stop(process: subprocess.Popen[bytes]) -> None:
    tap = _children(process.pid).get("tap")
    if tap is not None:
        os.kill(tap, signal.SIGTERM)  # the graceful stop: the pipeline drains from its head
    try:
        process.wait(120)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--rates", type=float, nargs="+", default=[1, 10, 50])
    parser.add_argument("--seconds", type=float, default=60, help="driving time per load")
    parser.add_argument("--drop", type=float, default=0.10, help="webhooks lost in the drop run")
    parser.add_argument("--drop-rate", type=float, default=10, help="load of the drop run")
    # Whole seconds: Meltano reads number settings from the environment as integers.
    parser.add_argument("--sweep-seconds", type=int, default=30)
    parser.add_argument("--bigcommerce-latency", type=float, default=0.3, help="s per request")
    parser.add_argument("--iterable-latency", type=float, default=0.2, help="s per request")
    parser.add_argument("--store-orders", type=int, default=100)
    # One trackPurchase per purchase (Iterable has no bulk form): at 50/s and 0.2 s a request,
    # 10 must be in flight (Little's law); the target's default of 8 caps purchases at 40/s.
    parser.add_argument("--commerce-concurrency", type=int, default=16)
    parser.add_argument(
        "--order-coupons", default="when_used", choices=["when_used", "always", "never"],
        help="the tap's order_coupons (when_used costs one request per order with a coupon)",
    )  # fmt: skip
    parser.add_argument(
        "--append", action="store_true", help="add these runs to the existing latency.json"
    )
    parser.add_argument("--out", type=Path, default=HERE)
    parser.add_argument(
        "--keep-failures", action="store_true",
        help="copy a run's folder (logs, inbox, dead letters) when an order never arrived",
    )  # fmt: skip
    parser.add_argument("--from-json", type=Path, help="re-render the section and chart only")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.from_json:
        results = json.loads(args.from_json.read_text())
    else:
        levels = [Level(rate, args.seconds) for rate in args.rates]
        if args.drop:
            levels.append(Level(args.drop_rate, args.seconds, args.drop))
        runs = []
        if args.append and (args.out / "latency.json").exists():
            runs = json.loads((args.out / "latency.json").read_text())["runs"]
        args.out.mkdir(parents=True, exist_ok=True)
        for level in levels:
            _say(f"{level.rate:g} changes/s for {level.seconds:g} s, {level.drop:.0%} dropped")
            runs.append(run_level(level, args))
            _say(f"  p50 {runs[-1]['p50']} p95 {runs[-1]['p95']} missing {runs[-1]['missing']}")
            results = {
                "settings": {
                    key: getattr(args, key)
                    for key in (
                        "sweep_seconds",
                        "bigcommerce_latency",
                        "iterable_latency",
                        "commerce_concurrency",
                    )
                },
                "quota": {"requests": STANDARD_QUOTA, "window_seconds": QUOTA_WINDOW_S},
                "runs": runs,
            }
            # After every load: a later failure keeps what was measured.
            (args.out / "latency.json").write_text(json.dumps(results, indent=1) + "\n")
    latency_report.draw(results, args.out / "latency.png")
    latency_report.write_section(args.out / "RESULTS.md", latency_report.render(results))
    _say(f"wrote {args.out / 'latency.json'}, latency.png and the section of RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
