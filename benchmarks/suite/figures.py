"""Derived figures (medians over repeats, ratios to floors, projections) from results.json.

Both the report and the chart read these, so a figure is computed in one place.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable
from typing import Any

BACKFILL_ORDERS = 1_000_000
PLAN_QUOTAS = (150, 450)  # requests per 30 s: Standard/Plus, Pro
QUOTA_WINDOW_S = 30
PER_PAGE = 250  # BigCommerce's largest page
PER_BULK = 1000  # Iterable's largest bulk call
PEER_PER_PAGE = 50  # the peer's page size: min(50, floor(quota / 3) - 5)


def median(runs: list[dict[str, Any]], read: Callable[[dict[str, Any]], float]) -> float:
    return statistics.median(read(run) for run in runs)


def per_thousand(requests: float, records: float) -> float | None:
    return None if records == 0 else requests * 1000 / records


def efficiency(size: dict[str, Any]) -> dict[str, Any]:
    """Requests per 1,000 records of each kind, and each as a ratio to its floor."""
    runs = size["runs"]
    run = runs[0]
    bc, it = run["bigcommerce_calls"], run["iterable_calls"]
    tap, mapped = run["tap_records"], run["mapped_records"]
    orders = tap.get("orders", 0)
    rows: dict[str, Any] = {}

    def row(name: str, requests: float, records: int, per_request: int, single: int = 0) -> None:
        """The floor is ⌈records ÷ records per request⌉ requests (4 per 1,000 at 250 a page),
        plus `single`: records that only a request of their own can carry."""
        floor = math.ceil(records / per_request) + single
        rows[name] = {
            "requests": requests,
            "records": records,
            "per_1000": per_thousand(requests, records),
            "floor": floor,
            "ratio": requests / floor if floor else None,
        }

    floor_bc = PER_PAGE
    # An order whose coupon codes are on none of its lines (a shipping coupon) can only get them
    # from `/orders/{id}/coupons`: one request each is part of the floor (runs from before
    # the tap read codes from the lines did not record the count).
    row(
        "bigcommerce_orders",
        median(runs, lambda r: r["bigcommerce_calls"]["orders_total"]),
        orders,
        floor_bc,
        single=run.get("orders_needing_coupon_request", 0),
    )
    row(
        "bigcommerce_orders_without_coupons",
        median(
            runs,
            lambda r: (
                r["bigcommerce_calls"]["orders_total"]
                - r["bigcommerce_calls"].get("order_coupons", 0)
            ),
        ),
        orders,
        floor_bc,
    )
    row("bigcommerce_customers", bc.get("customers", 0), tap.get("customers", 0), floor_bc)
    row("bigcommerce_products", bc.get("products", 0), tap.get("products", 0), floor_bc)
    floor_it = PER_BULK
    row("iterable_users", it.get("users", 0), mapped.get("users", 0), floor_it)
    row("iterable_events", it.get("events", 0), mapped.get("events", 0), floor_it)
    row(
        "iterable_catalog_items",
        it.get("catalog_items", 0),
        mapped.get("catalog_items", 0),
        floor_it,
    )
    row("iterable_purchases", it.get("purchases", 0), mapped.get("purchases", 0), 1)
    rows["detail"] = {
        "bigcommerce": bc,
        "iterable": it,
        "tap_records": tap,
        "mapped_records": mapped,
    }
    return rows


def cpu(size: dict[str, Any]) -> dict[str, Any]:
    """CPU seconds per 1,000 records per stage (medians), the floors, orders per CPU second."""
    runs = size["runs"]
    tap_records = sum(runs[0]["tap_records"].values())
    mapped_records = sum(runs[0]["mapped_records"].values())
    orders = runs[0]["tap_records"].get("orders", 0)

    def cpu_of(stage: str) -> float:
        return median(runs, lambda r: r[stage]["cpu_s"])

    stages = {
        "tap": (cpu_of("tap"), tap_records),
        "mapper": (cpu_of("mapper"), tap_records),
        "target": (cpu_of("target"), mapped_records),
        "floor_tap": (cpu_of("floor_tap"), tap_records),
        "floor_target": (cpu_of("floor_target"), mapped_records),
        "pipeline": (cpu_of("pipeline"), tap_records),
    }
    result: dict[str, Any] = {
        name: {"cpu_s": seconds, "records": records, "per_1000": per_thousand(seconds, records)}
        for name, (seconds, records) in stages.items()
    }
    pipeline = stages["pipeline"][0]
    floors = stages["floor_tap"][0] + stages["floor_target"][0]
    result["orders"] = orders
    result["orders_per_cpu_s"] = orders / pipeline if pipeline else None
    result["floor_orders_per_cpu_s"] = orders / floors if floors else None
    result["pipeline_wall_s"] = median(runs, lambda r: r["pipeline"]["wall_s"])
    return result


def memory(size: dict[str, Any]) -> dict[str, float]:
    runs = size["runs"]
    stages = ("tap", "mapper", "target", "floor_tap", "floor_target")
    result = {stage: median(runs, lambda r, s=stage: r[s]["peak_rss_mib"]) for stage in stages}
    for index, name in enumerate(("tap", "mapper", "target")):
        result[f"piped_{name}"] = median(
            runs, lambda r, i=index: r["pipeline_stages"][i]["peak_rss_mib"]
        )
    return result


def requests_per_order(size: dict[str, Any]) -> dict[str, float | None]:
    """Measured BigCommerce requests per order, for the projection."""
    eff = efficiency(size)
    orders = eff["bigcommerce_orders"]["records"]
    whole = median(size["runs"], lambda r: r["bigcommerce_calls"]["total"])
    result: dict[str, float | None] = {
        "ours": eff["bigcommerce_orders"]["requests"] / orders,
        "ours_without_coupons": eff["bigcommerce_orders_without_coupons"]["requests"] / orders,
        "ours_whole_store": whole / orders,
        "peer_per_order_subrequests": None,
    }
    peer = size.get("peer")
    if peer:
        calls = peer["bigcommerce_calls"]
        sub = calls["orders_total"] - calls.get("orders_list", 0)
        result["peer_per_order_subrequests"] = sub / peer["orders_ours"]
    return result


def backfill_hours(per_order: float, quota: int) -> float:
    requests = per_order * BACKFILL_ORDERS
    return requests / quota * QUOTA_WINDOW_S / 3600


def peer_per_order(subrequests: float, quota: int) -> float:
    """The peer's list page shrinks with the quota: min(50, floor(quota / 3) - 5) per page."""
    page = min(PEER_PER_PAGE, math.floor(quota / 3) - 5)
    return subrequests + 1 / page
