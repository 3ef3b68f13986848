"""The delivery ledger: what Iterable accepted is not sent again, so journeys fire once per fact.

Journey entries are counted by the emulator as Iterable's "Journey Setup: The Start Tile"
describes them (sandbox/sandbox/iterable/journeys.py).
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from sandbox.iterable.testing import running_iterable
from target_iterable.contract.state_marker import MARKER_BOOKMARK
from target_iterable.target import LedgerLostError

from .helpers import FAST_LIMITS_EMULATOR, purchase, record, run_target, schema, state, user

WRITE_PATHS = ("/api/users/bulkUpdate", "/api/events/trackBulk", "/api/commerce/")


def _writes(iterable: Any) -> int:
    return sum(
        1
        for entry in iterable.emulator.request_log.entries()
        if entry.path.startswith(WRITE_PATHS) or "/items" in entry.path
    )


def _journeys(iterable: Any) -> dict[str, dict[str, int]]:
    by_trigger: dict[str, dict[str, int]] = iterable.emulator.journey_entries()["by_trigger"]
    return by_trigger


def _cart(cart_id: str, email: str, *skus: str) -> dict[str, Any]:
    return {
        "cartId": cart_id,
        "user": {"email": email},
        "items": [{"id": sku, "name": sku, "price": 1.0, "quantity": 1} for sku in skus],
    }


def _everything() -> list[dict[str, Any]]:
    return [
        schema("users"),
        *(record("users", user(i, city="Paris")) for i in range(3)),
        schema("events"),
        record(
            "events",
            {"email": "user0@example.com", "eventName": "order_shipped", "id": "o-1-shipped"},
        ),
        schema("purchases"),
        *(record("purchases", purchase(i)) for i in range(3)),
        schema("catalog_items"),
        record("catalog_items", {"itemId": "111", "value": {"name": "Mug", "price": 12.5}}),
        state({"bookmarks": {"orders": {"replication_key_value": "2026-01-01T00:00:00+00:00"}}}),
    ]


@pytest.fixture(params=["sqlite", "postgresql"])
def ledger_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'ledger.sqlite'}"
    url: str = request.getfixturevalue("postgres_url")
    return url


def test_a_rerun_sends_nothing_and_enters_no_journey(iterable, make_config, ledger_url) -> None:
    config = make_config(iterable, database_url=ledger_url)
    run_target(config, _everything())
    first_writes, first_journeys = _writes(iterable), iterable.emulator.journey_entries()
    assert _journeys(iterable)["purchase"] == {f"order-{i}": 1 for i in range(3)}
    assert _journeys(iterable)["customEvent:order_shipped"] == {"o-1-shipped": 1}

    rerun = run_target(config, _everything())

    assert _writes(iterable) == first_writes  # not one write request
    assert iterable.emulator.journey_entries() == first_journeys
    assert rerun.states[-1]["bookmarks"]["orders"], "the STATE still goes through"


def test_only_changed_fields_of_a_user_are_sent(iterable, make_config, ledger_url) -> None:
    config = make_config(iterable, database_url=ledger_url)
    run_target(config, [schema("users"), record("users", user(1, city="Paris", tier="gold"))])

    run_target(config, [schema("users"), record("users", user(1, city="Lyon", tier="gold"))])

    journeys = _journeys(iterable)
    assert journeys["userProfileUpdate:city"] == {"user1@example.com": 2}
    assert journeys["userProfileUpdate:tier"] == {"user1@example.com": 1}  # unchanged: not sent
    profile = iterable.emulator.user(email="user1@example.com")
    assert profile["dataFields"] == {"n": 1, "city": "Lyon", "tier": "gold"}


def test_a_purchase_is_tracked_once_unless_changed_purchases_may_be_resent(
    iterable, make_config, tmp_path: Path
) -> None:
    config = make_config(iterable)
    changed = {**purchase(1), "total": 20.0}
    run_target(config, [schema("purchases"), record("purchases", purchase(1))])
    run_target(config, [schema("purchases"), record("purchases", changed)])
    assert _journeys(iterable)["purchase"] == {"order-1": 1}
    assert iterable.emulator.purchases()[0]["total"] == 25.0

    resend = make_config(iterable, resend_changed_purchases=True)
    run_target(resend, [schema("purchases"), record("purchases", changed)])
    run_target(resend, [schema("purchases"), record("purchases", changed)])  # same content
    assert _journeys(iterable)["purchase"] == {"order-1": 2}
    assert iterable.emulator.purchases()[0]["total"] == 20.0


def test_a_cart_is_sent_once_per_content_and_never_after_its_purchase(
    iterable, make_config
) -> None:
    config = make_config(iterable)
    email = "user1@example.com"
    history = [schema("carts"), record("carts", _cart("c1", email, "a"))]
    history.append(record("carts", _cart("c1", email, "a", "b")))
    run_target(config, history)
    run_target(config, history)  # the cart's history read again
    assert _journeys(iterable)["shoppingCartUpdate"] == {email: 1}  # its last content, once

    bought = purchase(1)
    bought["dataFields"] = {"cartId": "c1"}
    late_cart = record("carts", _cart("c1", email, "a", "b", "c"))
    run_target(
        config, [schema("purchases"), record("purchases", bought), schema("carts"), late_cart]
    )

    assert _journeys(iterable)["shoppingCartUpdate"] == {email: 1}  # nothing after the purchase
    assert iterable.emulator.carts() == {}  # the purchase emptied it; nothing brought it back


def test_catalog_items_only_when_their_value_changed(iterable, make_config) -> None:
    config = make_config(iterable)
    item = {"itemId": "111", "value": {"name": "Mug", "price": 12.5}}
    run_target(config, [schema("catalog_items"), record("catalog_items", item)])
    run_target(config, [schema("catalog_items"), record("catalog_items", item)])
    changed = {"itemId": "111", "value": {"name": "Mug", "price": 10.0}}
    run_target(config, [schema("catalog_items"), record("catalog_items", changed)])

    assert iterable.emulator.write_counts("catalog_items") == {"products/111": 2}


def test_another_project_gets_everything(iterable, make_config) -> None:
    run_target(make_config(iterable), _everything())
    with running_iterable(api_key="another-project-key", rate_limits=FAST_LIMITS_EMULATOR) as other:
        # Same ledger file, another project: the ledger is scoped to the key's project.
        run_target(make_config(other), _everything())
        assert len(other.emulator.purchases()) == 3
        assert len(other.emulator.users()) == 3
    assert "sandbox-iterable-key" not in Path(make_config(iterable)["database_url"][10:]).read_text(
        errors="ignore"
    )


def test_a_refused_record_is_not_recorded_and_goes_again(iterable, make_config) -> None:
    config = make_config(iterable)
    bad = {"email": "user9@example.com", "eventName": "x", "id": "ev-of-unknown-user"}
    run_target(config, [schema("events"), record("events", bad)])  # no such user: refused
    run_target(
        config,
        [
            schema("users"),
            record("users", {"email": "user9@example.com"}),
            schema("events"),
            record("events", bad),
        ],
    )
    assert [e["id"] for e in iterable.emulator.events()] == ["ev-of-unknown-user"]


def test_history_before_the_cutoff_is_not_sent(iterable, make_config) -> None:
    config = make_config(iterable, historical_cutoff="2023-11-14T22:13:25Z")  # 1_700_000_005
    messages = [schema("users"), *(record("users", user(i)) for i in range(10))]
    messages += [schema("purchases"), *(record("purchases", purchase(i)) for i in range(10))]
    run_target(config, messages)

    assert sorted(_journeys(iterable)["purchase"]) == [f"order-{i}" for i in range(5, 10)]


def test_a_state_naming_another_ledger_stops_before_any_request(iterable, make_config) -> None:
    config = make_config(iterable)
    earlier = run_target(config, _everything()).marked_states[-1]
    assert earlier["bookmarks"][MARKER_BOOKMARK]["ledger_id"]
    writes = _writes(iterable)
    lost = {**config, "database_url": config["database_url"].replace("ledger", "new-ledger")}
    resumed = [state(earlier), *_everything()]

    with pytest.raises(LedgerLostError, match="database_url") as error:
        run_target(lost, resumed)
    assert "ledger_rebuild" in str(error.value)
    assert _writes(iterable) == writes

    rebuilt = run_target({**lost, "ledger_rebuild": True}, resumed)
    assert _writes(iterable) > writes  # told to: everything read is sent again
    assert (
        rebuilt.marked_states[-1]["bookmarks"][MARKER_BOOKMARK]["ledger_id"]
        != (earlier["bookmarks"][MARKER_BOOKMARK]["ledger_id"])
    )


def test_a_corrupt_ledger_stops_the_run_naming_the_setting(
    iterable, make_config, tmp_path: Path
) -> None:
    path = tmp_path / "corrupt.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    config = make_config(iterable, database_url=f"sqlite:///{path}")
    with pytest.raises(ConfigValidationError) as error:
        run_target(config, _everything())
    assert "database_url" in str(error.value.errors)
    assert iterable.emulator.request_log.entries() == []
    with pytest.raises(sqlite3.DatabaseError):
        sqlite3.connect(path).execute("select 1 from sqlite_master").fetchall()


def test_within_one_batch_an_event_id_and_a_carts_history_go_once(iterable, make_config) -> None:
    email = "user1@example.com"
    checkout = {"email": email, "eventName": "checkout_started", "id": "cart-c1-checkout"}
    carts = [_cart("c1", email, "a"), _cart("c1", email, "a", "b"), _cart("c1", email, "a", "b")]
    messages = [
        schema("users"),
        record("users", {"email": email}),
        schema("events"),
        *(record("events", {**checkout, "dataFields": {"n": n}}) for n in range(3)),
        schema("carts"),
        *(record("carts", cart) for cart in carts),
    ]
    config = make_config(iterable)
    run_target(config, messages)
    # The history read again in smaller batches: still nothing sent.
    run_target({**config, "batch_size_rows": 1}, messages)

    journeys = _journeys(iterable)
    assert journeys["customEvent:checkout_started"] == {"cart-c1-checkout": 1}
    assert journeys["shoppingCartUpdate"] == {email: 1}  # only the cart's last content
    assert [item["id"] for item in iterable.emulator.carts()[email]] == ["a", "b"]
