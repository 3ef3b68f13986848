"""Writes the golden input files (`data/<rule>.input.singer` + `data/<rule>.config.json`).

After changing a scenario, run `uv run python -m tests.mapper.golden_inputs` from the repository
root, then `MAPPER_UPDATE_GOLDEN=1 uv run pytest tests/mapper/test_golden.py` and review the
diff of the expected files: each one is the reviewed output of one rule.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from . import records as r

DATA = Path(__file__).parent / "data"
Scenario = tuple[dict, list[dict]]

FACTS = [
    ("store_settings", r.store_settings()),
    ("currencies", r.currency("USD", "1.0000000000", default=True)),
    ("currencies", r.currency("EUR", "0.9200000000")),
    ("customer_groups", r.customer_group(2, "Wholesale")),
    ("categories", r.category(1, "Shop All", ["Shop All"])),
    ("categories", r.category(2, "Kitchen", ["Shop All", "Kitchen"], parent_id=1)),
    ("brands", r.brand(5, "Acme")),
    ("products", r.product(101, "Blue Mug", "12.00", categories=[2], brand_id=5)),
    ("products", r.product(102, "Tea Towel", "7.50", categories=[1, 2])),
]


def end_state(streams: str = "orders") -> dict:
    return r.state({"bookmarks": {streams: {"replication_key_value": "2024-03-01T00:00:00+00:00"}}})


def identity_email_variants() -> Scenario:
    """Case and whitespace variants of one email are one person: one user, all orders on it."""
    return {}, r.messages(
        *FACTS,
        ("customers", r.customer(1, "  Ann.Lee@Example.COM ")),
        ("orders", r.order(1001, email="ann.lee@example.com", total="12.00")),
        ("orders", r.order(1002, email=" ANN.LEE@EXAMPLE.COM", total="7.5")),
        ("orders", r.order(1003, customer_id=1, email="billing@work.example", total="20")),
        end_state(),
    )


def registration_then_guest_order() -> Scenario:
    """A guest order from a registered customer's email is that customer's (not a second user)."""
    return {}, r.messages(
        *FACTS,
        ("customers", r.customer(7, "bo@example.com", first_name="Bo", last_name="Ek")),
        r.state(
            {"bookmarks": {"customers": {"replication_key_value": "2024-01-05T09:00:00+00:00"}}}
        ),
        ("orders", r.order(2001, email="Bo@Example.com", first_name="B", last_name="Guest")),
        ("orders", r.order(2002, email="carl@example.com", first_name="Carl", last_name="Gust")),
        end_state(),
    )


def purchase_statuses() -> Scenario:
    """Incomplete, cancelled, declined and archived orders are not purchases; lifecycle events."""
    orders = [
        r.order(3000, email="p@example.com", status_id=0, status="Incomplete"),
        r.order(3001, email="p@example.com", status_id=5, status="Cancelled"),
        r.order(3002, email="p@example.com", status_id=6, status="Declined"),
        r.order(3003, email="p@example.com", status_id=10, status="Completed", is_archived=True),
        r.order(
            3004,
            email="p@example.com",
            status_id=2,
            status="Shipped",
            total="40.00",
            date_shipped="2024-02-03T08:30:00+00:00",
        ),
        r.order(
            3005,
            email="p@example.com",
            status_id=4,
            status="Refunded",
            total="9.99",
            refunded_amount="9.99",
        ),
    ]
    return {}, r.messages(*FACTS, *(("orders", o) for o in orders), end_state())


def line_items_enrichment() -> Scenario:
    """Every line item with breadcrumbs, URL, image; coupons, discounts, tax, shipping."""
    items = [
        r.line_item(1, 101, "Blue Mug", "12.00", 2, order_id=4001),
        r.line_item(2, 102, "Tea Towel", "7.50", 1, order_id=4001),
        {**r.line_item(3, 0, "Gift wrap", "2.00", 1, order_id=4001), "product_id": 0, "sku": ""},
    ]
    items[0]["applied_discounts"] = [{"id": "c1", "amount": r.d("2.4000"), "code": "MUG10"}]
    o = r.order(
        4001,
        customer_id=0,
        email="dee@example.com",
        total="35.1000",
        line_items=items,
        coupons=[{"id": 1, "code": "MUG10", "amount": r.d("2.4000"), "type": 1}],
    )
    o.update(
        {
            "subtotal_ex_tax": r.d("29.1000"),
            "total_tax": r.d("2.0000"),
            "shipping_cost_inc_tax": r.d("4.0000"),
            "discount_amount": r.d("0.0000"),
            "coupon_discount": r.d("2.4000"),
        }
    )
    return {}, r.messages(*FACTS, ("orders", o), end_state())


def currency_conversion() -> Scenario:
    """Money exact per currency; EUR order converted to the USD reporting currency by its rate."""
    eur = r.order(
        5001,
        email="eve@example.com",
        total="91.99",
        currency_code="EUR",
        store_default_currency_code="USD",
        rate="0.9200000000",
    )
    jpy = r.order(5002, email="eve@example.com", total="1200", currency_code="JPY")
    usd = r.order(5003, email="eve@example.com", total="10.005")
    return {"reporting_currency": "USD"}, r.messages(
        *FACTS,
        ("currencies", r.currency("JPY", "150.0000000000")),
        ("orders", eur),
        ("orders", jpy),
        ("orders", usd),
        end_state(),
    )


def ownership_and_nullables() -> Scenario:
    """Empty values never erase (unless nullable); Iterable-owned or overridden ones never sent."""
    attributes = [
        {"attribute_id": 1, "attribute_name": "shoe.size", "attribute_value": "42"},
        {"attribute_id": 2, "attribute_name": "Favourite colour", "attribute_value": ""},
    ]
    config = {
        "ownership_overrides": {"company": "iterable", "addressPostalCode": "iterable"},
        "nullable_fields": ["phone"],
    }
    return config, r.messages(
        *FACTS,
        (
            "customers",
            r.customer(
                9, "fay@example.com", phone="", company="Fay Ltd", attributes=attributes, group_id=2
            ),
        ),
        ("customers", r.customer(10, "gus@example.com", last_name="", phone="+1 512 555 0100")),
        end_state("customers"),
    )


def catalog_items() -> Scenario:
    """Products: name, SKU, absolute URL, image, prices, breadcrumbs, brand, stock, variants."""
    variants = [
        {
            "id": 1,
            "product_id": 103,
            "sku": "TEE-S",
            "price": r.d("20"),
            "calculated_price": r.d("18.5"),
            "inventory_level": 0,
        },
        {
            "id": 2,
            "product_id": 103,
            "sku": "TEE-M",
            "price": r.d("22"),
            "calculated_price": r.d("22"),
            "inventory_level": 3,
        },
    ]
    tee = r.product(
        103,
        "Logo Tee",
        "20.00",
        sale_price="18.50",
        categories=[1, 2],
        brand_id=5,
        inventory_level=3,
        variants=variants,
    )
    tee["custom_fields"].append({"id": 2, "name": "care.instructions", "value": "Cold wash"})
    return {}, r.messages(*FACTS, ("products", tee), end_state("products"))


def carts_and_cart_events() -> Scenario:
    """Whole carts on every change; abandoned, converted, checkout started; deleted clears."""
    guest = r.cart("c-1", email="hal@example.com", items=[(101, "Blue Mug", "12.00", 1)])
    guest_more = r.cart(
        "c-1",
        email="hal@example.com",
        items=[(101, "Blue Mug", "12.00", 2), (102, "Tea Towel", "7.50", 1)],
        updated_time="2024-02-03T10:05:00+00:00",
    )
    member = r.cart(
        "c-2", customer_id=1, email="ann.lee@example.com", items=[(102, "Tea Towel", "7.50", 3)]
    )
    anonymous = r.cart("c-3", items=[(101, "Blue Mug", "12.00", 1)])
    return {}, r.messages(
        *FACTS,
        ("customers", r.customer(1, "ann.lee@example.com")),
        ("cart_events", r.cart_event("h1", "store/cart/created", "c-1", guest)),
        (
            "cart_events",
            r.cart_event(
                "h2",
                "store/cart/lineItem/updated",
                "c-1",
                guest_more,
                created_at="2024-02-03T10:05:05+00:00",
            ),
        ),
        (
            "cart_events",
            r.cart_event(
                "h3",
                "store/cart/abandoned",
                "c-1",
                guest_more,
                created_at="2024-02-03T11:05:05+00:00",
            ),
        ),
        ("cart_events", r.cart_event("h4", "store/channel/1/cart/updated", "c-2", member)),
        (
            "cart_events",
            r.cart_event(
                "h5",
                "store/cart/converted",
                "c-1",
                None,
                data={"type": "cart", "id": "c-1", "orderId": 6001},
            ),
        ),
        ("cart_events", r.cart_event("h6", "store/cart/deleted", "c-2", None)),
        ("cart_events", r.cart_event("h7", "store/cart/updated", "c-3", anonymous)),
        r.state({"bookmarks": {"cart_events": {"replication_key_value": 7}}}),
    )


def refunds_and_lifetime_value() -> Scenario:
    """A refund lowers lifetime value and is an event; a refund of an unseen order waits."""
    return {}, r.messages(
        *FACTS,
        ("customers", r.customer(1, "ann.lee@example.com")),
        (
            "orders",
            r.order(7001, customer_id=1, total="100.00", date_created="2024-01-10T10:00:00+00:00"),
        ),
        (
            "orders",
            r.order(7002, customer_id=1, total="50.00", date_created="2024-02-10T10:00:00+00:00"),
        ),
        ("refunds", r.refund(1, 7001, "25.50")),
        ("refunds", r.refund(2, 9999, "5.00")),
        end_state("refunds"),
    )


def users_collapse_newest_wins() -> Scenario:
    """Several updates of one person in a run are one user record; per field the newest wins."""
    newer = r.customer(
        1,
        "ann.lee@example.com",
        first_name="Annie",
        phone="+44 20 7946 0000",
        date_modified="2024-02-20T00:00:00+00:00",
    )
    older = r.customer(
        1,
        "ann.lee@example.com",
        first_name="Ann",
        last_name="Leigh",
        date_modified="2024-01-20T00:00:00+00:00",
    )
    return {}, r.messages(
        *FACTS,
        ("customers", newer),
        ("customers", older),
        ("subscribers", r.subscriber(1, "ANN.LEE@example.com")),
        ("subscribers", r.subscriber(2, "news.only@example.com", source="custom")),
        ("subscribers", {**r.subscriber(3, "unsubscribed@example.com"), "consents": []}),
        ("orders", r.order(8001, customer_id=1, total="5.00", is_email_opt_in=True)),
        end_state(),
    )


def _identity_mix() -> list[dict]:
    return r.messages(
        *FACTS,
        ("customers", r.customer(1, "ann.lee@example.com")),
        ("orders", r.order(9001, customer_id=1, total="10.00")),
        ("orders", r.order(9002, email="Ann.Lee@example.com", total="11.00")),
        ("orders", r.order(9003, email="guest@example.com", total="12.00")),
        ("orders", r.order(9004, email="", total="13.00")),
        end_state(),
    )


def user_id_mode() -> Scenario:
    """userID projects: template userId for customers, stable derived userId for guests."""
    return {"identity_mode": "user_id"}, _identity_mix()


def hybrid_mode() -> Scenario:
    """Hybrid projects: email is the key; registered customers also carry their userId."""
    return {"identity_mode": "hybrid"}, _identity_mix()


def _two_stores() -> list[dict]:
    return r.messages(
        *FACTS,
        ("store_settings", r.store_settings("store2", currency="EUR", locale="de")),
        ("currencies", r.currency("USD", "1.0800000000", "store2")),
        ("customers", r.customer(1, "ann.lee@example.com")),
        ("customers", r.customer(55, "Ann.Lee@example.com", store_hash="store2")),
        ("orders", r.order(1, customer_id=1, total="10.00")),
        (
            "orders",
            r.order(1, customer_id=55, total="20.00", currency_code="EUR", store_hash="store2"),
        ),
        end_state(),
    )


def two_stores_unified() -> Scenario:
    """The same shopper in two stores is one user (unified); LTV in one reporting currency."""
    return {"identity_mode": "user_id", "reporting_currency": "USD"}, _two_stores()


def two_stores_per_store() -> Scenario:
    """Separated identities: one user per store, each with its own store, currency and locale."""
    return {"identity_mode": "user_id", "identity_scope": "per_store"}, _two_stores()


def event_names_camel() -> Scenario:
    """The event naming convention is configurable: style, prefix and per-event overrides."""
    config = {
        "event_name_style": "camelCase",
        "event_name_prefix": "",
        "event_names": {"order_shipped": "Order Shipped"},
    }
    return config, r.messages(
        *FACTS,
        ("orders", r.order(1101, email="ivy@example.com", status_id=5, status="Cancelled")),
        (
            "orders",
            r.order(
                1102,
                email="ivy@example.com",
                status_id=2,
                status="Shipped",
                date_shipped="2024-02-05T00:00:00+00:00",
            ),
        ),
        end_state(),
    )


def lifecycle_events_since() -> Scenario:
    """A backfill with lifecycle_events_since sends purchases but no events for older changes."""
    return {"lifecycle_events_since": "2024-02-15T00:00:00Z"}, r.messages(
        *FACTS,
        (
            "orders",
            r.order(
                1201,
                email="jo@example.com",
                status_id=2,
                status="Shipped",
                date_shipped="2024-02-02T00:00:00+00:00",
            ),
        ),
        ("orders", r.order(1202, email="jo@example.com", date_created="2024-02-20T00:00:00+00:00")),
        end_state(),
    )


def campaign_ready_profiles() -> Scenario:
    """SMS numbers in E.164 (region: address, billing, store country), locale and time zone,
    consent facts per channel, and every lifecycle trigger with its deterministic id."""
    facts = [
        ("store_settings", r.store_settings(country_code="US", timezone="America/Chicago")),
        *FACTS[1:],
    ]
    guest_cart = r.cart("c-9", email="sven@example.com", items=[(101, "Blue Mug", "12.00", 2)])
    return {}, r.messages(
        *facts,
        ("customers", r.customer(1, "dora@example.com", phone="0171 1234567", country_code="DE")),
        (
            "customers",
            r.customer(2, "gus@example.com", phone="+44 20 7946 0000 ext. 12", country_code="GB"),
        ),
        ("customers", r.customer(3, "amy@example.com", phone="(512) 555-0123 / (512) 555-0199")),
        (
            "customers",
            r.customer(
                4,
                "fay@example.com",
                phone="12",
                country_code="FR",
                accepts_abandoned_cart_emails=False,
            ),
        ),
        ("customers", r.customer(5, "ken@example.com", phone="512 555 0100", country_code="")),
        (
            "subscribers",
            {**r.subscriber(1, "dora@example.com"), "consents": ["marketing_newsletter"]},
        ),
        ("subscribers", {**r.subscriber(2, "gus@example.com"), "consents": ["abandoned_cart"]}),
        ("subscribers", {**r.subscriber(3, "amy@example.com"), "consents": []}),
        (
            "orders",
            r.order(
                9001,
                customer_id=1,
                total="30.00",
                date_created="2024-02-01T12:00:00+00:00",
                date_shipped="2024-02-03T09:00:00+00:00",
                status_id=2,
                status="Shipped",
                is_email_opt_in=True,
                customer_locale="de",
            ),
        ),
        (
            "orders",
            r.order(9002, customer_id=1, total="12.00", date_created="2024-03-01T12:00:00+00:00"),
        ),
        (
            "orders",
            r.order(
                9003,
                email="sven@example.com",
                phone="070-123 45 67",
                country_iso2="SE",
                customer_locale="sv",
                first_name="Sven",
                last_name="Berg",
            ),
        ),
        (
            "orders",
            r.order(
                9004,
                email="sven@example.com",
                status_id=5,
                status="Cancelled",
                phone="abc",
                date_created="2024-01-20T12:00:00+00:00",
            ),
        ),
        ("refunds", r.refund(31, 9001, "10.00")),
        ("cart_events", r.cart_event("h9", "store/cart/updated", "c-9", guest_cart)),
        (
            "cart_events",
            r.cart_event(
                "h10",
                "store/cart/abandoned",
                "c-9",
                guest_cart,
                created_at="2024-02-03T11:05:05+00:00",
                data={"type": "cart", "id": "c-9", "token": "tok-123"},
            ),
        ),
        end_state("cart_events"),
    )


SCENARIOS: dict[str, Callable[[], Scenario]] = {
    f.__name__: f
    for f in (
        campaign_ready_profiles,
        identity_email_variants,
        registration_then_guest_order,
        purchase_statuses,
        line_items_enrichment,
        currency_conversion,
        ownership_and_nullables,
        catalog_items,
        carts_and_cart_events,
        refunds_and_lifetime_value,
        users_collapse_newest_wins,
        user_id_mode,
        hybrid_mode,
        two_stores_unified,
        two_stores_per_store,
        event_names_camel,
        lifecycle_events_since,
    )
}


def main() -> None:
    DATA.mkdir(exist_ok=True)
    for name, build in SCENARIOS.items():
        config, messages = build()
        r.write_singer(DATA / f"{name}.input.singer", messages)
        (DATA / f"{name}.config.json").write_text(
            json.dumps(config, indent=2, sort_keys=True) + "\n"
        )


if __name__ == "__main__":
    main()
