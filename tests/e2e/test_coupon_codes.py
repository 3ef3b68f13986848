"""Coupon codes reach Iterable on every purchase whose order used a coupon, while the tap asks
BigCommerce's per-order coupons endpoint only for orders whose lines do not carry them."""

from __future__ import annotations

import pytest

from .conftest import Pipeline, dead_lettered_orders, purchases_by_order

pytestmark = pytest.mark.e2e


def test_every_purchase_whose_order_used_a_coupon_carries_its_codes(pipeline: Pipeline) -> None:
    pipeline.run()

    store = pipeline.bigcommerce.emulator.store
    purchases = purchases_by_order(pipeline.iterable)
    dead = dead_lettered_orders(pipeline.workdir)
    coupon_orders = {
        order.id: order
        for order in store.orders.records(store.orders.ids())
        if order.coupons and (order.id in purchases or order.id in dead)
    }
    # Both cases are in this store: codes only on the lines, and a shipping coupon no line has.
    shipping_only = {
        order_id
        for order_id, order in coupon_orders.items()
        if any(coupon.discounts_shipping for coupon in order.coupons)
    }
    assert shipping_only, "no order with a shipping coupon"
    assert set(coupon_orders) - shipping_only, "no order whose lines carry its coupon"
    for order_id, order in coupon_orders.items():
        if order_id in dead:
            continue  # Iterable refused its shopper (an invalid email); the dead letter has it
        expected = sorted(coupon.code for coupon in order.coupons)
        assert sorted(purchases[order_id]["dataFields"]["couponCodes"]) == expected, order_id
    for order_id, purchase in purchases.items():
        if order_id not in coupon_orders:
            assert not purchase["dataFields"].get("couponCodes"), order_id

    asked = {
        int(entry.path.split("/")[-2])
        for entry in pipeline.bigcommerce.emulator.request_log.entries()
        if entry.path.endswith("/coupons")
    }
    with_shipping_coupons = {
        order.id
        for order in store.orders.records(store.orders.ids())
        if any(coupon.discounts_shipping for coupon in order.coupons)
    }
    assert shipping_only <= asked <= with_shipping_coupons
