"""`python -m sandbox.generator.measure --orders N`: time to index a store, and its memory."""

from __future__ import annotations

import argparse
import json
import resource
import time

from sandbox.generator.store import GeneratedStore, StoreSize


def measure(orders: int, seed: int = 1) -> dict[str, float]:
    started = time.perf_counter()
    store = GeneratedStore(seed=seed, size=StoreSize.for_orders(orders))
    built = time.perf_counter()
    store.orders.ids_by_modified()
    orders_indexed = time.perf_counter()
    store.customers.ids_by_modified()
    customers_indexed = time.perf_counter()
    last = store.orders.require(max(orders, 1)) if orders else None
    fetched = time.perf_counter()
    return {
        "orders": orders,
        "customers": store.customers.count,
        "build_s": round(built - started, 3),
        "order_index_s": round(orders_indexed - built, 3),
        "customer_index_s": round(customers_indexed - orders_indexed, 3),
        "build_last_order_ms": round((fetched - customers_indexed) * 1000, 3) if last else 0.0,
        "max_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--orders", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    print(json.dumps(measure(args.orders, args.seed)))


if __name__ == "__main__":
    main()
