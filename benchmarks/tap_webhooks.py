"""tap-bigcommerce-webhooks: how fast the receiver acknowledges deliveries (durably stored).

Run: `uv run python benchmarks/tap_webhooks.py [--deliveries 2000] [--clients 1 4]`.
The real `serve` CLI runs in a child process with the default SQLite inbox (WAL, full sync);
each 200 means the delivery is committed. BigCommerce wants answers fast: see the latencies.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import requests

from sandbox.common.server import free_port
from tap_bigcommerce.inbox import Inbox

SECRET = "benchmark-secret"  # noqa: S105 (a throwaway local receiver)


def _delivery(number: int) -> dict[str, Any]:
    return {
        "scope": "store/cart/updated",
        "store_id": "1001",
        "data": {"type": "cart", "id": f"cart-{number}"},
        "hash": f"{number:040x}",
        "created_at": 1735689600 + number,
        "producer": "stores/bench",
    }


def measure(deliveries: int, clients: int, workdir: Path) -> dict[str, Any]:
    inbox_url = f"sqlite:///{workdir / 'inbox.sqlite'}"
    port = free_port()
    server = subprocess.Popen(
        ["tap-bigcommerce-webhooks", "serve", "--port", str(port), "--inbox-url", inbox_url],
        env={**os.environ, "TAP_BIGCOMMERCE_WEBHOOK_SECRET": SECRET},
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                requests.get(f"{url}/healthz", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        sessions = [requests.Session() for _ in range(clients)]

        def send(number: int) -> float:
            session = sessions[number % clients]
            started = time.perf_counter()
            response = session.post(
                f"{url}/webhooks/bigcommerce",
                data=json.dumps(_delivery(number)),
                headers={"Content-Type": "application/json", "X-Webhook-Secret": SECRET},
                timeout=10,
            )
            response.raise_for_status()
            return time.perf_counter() - started

        started = time.perf_counter()
        with ThreadPoolExecutor(clients) as pool:
            latencies = sorted(pool.map(send, range(deliveries)))
        seconds = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(10)
    inbox = Inbox(inbox_url)
    stored = inbox.count()
    inbox.close()
    return {
        "deliveries": deliveries,
        "clients": clients,
        "stored": stored,
        "per_second": round(deliveries / seconds),
        "p50_ms": round(statistics.median(latencies) * 1000, 2),
        "p99_ms": round(latencies[int(len(latencies) * 0.99) - 1] * 1000, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--deliveries", type=int, default=2000)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4])
    args = parser.parse_args()
    for clients in args.clients:
        with tempfile.TemporaryDirectory() as workdir:
            print(json.dumps(measure(args.deliveries, clients, Path(workdir))), flush=True)


if __name__ == "__main__":
    main()
