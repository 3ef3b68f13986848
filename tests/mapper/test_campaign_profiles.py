"""Locale and time zone fallbacks, consent facts (never a subscription change) and the lifecycle
triggers with their deterministic ids."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from . import records as r
from .helpers import parse, records, run_in_process, validate_output

# Iterable's subscription state: the mapper must never write any of these, at any depth.
SUBSCRIPTION_KEYS = {
    "emailListIds",
    "userListIds",
    "unsubscribedChannelIds",
    "unsubscribedMessageTypeIds",
    "subscribedMessageTypeIds",
    "channelIds_unsubscribe",
    "subscriptionStatus",
}


def _run(path: Path, items: list[Any], **config: Any) -> list[str]:
    lines = run_in_process(
        r.messages(*items), {"database_url": f"sqlite:///{path / 'store.sqlite'}", **config}
    )
    validate_output(lines)
    return lines


def _user(lines: list[str], email: str) -> dict[str, Any]:
    found = [u for u in records(lines, "users") if u.get("email") == email]
    assert len(found) == 1, found
    return dict(found[0].get("dataFields", {}))


# -- locale and time zone ------------------------------------------------------------------------


def test_locale_falls_back_from_the_order_to_the_store_and_is_remembered(tmp_path: Path) -> None:
    settings_record = r.store_settings(locale="fr", timezone="Europe/Paris")
    lines = _run(
        tmp_path,
        [
            ("store_settings", settings_record),
            ("orders", r.order(1, email="de@example.com", customer_locale="de-DE")),
            ("orders", r.order(2, email="plain@example.com")),
        ],
    )
    assert _user(lines, "de@example.com")["locale"] == "de-DE"
    assert _user(lines, "plain@example.com")["locale"] == "fr"
    assert {u["dataFields"]["timeZone"] for u in records(lines, "users")} == {"Europe/Paris"}
    purchase_locales = {p["dataFields"]["locale"] for p in records(lines, "purchases")}
    assert purchase_locales == {"de-DE", "fr"}
    # A later order without customer_locale keeps the shopper's own, not the store default.
    later = r.order(3, email="de@example.com", date_created="2024-05-01T00:00:00+00:00")
    assert _user(_run(tmp_path, [("orders", later)]), "de@example.com")["locale"] == "de-DE"


def _locale_history() -> dict[str, tuple[str, dict[str, Any]]]:
    """One registered shopper: an older order in en-US, a newer one in de-DE, and a customer
    record modified after both (it has no locale of its own)."""
    email = "moved@example.com"
    return {
        "older": (
            "orders",
            r.order(
                1,
                customer_id=7,
                email=email,
                customer_locale="en-US",
                date_created="2024-02-01T00:00:00+00:00",
            ),
        ),
        "newer": (
            "orders",
            r.order(
                2,
                customer_id=7,
                email=email,
                customer_locale="de-DE",
                date_created="2024-03-01T00:00:00+00:00",
            ),
        ),
        "customer": (
            "customers",
            r.customer(7, email, date_modified="2024-04-01T00:00:00+00:00"),
        ),
    }


def test_the_newest_orders_locale_wins_whatever_the_reading_order(tmp_path: Path) -> None:
    history = _locale_history()
    state = {"type": "STATE", "value": {"bookmarks": {}}}
    # A checkpoint between records: each is read as in a sync spread over pages.
    forward = [history["older"], state, history["newer"], state, history["customer"], state]
    backward = [history["newer"], state, history["older"], state, history["customer"], state]
    first = tmp_path / "forward"
    second = tmp_path / "backward"
    first.mkdir()
    second.mkdir()

    def final_locale(lines: list[str]) -> str:
        sent = [
            u["dataFields"]["locale"]
            for u in records(lines, "users")
            if "locale" in u.get("dataFields", {})
        ]
        return sent[-1]

    assert final_locale(_run(first, forward)) == "de-DE"
    assert final_locale(_run(second, backward)) == "de-DE"
    # A full re-read in another order (no STATE, the same store) never carries another
    # locale: the target's ledger drops a field whose value Iterable has, so nothing is sent.
    for path, again in ((first, backward), (second, forward)):
        resent = {
            u["dataFields"]["locale"]
            for u in records(_run(path, again), "users")
            if "locale" in u.get("dataFields", {})
        }
        assert resent <= {"de-DE"}, resent


def test_locale_uses_language_then_the_default_locale_setting(tmp_path: Path) -> None:
    without_locale = {**r.store_settings(), "locale": None, "language": "es"}
    lines = _run(tmp_path, [("store_settings", without_locale), ("orders", r.order(1))])
    assert _user(lines, "guest@example.com")["locale"] == "es"

    other = tmp_path / "other"
    other.mkdir()
    lines = _run(other, [("orders", r.order(1))], default_locale="it", default_currency="EUR")
    fields = _user(lines, "guest@example.com")
    assert fields["locale"] == "it"
    assert "timeZone" not in fields  # unknown: nothing is invented


def test_every_purchase_and_event_carries_store_and_currency(tmp_path: Path) -> None:
    lines = _run(tmp_path, _lifecycle_input())
    for stream in ("purchases", "events"):
        for record in records(lines, stream):
            assert record["dataFields"]["storeHash"] == r.STORE, record
            assert record["dataFields"]["currencyCode"] == "USD", record


# -- consent -------------------------------------------------------------------------------------


def _keys(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            yield from _keys(inner)
    elif isinstance(value, list):
        for inner in value:
            yield from _keys(inner)


def test_consent_facts_one_per_channel_with_their_time(tmp_path: Path) -> None:
    lines = _run(
        tmp_path,
        [
            ("store_settings", r.store_settings()),
            (
                "customers",
                r.customer(
                    1,
                    "ann@example.com",
                    accepts_abandoned_cart_emails=False,
                    date_modified="2024-03-03T03:00:00+00:00",
                ),
            ),
            (
                "subscribers",
                {
                    **r.subscriber(1, "ann@example.com"),
                    "consents": ["abandoned_cart"],
                    "date_modified": "2024-04-04T04:00:00+00:00",
                },
            ),
            ("orders", r.order(1, customer_id=1, is_email_opt_in=True)),
        ],
    )
    fields = _user(lines, "ann@example.com")
    consent_fields = {
        k: v
        for k, v in fields.items()
        if k.startswith(("accepts", "newsletter", "abandonedCart", "emailOptIn"))
    }
    assert consent_fields == {
        "acceptsAbandonedCartEmails": False,
        "acceptsAbandonedCartEmailsAt": "2024-03-03 03:00:00 +00:00",
        "newsletterSubscriber": False,
        "newsletterSubscriberAt": "2024-04-04 04:00:00 +00:00",
        "newsletterSubscribedAt": "2024-01-02 08:00:00 +00:00",
        "newsletterSource": "storefront",
        "abandonedCartConsent": True,
        "abandonedCartConsentAt": "2024-04-04 04:00:00 +00:00",
        "emailOptInAtCheckout": True,
        "emailOptInAtCheckoutAt": "2024-02-01 12:00:00 +00:00",
    }


CONSENTS = st.one_of(
    st.none(), st.lists(st.sampled_from(["marketing_newsletter", "abandoned_cart"]), unique=True)
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    consents=st.lists(CONSENTS, min_size=1, max_size=4),
    opt_ins=st.lists(st.booleans(), max_size=3),
    accepts=st.booleans(),
    mode=st.sampled_from(["email", "user_id", "hybrid"]),
)
def test_consent_never_produces_a_subscription_change(
    tmp_path_factory: Any,
    consents: list[list[str] | None],
    opt_ins: list[bool],
    accepts: bool,
    mode: str,
) -> None:
    items: list[Any] = [
        ("store_settings", r.store_settings()),
        ("customers", r.customer(1, "a@example.com", accepts_abandoned_cart_emails=accepts)),
    ]
    for index, consent in enumerate(consents):
        subscriber = r.subscriber(index + 1, "a@example.com" if index % 2 else "b@example.com")
        if consent is not None:
            subscriber["consents"] = consent
        items.append(("subscribers", subscriber))
    items += [
        ("orders", r.order(10 + i, email="b@example.com", is_email_opt_in=opt_in))
        for i, opt_in in enumerate(opt_ins)
    ]
    lines = _run(Path(tmp_path_factory.mktemp("db")), items, identity_mode=mode)
    written = set(_keys([m for m in parse(lines) if m["type"] == "RECORD"]))
    assert not written & SUBSCRIPTION_KEYS
    assert {m["stream"] for m in parse(lines) if m["type"] == "RECORD"} <= {
        "users",
        "events",
        "purchases",
    }


# -- lifecycle triggers --------------------------------------------------------------------------


def _lifecycle_input() -> list[Any]:
    cart = r.cart("c-1", email="gail@example.com", items=[(101, "Blue Mug", "12.00", 2)])
    return [
        ("store_settings", r.store_settings()),
        ("products", r.product(101, "Blue Mug", "12.00")),
        ("customers", r.customer(1, "ann@example.com")),
        (
            "orders",
            r.order(
                11,
                customer_id=1,
                total="30.00",
                date_created="2024-02-01T12:00:00+00:00",
                date_shipped="2024-02-02T10:00:00+00:00",
                status_id=2,
                status="Shipped",
            ),
        ),
        ("orders", r.order(12, customer_id=1, date_created="2024-03-01T12:00:00+00:00")),
        ("orders", r.order(13, customer_id=1, status_id=5, status="Cancelled")),
        ("refunds", r.refund(7, 11, "5.00")),
        ("cart_events", r.cart_event("h1", "store/cart/updated", "c-1", cart)),
        (
            "cart_events",
            r.cart_event(
                "h2",
                "store/cart/abandoned",
                "c-1",
                cart,
                created_at="2024-02-03T11:05:05+00:00",
                data={"type": "cart", "id": "c-1", "token": "tok-9"},
            ),
        ),
    ]


EXPECTED_EVENTS = {
    ("bc_account_created", "store1-customer-1-created"),
    ("bc_first_purchase", "store1-11-first-purchase"),
    ("bc_repeat_purchase", "store1-12-repeat-purchase"),
    ("bc_order_shipped", "store1-11-shipped"),
    ("bc_order_cancelled", "store1-13-cancelled"),
    ("bc_order_refunded", "store1-refund-7"),
    ("bc_checkout_started", "store1-cart-c-1-checkout"),
    ("bc_cart_abandoned", "store1-cart-c-1-abandoned-1706954400"),
}


def _events(lines: list[str]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["eventName"], e["id"]): e for e in records(lines, "events")}


def test_each_lifecycle_trigger_with_its_id_and_fields(tmp_path: Path) -> None:
    events = _events(_run(tmp_path, _lifecycle_input()))
    assert set(events) >= EXPECTED_EVENTS

    welcome = events[("bc_account_created", "store1-customer-1-created")]
    assert welcome["email"] == "ann@example.com"
    assert welcome["createdAt"] == 1704445200  # the customer's date_created
    assert welcome["dataFields"]["customerId"] == 1

    first = events[("bc_first_purchase", "store1-11-first-purchase")]["dataFields"]
    assert first == {
        "orderId": 11,
        "storeHash": "store1",
        "currencyCode": "USD",
        "locale": "en",
        "total": 30.0,
        "itemsCount": 1,
        "productNames": ["Blue Mug"],
    }
    assert (
        events[("bc_repeat_purchase", "store1-12-repeat-purchase")]["dataFields"]["orderId"] == 12
    )
    # A cancelled order is not a purchase: no milestone for it.
    assert not any(key[1].startswith("store1-13-") and "purchase" in key[1] for key in events)

    assert events[("bc_order_shipped", "store1-11-shipped")]["createdAt"] == 1706868000
    assert events[("bc_order_refunded", "store1-refund-7")]["dataFields"]["amount"] == 5.0

    abandoned = events[("bc_cart_abandoned", "store1-cart-c-1-abandoned-1706954400")]["dataFields"]
    assert abandoned["cartTotal"] == 24.0
    assert abandoned["recoveryUrl"] == "https://store1.example.com/cart.php"
    assert abandoned["recoveryToken"] == "tok-9"
    assert [(i["id"], i["quantity"], i["price"]) for i in abandoned["items"]] == [
        ("store1-101", 2, 12.0)
    ]


def test_recovery_url_prefers_the_carts_own_then_the_template(tmp_path: Path) -> None:
    cart = r.cart("c-2", email="gail@example.com", items=[(101, "Blue Mug", "12.00", 1)])
    own = {
        **cart,
        "redirect_urls": {"cart_url": "https://s.example.com/cart.php?action=load&id=c-2"},
    }
    items = [
        ("store_settings", r.store_settings()),
        ("cart_events", r.cart_event("h1", "store/cart/abandoned", "c-2", own)),
        (
            "cart_events",
            r.cart_event(
                "h2",
                "store/cart/abandoned",
                "c-3",
                {**cart, "id": "c-3", "updated_time": "2024-02-04T10:00:00+00:00"},
                data={"type": "cart", "id": "c-3", "token": "tok-3"},
            ),
        ),
    ]
    template = "https://shop.example.com/recover?t={token}&c={cart_id}"
    urls = [
        e["dataFields"]["recoveryUrl"]
        for e in records(_run(tmp_path, items, cart_recovery_url_template=template), "events")
    ]
    assert urls == [
        "https://s.example.com/cart.php?action=load&id=c-2",
        "https://shop.example.com/recover?t=tok-3&c=c-3",
    ]


def test_reruns_and_late_older_orders_never_create_new_ids(tmp_path: Path) -> None:
    first_run = _events(_run(tmp_path, _lifecycle_input()))
    second_run = _events(_run(tmp_path, _lifecycle_input()))
    assert set(second_run) == set(first_run)
    # An order created before the first purchase but read later does not take its place.
    late = r.order(10, customer_id=1, date_created="2024-01-15T12:00:00+00:00")
    third_run = _events(_run(tmp_path, [("orders", late)]))
    assert ("bc_repeat_purchase", "store1-10-repeat-purchase") in third_run
    assert not any(name == "bc_first_purchase" for name, _ in third_run)


def test_lifecycle_events_since_suppresses_old_welcomes_and_milestones(tmp_path: Path) -> None:
    events = _events(
        _run(tmp_path, _lifecycle_input(), lifecycle_events_since="2024-02-15T00:00:00+00:00")
    )
    names = {name for name, _ in events}
    assert "bc_account_created" not in names
    assert "bc_first_purchase" not in names
    assert ("bc_repeat_purchase", "store1-12-repeat-purchase") in events
