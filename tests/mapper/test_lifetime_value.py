"""Lifetime value stays right across a first run, an incremental run, re-sent orders, a full
backfill after a state reset, refunds and status changes (the ledger is keyed by order id)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from . import records as r
from .helpers import records, run_in_process, validate_output

EMAIL = "ann.lee@example.com"


@pytest.fixture
def config(tmp_path: Path) -> dict[str, Any]:
    return {"database_url": f"sqlite:///{tmp_path / 'store.sqlite'}"}


def run(config: dict[str, Any], *items: tuple[str, dict]) -> list[str]:
    lines = run_in_process(
        r.messages(("customers", r.customer(1, EMAIL)), *items, r.state({"bookmarks": {}})),
        config,
    )
    validate_output(lines)
    return lines


def ltv(lines: list[str]) -> dict[str, Any]:
    users = [u for u in records(lines, "users") if u.get("email") == EMAIL]
    assert len(users) == 1, "one user record per person per checkpoint"
    fields = users[0]["dataFields"]
    return {k: fields.get(k) for k in ("ordersCount", "totalSpent", "averageOrderValue")} | {
        "first": fields.get("firstOrderDate"),
        "last": fields.get("lastOrderDate"),
    }


def order(order_id: int, total: str, day: int, **kwargs: Any) -> tuple[str, dict]:
    return (
        "orders",
        r.order(
            order_id,
            customer_id=1,
            total=total,
            date_created=f"2024-02-{day:02d}T10:00:00+00:00",
            **kwargs,
        ),
    )


def test_first_run(config: dict[str, Any]) -> None:
    lines = run(config, order(1, "10.00", 1), order(2, "20.50", 2), order(3, "5", 3, status_id=5))
    assert ltv(lines) == {
        "ordersCount": 2,
        "totalSpent": 30.5,
        "averageOrderValue": 15.25,
        "first": "2024-02-01 10:00:00 +00:00",
        "last": "2024-02-02 10:00:00 +00:00",
    }


def test_incremental_run_adds_only_new_orders(config: dict[str, Any]) -> None:
    run(config, order(1, "10.00", 1), order(2, "20.50", 2))
    lines = run(config, order(4, "9.50", 5))  # the next run only sees the new order
    assert ltv(lines)["ordersCount"] == 3
    assert ltv(lines)["totalSpent"] == 40.0
    assert ltv(lines)["last"] == "2024-02-05 10:00:00 +00:00"


def test_resent_orders_never_count_twice(config: dict[str, Any]) -> None:
    first = run(config, order(1, "10.00", 1), order(2, "20.50", 2))
    again = run(config, order(1, "10.00", 1), order(2, "20.50", 2))
    within = run(config, order(2, "20.50", 2), order(2, "20.50", 2))
    assert ltv(first) == ltv(again) == ltv(within)
    assert ltv(again)["ordersCount"] == 2


def test_full_backfill_after_state_reset(config: dict[str, Any]) -> None:
    run(config, order(1, "10.00", 1))
    run(config, order(2, "20.50", 2))
    incremental = run(config, order(3, "1.25", 3))
    # State reset: the tap re-reads everything from the start, into the same embedded store.
    backfill = run(config, order(1, "10.00", 1), order(2, "20.50", 2), order(3, "1.25", 3))
    assert ltv(backfill) == ltv(incremental)
    assert ltv(backfill)["totalSpent"] == 31.75


def test_refund_reduces_and_is_counted_once(config: dict[str, Any]) -> None:
    run(config, order(1, "100.00", 1), order(2, "50.00", 2))
    after_refund = run(config, ("refunds", r.refund(1, 1, "25.50")))
    assert ltv(after_refund)["totalSpent"] == 124.5
    # The same refund re-sent, then the order re-sent carrying its own refunded_amount.
    resent = run(
        config,
        ("refunds", r.refund(1, 1, "25.50")),
        order(1, "100.00", 1, refunded_amount="25.50"),
    )
    assert ltv(resent)["totalSpent"] == 124.5
    assert ltv(resent)["ordersCount"] == 2
    events = records(after_refund, "events")
    assert [e["id"] for e in events if e["eventName"] == "bc_order_refunded"] == ["store1-refund-1"]


def test_order_cancelled_later_leaves_lifetime_value(config: dict[str, Any]) -> None:
    run(config, order(1, "10.00", 1), order(2, "20.00", 2))
    lines = run(
        config,
        order(
            2,
            "20.00",
            2,
            status_id=5,
            status="Cancelled",
            date_modified="2024-02-09T00:00:00+00:00",
        ),
    )
    assert ltv(lines)["ordersCount"] == 1
    assert ltv(lines)["totalSpent"] == 10.0
    changed = [e for e in records(lines, "events") if e["eventName"] == "bc_order_status_changed"]
    assert changed[0]["dataFields"]["previousStatusId"] == 11
    assert changed[0]["dataFields"]["previousStatus"] == "Awaiting Fulfillment"


def test_status_event_is_stable_when_resent(config: dict[str, Any]) -> None:
    first = run(config, order(1, "10.00", 1))
    again = run(config, order(1, "10.00", 1, date_modified="2024-03-01T00:00:00+00:00"))
    event_a = records(first, "events")[0]
    event_b = records(again, "events")[0]
    assert event_a == event_b  # same id, same time: an upsert that changes nothing
