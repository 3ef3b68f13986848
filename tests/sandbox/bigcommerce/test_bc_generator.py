"""The store generator: deterministic by seed, every awkward case present, scalable, deltas."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest
import requests

from sandbox.bigcommerce.inspect import BigCommerceInspector
from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce
from sandbox.common.inspector import InspectorError
from sandbox.generator.carts import simulate_carts
from sandbox.generator.delta import apply_delta
from sandbox.generator.store import GeneratedStore, StoreSize
from sandbox.generator.timeline import DST_INSTANTS, STORE_NOW


def _store(seed: int = 1, orders: int = 50) -> GeneratedStore:
    return GeneratedStore(seed=seed, size=StoreSize.for_orders(orders))


def _snapshot(store: GeneratedStore) -> list[dict[str, object]]:
    records: list[object] = [
        *store.orders.records(store.orders.ids()),
        *store.customers.records(store.customers.ids()),
        *store.subscribers.records(store.subscribers.ids()),
        *store.catalog.products,
    ]
    return [asdict(r) for r in records]  # type: ignore[call-overload]


def test_same_seed_same_store_other_seed_other_store() -> None:
    assert _snapshot(_store(7)) == _snapshot(_store(7))
    assert _snapshot(_store(7)) != _snapshot(_store(8))


def test_a_record_does_not_depend_on_store_size_or_build_order() -> None:
    small, large = _store(3, 100), _store(3, 100)
    late_first = large.orders.require(90)
    assert small.orders.require(90) == late_first
    assert large.customers.require(40) == small.customers.require(40)


def test_awkward_cases_exist_in_a_50_order_store() -> None:
    store = _store()
    orders = list(store.orders.records(store.orders.ids()))
    customers = list(store.customers.records(store.customers.ids()))
    registered = {c.email.strip().lower() for c in customers}
    guests = [o for o in orders if o.customer_id == 0]
    assert any(o.billing_address.email == "" for o in guests), "guest with empty email"
    variants = [o.billing_address.email for o in guests if o.billing_address.email]
    assert any(e != e.strip().lower() and e.strip().lower() in registered for e in variants), (
        "guest email equal to a customer's but for case or spaces"
    )
    assert any("@" not in e or e.count("@") > 1 or "." not in e.split("@")[-1] for e in variants)
    assert any(c.email != c.email.lower() for c in customers), "customers with capitals"
    assert max(len(o.line_items) for o in orders) == 60
    assert {o.currency_code for o in orders} > {"USD"}
    foreign = next(o for o in orders if o.currency_code != "USD")
    assert foreign.exchange_rate != 1
    assert any(o.status_id == 4 and o.refunded_amount == o.total_inc_tax for o in orders)
    assert any(o.status_id == 14 and 0 < o.refunded_amount < o.total_inc_tax for o in orders)
    assert any(o.status_id == 0 for o in orders), "incomplete order"
    assert any(o.is_deleted for o in orders), "archived order"
    assert any(o.coupons and o.coupon_discount > 0 for o in orders)
    assert any(len(o.shipping_addresses) > 1 for o in orders)
    assert any(any(ord(ch) > 127 for ch in c.first_name + c.last_name) for c in customers)
    assert any(
        any(unicodedata.east_asian_width(ch) == "W" for ch in c.last_name) for c in customers
    ), "CJK names"
    assert max(len(c.addresses) for c in customers) == 10
    created = {o.date_created for o in orders}
    assert any(instant in created for instant in DST_INSTANTS), "orders at DST changes"
    modified = [o.date_modified for o in orders]
    assert len(modified) > len(set(modified)), "orders modified in the same second"
    assert all(m < STORE_NOW for m in modified)
    products = store.catalog.products
    assert any(len(p.variants) > 1 for p in products)
    assert all(p.images for p in products)
    categories = {c.id: c for c in store.catalog.categories}
    assert any(categories[categories[p.categories[0]].parent_id].parent_id for p in products)
    assert store.refund_order_ids(), "refunds"
    assert any(not s.consents for s in store.subscribers.records(store.subscribers.ids()))


def test_money_adds_up() -> None:
    store = _store()
    for order in store.orders.records(store.orders.ids()):
        lines = sum(line.total_ex_tax for line in order.line_items)
        assert order.subtotal_ex_tax == lines
        extras = order.handling_cost + order.fee_cost + order.wrapping_cost
        expected = order.subtotal_ex_tax + order.shipping_ex_tax + extras - order.coupon_discount
        assert order.total_ex_tax == max(expected - order.discount_amount, 0)
        assert order.total_inc_tax >= order.total_ex_tax
        # Line coupons and shipping coupons make up `coupon_discount`; the rest of the line
        # discounts (no code) make up `discount_amount`.
        discounts = [d for line in order.line_items for d in line.applied_discounts]
        coded = sum((d.amount for d in discounts if d.code), Decimal(0))
        shipping = sum((c.discount for c in order.coupons if c.discounts_shipping), Decimal(0))
        assert coded + shipping == order.coupon_discount
        assert sum((d.amount for d in discounts if not d.code), Decimal(0)) == order.discount_amount


def test_a_million_order_store_is_built_on_demand() -> None:
    store = _store(1, 1_000_000)
    order = store.orders.require(999_999)
    assert order.id == 999_999
    assert store.customers.count == 500_000
    assert store.orders.get(1_000_001) is None
    # Records are rebuilt, not kept: asking again gives an equal order.
    assert store.orders.require(999_999) == order


def test_delta_changes_records_after_the_newest_one_with_a_same_second_tie() -> None:
    store = _store()
    newest = store.orders.newest_modified()
    assert newest is not None
    at = STORE_NOW + timedelta(days=3)
    result = apply_delta(store, at=at, orders=4, new_orders=2, customers=2, products=1)
    changed = [store.orders.require(i) for i in result.order_ids]
    assert len(changed) == 4
    # Exactly one change lands in the same second as the newest record; the rest are later.
    assert sum(c.date_modified == newest for c in changed) == 1
    assert all(c.date_modified >= at for c in changed if c.date_modified != newest)
    assert result.new_order_ids == [51, 52]
    assert all(store.orders.require(i).date_created >= at for i in result.new_order_ids)
    since = set(store.orders.ids_by_modified(newest))
    assert set(result.order_ids) | set(result.new_order_ids) <= since
    assert result.refund_ids
    refund = store.refund(result.refund_ids[0])
    assert refund is not None
    assert refund.created >= at or refund.created == newest
    # The same delta on the same store gives the same changes.
    again = _store()
    assert (
        apply_delta(again, at=at, orders=4, new_orders=2, customers=2, products=1).as_dict()
        == result.as_dict()
    )


def test_delta_over_http_is_seen_by_an_incremental_query() -> None:
    with running_bigcommerce(orders=30) as bc, requests.Session() as http:
        http.headers.update(bc.headers)
        newest = bc.emulator.store.orders.newest_modified()
        assert newest is not None
        before = {
            o["id"]
            for o in http.get(
                f"{bc.v2_url}/orders",
                params={"min_date_modified": newest.isoformat(), "limit": 250},
                timeout=5,
            ).json()
        }
        at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=5)
        result = bc.emulator.apply_delta(orders=3, new_orders=1, new_customers=1, at=at)
        assert result.new_customer_ids == [bc.emulator.store.size.customers + 1]
        after = http.get(
            f"{bc.v2_url}/orders",
            params={"min_date_modified": newest.isoformat(), "sort": "date_modified:asc"},
            timeout=5,
        ).json()
        ids = [o["id"] for o in after]
        assert set(result.order_ids) | set(result.new_order_ids) | before == set(ids)
        customers = http.get(
            f"{bc.v3_url}/customers",
            params={
                "date_modified:min": at.isoformat(),
                "id:in": ",".join(str(i) for i in result.customer_ids),
            },
            timeout=5,
        ).json()["data"]
        assert {c["id"] for c in customers} <= set(result.customer_ids)
        assert all(c["last_name"].endswith("-Nouveau") for c in customers)
        newcomer = http.get(
            f"{bc.v3_url}/customers",
            params={"date_created:min": at.isoformat()},
            timeout=5,
        ).json()["data"]
        assert [c["id"] for c in newcomer] == result.new_customer_ids


@pytest.mark.parametrize("orders", [0, 10])
def test_tiny_stores_work(orders: int) -> None:
    with running_bigcommerce(orders=orders) as bc:
        answer = requests.get(f"{bc.v2_url}/orders", headers=bc.headers, timeout=5)
        assert answer.status_code == (204 if orders == 0 else 200)


def test_inspection_api_drives_the_store(bc: RunningBigCommerce) -> None:
    with BigCommerceInspector(bc.api_url) as inspector:
        before = inspector.summary()
        inspector.clear_requests()
        requests.get(f"{bc.v2_url}/orders/3", headers=bc.headers, timeout=5)
        assert inspector.request_counts() == {"GET /stores/sandbox1/v2/orders/3": 1}
        delta = inspector.apply_delta(orders=1, new_orders=1)
        assert len(delta["new_order_ids"]) == 1
        carts = inspector.simulate_cart_activity(["abandoned"])
        assert len(carts["carts"]) == 1
        after = inspector.summary()
        assert after["orders"] == before["orders"] + 1
        assert after["deltas_applied"] == before["deltas_applied"] + 1
        with pytest.raises(InspectorError, match="unknown delta fields"):
            inspector.apply_delta(pets=1)
        inspector.set_rate_limit(1000, 2000)
        assert bc.emulator.limiter.quota == 1000
        assert inspector.configure(incomplete_orders_in_default_list=True)[
            "incomplete_orders_in_default_list"
        ]
        assert bc.emulator.incomplete_orders_in_default_list
        with pytest.raises(InspectorError, match="must be true or false"):
            inspector.configure(webhook_duplicates="yes")  # type: ignore[arg-type]
        with pytest.raises(InspectorError, match="unexpected keyword"):
            inspector.configure(colour=True)
        inspector.configure(incomplete_orders_in_default_list=False)


def test_a_converted_cart_becomes_an_order_of_its_items() -> None:
    store = _store(orders=10)
    at = STORE_NOW + timedelta(hours=1)
    activity = simulate_carts(store, ["converted", "expired", "active"], at)
    cart = store.carts[activity.by_outcome["converted"][0]]
    order = store.orders.require(activity.order_ids[0])
    assert order.id == 11
    assert order.cart_id == cart.id
    assert order.customer_id == cart.customer_id
    assert order.billing_address.email == cart.email
    assert order.currency_code == cart.currency_code
    assert [(li.product_id, li.variant_id, li.quantity) for li in order.line_items] == [
        (line.product_id, line.variant_id, line.quantity) for line in cart.lines
    ]
    assert not cart.is_readable
    assert "@" in cart.email, "checkout asks guests for an email"
    assert not store.carts[activity.by_outcome["expired"][0]].is_readable
    assert store.carts[activity.by_outcome["active"][0]].is_readable
    with pytest.raises(ValueError, match="unknown cart outcome"):
        simulate_carts(store, ["lost"], at)


def test_repeated_queries_see_changes_made_between_them() -> None:
    with running_bigcommerce(orders=20) as bc, requests.Session() as http:
        http.headers.update(bc.headers)
        params = {"limit": 250, "sort": "date_modified:asc"}
        before = [o["id"] for o in http.get(f"{bc.v2_url}/orders", params=params, timeout=5).json()]
        customers_before = http.get(f"{bc.v3_url}/customers", params={"limit": 250}, timeout=5)
        result = bc.emulator.apply_delta(orders=2, new_orders=1, new_customers=1)
        after = [o["id"] for o in http.get(f"{bc.v2_url}/orders", params=params, timeout=5).json()]
        assert after[-3:] != before[-3:]
        assert set(after) == set(before) | set(result.new_order_ids)
        assert after[-1] in set(result.order_ids) | set(result.new_order_ids)
        customers_after = http.get(f"{bc.v3_url}/customers", params={"limit": 250}, timeout=5)
        total = customers_after.json()["meta"]["pagination"]["total"]
        assert total == customers_before.json()["meta"]["pagination"]["total"] + 1


def test_orders_belong_to_customers_registered_before_them() -> None:
    store = _store(orders=300)
    for order in store.orders.records(store.orders.ids()):
        if order.customer_id:
            assert store.customers.require(order.customer_id).date_created <= order.date_created


def test_guests_give_an_email_at_checkout() -> None:
    store = _store(orders=10)
    activity = simulate_carts(store, ["converted"] * 6, STORE_NOW)
    guests = [store.carts[c] for c in activity.carts if store.carts[c].customer_id == 0]
    asked = [c for c in guests if c.email.startswith("checkout.")]
    assert asked, "some guest carts had no email until checkout"
    updates = [e for e in activity.events if e.scope == "store/cart/updated"]
    assert {e.data["id"] for e in updates} >= {c.id for c in asked}
    for cart in asked:
        assert store.orders.require(cart.order_id or 0).billing_address.email == cart.email
