"""Orders: every line item, guests, currencies, archived/incomplete, exact money, request counts."""

from __future__ import annotations

import json
import math
from decimal import Decimal

import pytest
import requests

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce

from .helpers import run_tap, tap_config


def _orders(bc: RunningBigCommerce, inbox_url: str, **settings: object) -> dict[int, dict]:
    output = run_tap(tap_config(bc, inbox_url, **settings), streams={"orders"})
    return {order["id"]: order for order in output.records["orders"]}


def test_sixty_item_order_is_complete(bigcommerce: RunningBigCommerce, inbox_url: str) -> None:
    orders = _orders(bigcommerce, inbox_url)
    big = orders[7]  # the generator's 60-line order (BigCommerce embeds only 50)
    products = bigcommerce.emulator.request_log.count(path_contains="/orders/7/products")
    assert len(big["line_items"]) == 60
    assert len({item["id"] for item in big["line_items"]}) == 60
    assert sum(item["quantity"] for item in big["line_items"]) == big["items_total"]
    assert products == 1
    for order in orders.values():
        assert sum(item["quantity"] for item in order["line_items"]) == order["items_total"]


def test_guests_archived_and_multi_currency(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    orders = _orders(bigcommerce, inbox_url)
    guests = [o for o in orders.values() if o["customer_id"] == 0]
    assert guests, "guest orders (customer_id 0) must be emitted"
    assert orders[2]["customer_id"] == 0
    assert orders[2]["billing_address"]["email"] is None  # "" became null
    assert orders[5]["is_archived"] is True  # archived: listed by the is_deleted pass
    assert all(
        o["is_archived"] is False for i, o in orders.items() if i != 5 and not o["is_deleted"]
    )
    assert 4 not in orders  # incomplete orders are a setting, off by default
    multi = orders[6]  # the generator's order in another currency than the store's
    api = bigcommerce_order(bigcommerce, 6)
    assert multi["currency_code"] == api["currency_code"] != api["store_default_currency_code"]
    for name in (
        "currency_id",
        "default_currency_id",
        "default_currency_code",
        "store_default_currency_code",
    ):
        assert multi[name] == api[name], name
    for name in ("currency_exchange_rate", "store_default_to_transactional_exchange_rate"):
        assert multi[name] == Decimal(api[name]) != 1, name


def test_incomplete_orders_are_a_setting(bigcommerce: RunningBigCommerce, inbox_url: str) -> None:
    orders = _orders(bigcommerce, inbox_url, include_incomplete_orders=True)
    assert orders[4]["status_id"] == 0


def test_order_status_filter(bigcommerce: RunningBigCommerce, inbox_url: str) -> None:
    orders = _orders(bigcommerce, inbox_url, order_status_ids=[4, 14])
    assert orders
    assert {order["status_id"] for order in orders.values()} <= {4, 14}


def test_money_is_exact_and_dates_are_utc_iso(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    output = run_tap(tap_config(bigcommerce, inbox_url), streams={"orders"})
    line = next(raw for raw in output.raw_lines if '"stream":"orders"' in raw and "RECORD" in raw)
    # Money is written as the exact decimal BigCommerce sent, never a binary float.
    order = json.loads(line, parse_float=Decimal)["record"]
    assert isinstance(order["total_inc_tax"], Decimal)
    assert order["total_inc_tax"].as_tuple().exponent == -4
    api_order = bigcommerce_order(bigcommerce, order["id"])
    assert order["total_inc_tax"] == Decimal(api_order["total_inc_tax"])
    assert order["date_created"].endswith("+00:00")
    assert "T" in order["date_created"]
    for record in output.records["orders"]:
        assert record["store_hash"] == bigcommerce.store_hash
        assert record["date_shipped"] is None or record["date_shipped"].endswith("+00:00")


def bigcommerce_order(bc: RunningBigCommerce, order_id: int) -> dict:
    response = requests.get(f"{bc.v2_url}/orders/{order_id}", headers=bc.headers, timeout=5)
    response.raise_for_status()
    return response.json()


def test_request_count_for_orders(inbox_url: str) -> None:
    """ceil(orders/250) list requests plus a small constant, not one per order."""
    with running_bigcommerce(orders=1200, rate_limit_quota=10000, rate_limit_window_ms=1000) as bc:
        config = tap_config(bc, inbox_url, order_coupons="never")
        output = run_tap(config, streams={"orders"})
        paths = [e.path for e in bc.emulator.request_log.entries()]
    emitted = len(output.records["orders"])
    lists = sum(path.endswith("/v2/orders") for path in paths)
    products = sum(path.endswith("/products") for path in paths)
    big = sum(1 for order in output.records["orders"] if len(order["line_items"]) > 50)
    assert emitted > 1100
    # Default pass (5 pages of 250) + the archived pass: 6 <= ceil(1200/250) + 2.
    assert lists <= math.ceil(1200 / 250) + 2, lists
    # The per-order fallback is spent only on orders over the 50-item embedding cap.
    assert products == big >= 1
    assert len(paths) == lists + products


def test_coupon_codes_come_from_the_lines_and_the_endpoint_only_when_they_fall_short(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    """Codes are read from `applied_discounts`; `/coupons` is asked only for an order whose
    lines do not account for its `coupon_discount` (a coupon that discounted only shipping)."""
    output = run_tap(tap_config(bigcommerce, inbox_url), streams={"orders"})
    paths = [e.path for e in bigcommerce.emulator.request_log.entries()]
    asked = {int(path.split("/")[-2]) for path in paths if path.endswith("/coupons")}
    store = bigcommerce.emulator.store
    used = {o["id"] for o in output.records["orders"] if store.orders.require(o["id"]).coupons}
    shipping_only = {
        order_id
        for order_id in used
        if any(c.discounts_shipping for c in store.orders.require(order_id).coupons)
    }
    assert 13 in shipping_only, "the generator's shipping-coupon order"
    assert used - shipping_only, "orders whose coupons the lines carry"
    assert asked == shipping_only
    for order in output.records["orders"]:
        expected = [c.code for c in store.orders.require(order["id"]).coupons]
        assert sorted(order["coupon_codes"]) == sorted(expected), order["id"]


def test_order_coupons_never_still_reads_the_lines_codes(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    orders = _orders(bigcommerce, inbox_url, order_coupons="never")
    assert orders[10]["coupon_codes"] == ["SAVE10"]  # the generator's line-coupon order
    assert orders[10]["coupons"] == []
    assert not bigcommerce.emulator.request_log.count(path_contains="/coupons")


@pytest.mark.parametrize("listed_by_default", [False, True], ids=["asked-for", "listed-anyway"])
def test_each_order_once_whether_or_not_the_default_list_has_archived_and_incomplete(
    inbox_url: str, listed_by_default: bool
) -> None:
    with running_bigcommerce(
        orders=60,
        archived_orders_in_default_list=listed_by_default,
        incomplete_orders_in_default_list=listed_by_default,
    ) as bc:
        output = run_tap(
            tap_config(bc, inbox_url, include_incomplete_orders=True), streams={"orders"}
        )
    ids = output.ids("orders")
    assert sorted(ids) == list(range(1, 61))  # every order, exactly once
    orders = {o["id"]: o for o in output.records["orders"]}
    assert orders[5]["is_archived"] is True
    assert orders[5]["status_scope"] == "archived"
    assert orders[4]["status_id"] == 0
    assert orders[4]["status_scope"] == "incomplete"


def test_a_full_last_v3_page_costs_no_empty_page(inbox_url: str) -> None:
    """499 customers: page 1 holds 250, the keyset query after it the last 249 plus the one it
    starts from (inclusive `:min`): a full page whose `meta.pagination` says it is the last, so
    no third request for the boundary record alone."""
    with running_bigcommerce(
        orders=10, customers=499, rate_limit_quota=10000, rate_limit_window_ms=1000
    ) as bc:
        output = run_tap(tap_config(bc, inbox_url), streams={"customers"})
        paths = [e.path for e in bc.emulator.request_log.entries()]
    assert len(output.records["customers"]) == 499
    assert sum(path.endswith("/v3/customers") for path in paths) == 2
