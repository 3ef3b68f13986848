"""The CLI: settings documented and checked at start, STATE ordering, clear errors on bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from map_bigcommerce_iterable.mapper import BigCommerceToIterableMapper
from map_bigcommerce_iterable.settings import CONFIG_JSONSCHEMA
from target_iterable.contract.dead_letters import read_dead_letters
from target_iterable.contract.state_marker import MARKER_BOOKMARK

from . import records as r
from .helpers import parse, records, run_in_process

EXECUTABLE = Path(sys.executable).parent / "map-bigcommerce-iterable"


def test_about_markdown_documents_every_setting() -> None:
    result = subprocess.run(
        [str(EXECUTABLE), "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
    )
    for setting, schema in CONFIG_JSONSCHEMA["properties"].items():
        assert f"| {setting} |" in result.stdout
        assert schema.get("description"), f"{setting} has no description"


@pytest.mark.parametrize(
    ("config", "key"),
    [
        ({"identity_mode": "phone"}, "identity_mode"),
        ({"user_id_template": "bc-{store_hash}"}, "user_id_template"),
        ({"user_id_template": "bc-{customer_id}-{region}"}, "user_id_template"),
        ({"guest_user_id_template": "guest"}, "guest_user_id_template"),
        ({"item_id_template": "{store_hash}_{product_id}"}, "item_id_template"),
        ({"reporting_currency": "usd"}, "reporting_currency"),
        ({"ownership_overrides": {"firstName": "shopify"}}, "ownership_overrides.firstName"),
        ({"event_names": {"order_teleported": "x"}}, "event_names"),
        ({"purchase_status_ids": ["shipped"]}, "purchase_status_ids"),
        ({"identity_scope": "per_store"}, "identity_scope"),
    ],
)
def test_invalid_settings_fail_at_start_naming_the_key(
    config: dict[str, Any], key: str, tmp_path: Path
) -> None:
    config = {"database_url": f"sqlite:///{tmp_path / 's.sqlite'}", **config}
    with pytest.raises(ConfigValidationError) as failure:
        BigCommerceToIterableMapper(config=config)
    described = f"{failure.value} {failure.value.errors}"
    assert key.split(".", maxsplit=1)[0] in described


def test_cli_rejects_bad_config_before_reading_input(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"identity_mode": "phone"}))
    result = subprocess.run(
        [str(EXECUTABLE), "--config", str(config)],
        input="",
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "identity_mode" in result.stderr
    assert result.stdout == ""


def test_state_follows_what_it_covers_users_first(tmp_path: Path) -> None:
    value = {
        "bookmarks": {"orders": {"replication_key_value": "2024-02-01T12:00:00+00:00"}},
        "exact": Decimal("0.1000000000000000055511151231257827"),
    }
    lines = run_in_process(
        r.messages(
            ("customers", r.customer(1, "a@example.com")),
            r.state({"bookmarks": {"customers": {}}}),
            ("orders", r.order(1, customer_id=1)),
            r.state(value),
            ("orders", r.order(2, email="b@example.com")),
        ),
        {"database_url": f"sqlite:///{tmp_path / 's.sqlite'}", "state_interval_seconds": 0},
    )
    kinds = [(m["type"], m.get("stream")) for m in parse(lines) if m["type"] != "SCHEMA"]
    first_state = kinds.index(("STATE", None))
    assert ("RECORD", "users") in kinds[:first_state]  # the customer, before its bookmark
    second_state = kinds.index(("STATE", None), first_state + 1)
    # Each checkpoint: its users first (order 1's buyer with fresh LTV), then its events and
    # purchases, then the STATE; so Iterable knows every user before their events arrive.
    checkpoint = [stream for _, stream in kinds[first_state + 1 : second_state]]
    assert checkpoint[0] == "users"
    assert {"purchases", "events"} <= set(checkpoint)
    assert checkpoint.index("purchases") > max(i for i, s in enumerate(checkpoint) if s == "users")
    rest = [stream for _, stream in kinds[second_state + 1 :] if stream]
    assert rest[0] == "users"
    assert rest.count("users") == 1
    states = [line for line in lines if line.startswith('{"type":"STATE"')]
    forwarded = json.loads(states[1], parse_float=Decimal)["value"]
    # Forwarded as received (exact decimals too), plus the store's id for the next run's check.
    assert forwarded["bookmarks"].pop(MARKER_BOOKMARK)["store_id"]
    assert forwarded == value


def test_bad_record_is_dead_lettered_naming_stream_and_field(tmp_path: Path) -> None:
    bad = r.order(1, email="a@example.com")
    bad["total_inc_tax"] = "twelve"
    missing = r.customer(1, "a@example.com")
    del missing["store_hash"]
    letters = tmp_path / "dead-letters.jsonl"
    lines = run_in_process(
        r.messages(("orders", bad), ("customers", missing)),
        {"database_url": f"sqlite:///{tmp_path}/s", "dead_letter_path": str(letters)},
    )
    assert lines == []
    reasons = [(e["stream"], e["field"], e["reason"]) for e in read_dead_letters(letters)]
    assert reasons[0][:2] == ("orders", "total_inc_tax")
    assert reasons[0][2].startswith("orders.total_inc_tax: expected a number, got 'twelve'")
    assert reasons[1][:2] == ("customers", "store_hash")
    assert "customers record 1: missing field store_hash" in reasons[1][2]


def test_unknown_streams_and_activate_version_are_not_forwarded(tmp_path: Path) -> None:
    lines = run_in_process(
        [
            *r.messages(("pages", {"id": 1, "store_hash": "store1"})),
            {"type": "ACTIVATE_VERSION", "stream": "orders", "version": 1},
        ],
        {"database_url": f"sqlite:///{tmp_path / 's.sqlite'}"},
    )
    assert lines == []


def test_user_buffer_is_bounded(tmp_path: Path) -> None:
    customers = [("customers", r.customer(i, f"c{i}@example.com")) for i in range(1, 8)]
    again = (
        "customers",
        r.customer(1, "c1@example.com", date_modified="2024-06-01T00:00:00+00:00"),
    )
    small, large = (
        run_in_process(
            r.messages(*customers, again),
            {"database_url": f"sqlite:///{tmp_path / f's{size}.sqlite'}", "user_buffer_size": size},
        )
        for size in (3, 100)
    )

    # With room for everyone, c1's two updates collapse; with 3, c1 was flushed before the second.
    def c1_users(lines: list[str]) -> int:
        return sum(record.get("email") == "c1@example.com" for record in records(lines, "users"))

    assert c1_users(large) == 1
    assert c1_users(small) == 2


def test_catalog_items_stay_under_30_kb(tmp_path: Path) -> None:
    product = r.product(1, "Big", "10.00")
    product["variants"] = [{"id": i, "sku": f"V-{i:04d}-" + "x" * 40} for i in range(400)]
    product["custom_fields"] = [{"id": i, "name": f"f{i}", "value": "y" * 200} for i in range(200)]
    lines = run_in_process(
        r.messages(("store_settings", r.store_settings()), ("products", product)),
        {"database_url": f"sqlite:///{tmp_path / 's.sqlite'}"},
    )
    item = next(m["record"] for m in map(json.loads, lines) if m["type"] == "RECORD")
    assert len(json.dumps(item["value"]).encode()) <= 30_000
    assert item["value"]["name"] == "Big"
    assert item["value"]["variantCount"] == 400


def test_states_are_held_so_one_person_is_one_record(tmp_path: Path) -> None:
    """By default a STATE is held (the latest wins) and forwarded after the users it covers."""
    lines = run_in_process(
        r.messages(
            ("customers", r.customer(1, "a@example.com")),
            r.state({"bookmarks": {"customers": {"v": 1}}}),
            ("subscribers", r.subscriber(1, "A@example.com")),
            r.state({"bookmarks": {"customers": {"v": 1}, "subscribers": {"v": 2}}}),
            ("orders", r.order(1, customer_id=1)),
            r.state({"bookmarks": {"orders": {"v": 3}}}),
        ),
        {"database_url": f"sqlite:///{tmp_path / 's.sqlite'}"},
    )
    messages = [m for m in parse(lines) if m["type"] != "SCHEMA"]
    users = [m for m in messages if m.get("stream") == "users"]
    assert len(users) == 1
    fields = users[0]["record"]["dataFields"]
    assert fields["firstName"] == "Ann"
    assert fields["newsletterSubscriber"] is True
    assert fields["ordersCount"] == 1
    assert messages[-1] == {"type": "STATE", "value": {"bookmarks": {"orders": {"v": 3}}}}
    assert [m["type"] for m in messages].count("STATE") == 1
