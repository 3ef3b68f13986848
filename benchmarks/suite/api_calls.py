"""Sort the emulators' request logs into the groups the efficiency table reports."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

_BIGCOMMERCE_GROUPS = (
    ("orders_list", re.compile(r"/v2/orders$")),
    ("order_line_items", re.compile(r"/v2/orders/\d+/products$")),
    ("order_coupons", re.compile(r"/v2/orders/\d+/coupons$")),
    ("order_shipping_addresses", re.compile(r"/v2/orders/\d+/shipping_addresses$")),
    ("orders_other", re.compile(r"/v2/orders/")),
    ("customers", re.compile(r"/v3/customers$")),
    ("subscribers", re.compile(r"/v3/customers/subscribers$")),
    ("products", re.compile(r"/v3/catalog/products$")),
    ("refunds", re.compile(r"/v3/orders/payment_actions/refunds$")),
    ("carts", re.compile(r"/v3/carts/")),
)
ORDER_GROUPS = ("orders_list", "order_line_items", "order_coupons", "order_shipping_addresses")

_ITERABLE_GROUPS = (
    ("users", re.compile(r"^POST /api/users/bulkUpdate ")),
    ("events", re.compile(r"^POST /api/events/trackBulk ")),
    ("purchases", re.compile(r"^POST /api/commerce/trackPurchase ")),
    ("carts", re.compile(r"^POST /api/commerce/updateCart ")),
    ("catalog_items", re.compile(r"^POST /api/catalogs/[^/]+/items ")),
)


def bigcommerce_calls(entries: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Requests that spent quota, by group (`other` = settings, channels...), plus `total`
    and `status_429` (answers refused for the quota, which spend none)."""
    counts: Counter[str] = Counter()
    for entry in entries:
        if entry["status"] == 429:
            counts["status_429"] += 1
            continue
        group = next(
            (g for g, pattern in _BIGCOMMERCE_GROUPS if pattern.search(entry["path"])), "other"
        )
        counts[group] += 1
        counts["total"] += 1
    counts["orders_total"] = sum(counts[group] for group in ORDER_GROUPS) + counts["orders_other"]
    return dict(counts)


def iterable_calls(request_counts: Mapping[str, int]) -> dict[str, int]:
    """`{"METHOD path status": n}` → requests by write endpoint, `other`, `total`, `status_429`."""
    counts: Counter[str] = Counter()
    for key, number in request_counts.items():
        if key.endswith(" 429"):
            counts["status_429"] += number
            continue
        group = next((g for g, pattern in _ITERABLE_GROUPS if pattern.search(key)), "other")
        counts[group] += number
        counts["total"] += number
    return dict(counts)


def iterable_calls_429_by_group(request_counts: Mapping[str, int]) -> dict[str, int]:
    counts: Counter[str] = Counter()
    for key, number in request_counts.items():
        if key.endswith(" 429"):
            group = next((g for g, p in _ITERABLE_GROUPS if p.search(key)), "other")
            counts[group] += number
    return dict(counts)
