"""One person, one Iterable user: email variants, guests and registration across runs,
two stores."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from map_bigcommerce_iterable.store import StoreMismatchError
from target_iterable.contract.dead_letters import read_dead_letters

from . import records as r
from .helpers import records, run_in_process, validate_output


@pytest.fixture
def database(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'store.sqlite'}"


def run(config: dict[str, Any], *items: tuple[str, dict] | dict) -> list[str]:
    lines = run_in_process(r.messages(*items, r.state({"bookmarks": {}})), config)
    validate_output(lines)
    return lines


def keys(lines: list[str], stream: str) -> list[dict[str, str]]:
    def key(record: dict[str, Any]) -> dict[str, str]:
        source = record.get("user", record)
        return {k: source[k] for k in ("email", "userId") if k in source}

    return [key(record) for record in records(lines, stream)]


@pytest.mark.parametrize(
    "variant", ["ann@example.com", "ANN@EXAMPLE.COM", "  Ann@Example.com\t", "\nann@example.COM "]
)
def test_email_variants_are_one_person(database: str, variant: str) -> None:
    lines = run(
        {"database_url": database},
        ("customers", r.customer(1, "Ann@example.com")),
        ("orders", r.order(1, email=variant)),
    )
    assert keys(lines, "users") == [{"email": "ann@example.com"}]
    assert keys(lines, "purchases") == [{"email": "ann@example.com"}]


@pytest.mark.parametrize("mode", ["email", "user_id", "hybrid"])
def test_guest_then_registration_across_runs(database: str, mode: str) -> None:
    config = {"database_url": database, "identity_mode": mode}
    guest_run = run(config, ("orders", r.order(1, email="Bo@example.com", total="10")))
    registered_run = run(
        config,
        # Registered after the guest order (newest wins per field, across runs too).
        (
            "customers",
            r.customer(
                7,
                "bo@EXAMPLE.com",
                first_name="Bo",
                date_created="2024-03-01T00:00:00+00:00",
                date_modified="2024-03-01T00:00:00+00:00",
            ),
        ),
        ("orders", r.order(2, customer_id=7, total="5")),
    )
    guest_key = keys(guest_run, "purchases")[0]
    users = records(registered_run, "users")
    assert len(users) == 1
    # The same Iterable user before and after registering, and the ledger carries over.
    assert keys(registered_run, "purchases") == [guest_key]
    assert users[0]["dataFields"]["ordersCount"] == 2
    assert users[0]["dataFields"]["customerType"] == "registered"
    if mode == "hybrid":
        assert users[0]["dataFields"]["userId"] == "bc-store1-7"
    if mode == "user_id":
        assert guest_key["userId"].startswith("bc-guest-")


@pytest.mark.parametrize("mode", ["email", "user_id", "hybrid"])
def test_registration_then_guest_order_in_a_later_run(database: str, mode: str) -> None:
    config = {"database_url": database, "identity_mode": mode}
    first = run(config, ("customers", r.customer(7, "bo@example.com")))
    later = run(config, ("orders", r.order(3, email=" BO@example.com", total="12.5")))
    assert keys(later, "purchases") == keys(first, "users")
    assert records(later, "users")[0]["dataFields"]["ordersCount"] == 1
    expected = {"email": "bo@example.com"} if mode != "user_id" else {"userId": "bc-store1-7"}
    assert keys(first, "users") == [expected]


def test_guest_user_ids_are_stable_and_valid(database: str) -> None:
    config = {"database_url": database, "identity_mode": "user_id"}
    one = run(config, ("orders", r.order(1, email="x.y@example.com")))
    two = run(config, ("orders", r.order(2, email="X.Y@Example.com ")))
    assert keys(one, "purchases") == keys(two, "purchases")
    user_id = keys(one, "purchases")[0]["userId"]
    assert 1 <= len(user_id) <= 52
    assert user_id.isascii()
    assert user_id.isprintable()


def test_guest_without_email_is_skipped_not_invented(database: str) -> None:
    for mode in ("email", "user_id", "hybrid"):
        lines = run(
            {"database_url": f"{database}-{mode}", "identity_mode": mode},
            ("orders", r.order(1, email="")),
            ("orders", r.order(2, email="not-an-email")),
        )
        assert records(lines, "purchases") == []
        assert records(lines, "users") == []


def test_two_stores_unified_is_one_user(database: str) -> None:
    config = {"database_url": database, "identity_mode": "user_id"}
    lines = run(
        config,
        ("customers", r.customer(1, "ann@example.com")),
        ("customers", r.customer(9, "ANN@example.com", store_hash="store2")),
        ("orders", r.order(1, customer_id=1)),
        ("orders", r.order(1, customer_id=9, store_hash="store2")),
    )
    assert keys(lines, "users") == [{"userId": "bc-store1-1"}]
    assert keys(lines, "purchases") == [{"userId": "bc-store1-1"}] * 2
    assert [p["id"] for p in records(lines, "purchases")] == ["store1-1", "store2-1"]


def test_two_stores_separated_are_two_users(database: str) -> None:
    config = {"database_url": database, "identity_mode": "user_id", "identity_scope": "per_store"}
    lines = run(
        config,
        ("orders", r.order(1, email="ann@example.com")),
        ("orders", r.order(1, email="ann@example.com", store_hash="store2")),
    )
    user_ids = [k["userId"] for k in keys(lines, "users")]
    assert len(set(user_ids)) == 2
    assert {u["dataFields"]["storeHash"] for u in records(lines, "users")} == {"store1", "store2"}


def test_every_user_event_and_purchase_carries_its_store(database: str) -> None:
    lines = run(
        {"database_url": database},
        ("store_settings", r.store_settings("store2", currency="EUR", locale="fr")),
        ("orders", r.order(1, email="a@example.com", currency_code="EUR", store_hash="store2")),
    )
    user = records(lines, "users")[0]["dataFields"]
    purchase = records(lines, "purchases")[0]["dataFields"]
    event = records(lines, "events")[0]["dataFields"]
    assert (user["storeHash"], user["currency"], user["locale"]) == ("store2", "EUR", "fr")
    assert (purchase["storeHash"], purchase["currencyCode"], purchase["locale"]) == (
        "store2",
        "EUR",
        "fr",
    )
    assert (event["storeHash"], event["currencyCode"]) == ("store2", "EUR")


def test_store_built_for_another_identity_mode_is_refused(database: str) -> None:
    run({"database_url": database, "identity_mode": "email"}, ("customers", r.customer(1, "a@b.c")))
    with pytest.raises(StoreMismatchError, match="identity_mode"):
        run({"database_url": database, "identity_mode": "user_id"})


def test_per_store_scope_needs_user_id_mode(database: str) -> None:
    with pytest.raises(ConfigValidationError, match="identity_scope"):
        run({"database_url": database, "identity_scope": "per_store"})


def test_a_user_id_over_52_characters_is_dead_lettered_naming_the_template(
    database: str, tmp_path: Path
) -> None:
    letters = tmp_path / "dead-letters.jsonl"
    config = {
        "database_url": database,
        "identity_mode": "user_id",
        "dead_letter_path": str(letters),
    }
    long_store = "s" * 60
    lines = run(config, ("customers", r.customer(1, "a@example.com", store_hash=long_store)))
    assert records(lines, "users") == []
    [letter] = read_dead_letters(letters)
    assert "user_id_template" in letter["reason"]
