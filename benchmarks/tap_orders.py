"""tap-bigcommerce: requests, speed and memory of the `orders` stream against the emulator.

Run: `uv run python benchmarks/tap_orders.py [--orders 1000 5000 20000] [--coupons when_used]`.
The tap runs in a child process (its peak RSS is the child's; `tracemalloc` gives the peak of
Python allocations, which must not grow with the number of orders); the emulator's quota is
lifted so the tap's own cost is measured, not BigCommerce's 150 requests / 30 s. At that real
quota the request count is what matters: see `minutes_at_150_per_30s`.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from sandbox.bigcommerce.testing import running_bigcommerce

# The tap's CLI, with tracemalloc on and its peak written where the benchmark reads it.
CHILD = """
import atexit, sys, tracemalloc
from pathlib import Path
tracemalloc.start()
peak_path = Path(sys.argv[3])
atexit.register(lambda: peak_path.write_text(str(tracemalloc.get_traced_memory()[1])))
from tap_bigcommerce.tap import TapBigCommerce
TapBigCommerce.cli(["--config", sys.argv[1], "--catalog", sys.argv[2]])
"""


def measure(orders: int, coupons: str, workdir: Path) -> dict[str, Any]:
    with running_bigcommerce(
        orders=orders, rate_limit_quota=1_000_000, rate_limit_window_ms=1000
    ) as bc:
        config = {
            "store_hash": bc.store_hash,
            "access_token": bc.access_token,
            "api_url": bc.api_url,
            "order_coupons": coupons,
            "inbox_url": f"sqlite:///{workdir / 'inbox.sqlite'}",
        }
        config_path = workdir / "config.json"
        config_path.write_text(json.dumps(config))
        catalog = json.loads(
            subprocess.run(
                ["tap-bigcommerce", "--config", str(config_path), "--discover"],
                capture_output=True, text=True, check=True,
            ).stdout
        )  # fmt: skip
        for stream in catalog["streams"]:
            selected = stream["tap_stream_id"] == "orders"
            for entry in stream["metadata"]:
                if not entry["breadcrumb"]:
                    entry["metadata"]["selected"] = selected
        catalog_path = workdir / "catalog.json"
        catalog_path.write_text(json.dumps(catalog))
        bc.emulator.request_log.clear()
        started = time.perf_counter()
        peak_path = workdir / "tracemalloc-peak"
        with (workdir / "out.jsonl").open("wb") as out:
            child = subprocess.Popen(
                [sys.executable, "-c", CHILD, str(config_path), str(catalog_path), str(peak_path)],
                stdout=out, stderr=subprocess.DEVNULL,
            )  # fmt: skip
            _, status, usage = os.wait4(child.pid, 0)
        seconds = time.perf_counter() - started
        if status != 0:
            msg = f"tap exited with status {status}"
            raise RuntimeError(msg)
        paths = [entry.path for entry in bc.emulator.request_log.entries()]
    records = sum(
        1 for line in (workdir / "out.jsonl").open() if line.startswith('{"type":"RECORD"')
    )
    lists = sum(path.endswith("/v2/orders") for path in paths)
    return {
        "orders_in_store": orders,
        "records": records,
        "order_coupons": coupons,
        "requests": len(paths),
        "list_requests": lists,
        "line_item_fallbacks": sum(path.endswith("/products") for path in paths),
        "coupon_requests": sum(path.endswith("/coupons") for path in paths),
        "ceil_orders_250": math.ceil(orders / 250),
        "seconds": round(seconds, 2),
        "records_per_second": round(records / seconds),
        "peak_rss_mib": round(usage.ru_maxrss / 1024, 1),
        "peak_python_alloc_mib": round(int(peak_path.read_text()) / 2**20, 1),
        "minutes_at_150_per_30s": round(len(paths) / 150 * 30 / 60, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, nargs="+", default=[1000, 5000, 20000])
    parser.add_argument("--coupons", default="never", choices=["never", "when_used", "always"])
    args = parser.parse_args()
    for orders in args.orders:
        with tempfile.TemporaryDirectory() as workdir:
            print(json.dumps(measure(orders, args.coupons, Path(workdir))), flush=True)


if __name__ == "__main__":
    main()
