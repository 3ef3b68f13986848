"""Counting and reading Singer message files (one JSON message per line)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any


def record_counts(path: Path) -> dict[str, int]:
    """RECORD messages per stream."""
    counts: Counter[str] = Counter()
    for message in messages(path):
        if message.get("type") == "RECORD":
            counts[message["stream"]] += 1
    return dict(counts)


def records(path: Path, stream: str) -> Iterator[dict[str, Any]]:
    marker = f'"stream":"{stream}"'
    with path.open() as lines:
        for line in lines:
            if marker in line[:80].replace(" ", ""):
                message = json.loads(line)
                if message.get("type") == "RECORD" and message["stream"] == stream:
                    yield message["record"]


def messages(path: Path) -> Iterator[dict[str, Any]]:
    with path.open() as lines:
        for line in lines:
            if line.startswith("{"):
                yield json.loads(line)


def orders_needing_coupon_request(path: Path) -> int:
    """Orders whose coupon codes only `/orders/{id}/coupons` has: the endpoint named a code
    that none of the order's lines carries in `applied_discounts` (e.g. a shipping coupon).
    No list request can carry those codes, so each costs one request at the least."""
    count = 0
    for order in records(path, "orders"):
        on_lines = {
            discount.get("code")
            for item in order.get("line_items") or []
            for discount in item.get("applied_discounts") or []
        }
        if any(
            coupon.get("code") and coupon["code"] not in on_lines
            for coupon in order.get("coupons") or []
        ):
            count += 1
    return count
