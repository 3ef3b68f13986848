"""Fault-free loading: every operation lands in the emulator with the minimum of requests."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from sandbox.iterable.testing import running_iterable

from .helpers import (
    DATA_DIR,
    FAST_LIMITS_EMULATOR,
    event,
    purchase,
    record,
    run_target,
    schema,
    state,
    user,
)


@pytest.mark.parametrize(("users", "events"), [(2500, 1001), (1000, 1)])
def test_bulk_requests_are_the_minimum(iterable, make_config, users: int, events: int) -> None:
    messages = [
        schema("users"),
        *(record("users", user(i)) for i in range(users)),
        schema("events"),
        *(record("events", event(i)) for i in range(events)),
        state({"bookmark": 1}),
    ]
    run = run_target(make_config(iterable), messages)

    counts = iterable.emulator.request_counts()
    assert counts["POST /api/users/bulkUpdate 200"] == math.ceil(users / 1000)
    assert counts["POST /api/events/trackBulk 200"] == math.ceil(events / 1000)
    assert len(counts) == 2, counts  # nothing else was called, nothing failed
    assert len(iterable.emulator.users()) == users
    assert len(iterable.emulator.events()) == events
    assert run.dead_letters == []
    assert run.states == [{"bookmark": 1}]  # once, though both the gate and the SDK write it


def test_requests_stay_under_4_mb(iterable, make_config) -> None:
    big = "x" * 9_000  # 1000 of these users are ~9 MB: at least 3 requests
    messages = [schema("users"), *(record("users", user(i, blob=big)) for i in range(1000))]
    run_target(make_config(iterable), messages)

    sizes = iterable.emulator.request_counts()["POST /api/users/bulkUpdate 200"]
    assert sizes == 3
    assert len(iterable.emulator.users()) == 1000


def test_fixture_of_every_operation(iterable, make_config) -> None:
    run = run_target(make_config(iterable), (DATA_DIR / "operations.singer").read_text())
    emulator = iterable.emulator

    assert run.dead_letters == []
    ada = emulator.user(email="ada@example.com")
    assert ada is not None
    assert ada["dataFields"]["firstName"] == "Ada"
    assert {e["id"] for e in emulator.events()} == {"evt-1"}
    assert [p["id"] for p in emulator.purchases()] == ["order-100"]
    assert emulator.catalogs() == ["products"]  # created on the first 404
    items = emulator.catalog_items("products")
    assert items["111"]["name"] == "Mug"
    assert items["112"]["price"] == 8.5  # the later record of item 112 won
    assert emulator.carts()["ada@example.com"][0]["id"] == "111"
    assert run.states == [{"bookmarks": {"orders": "2024-03-10T02:30:00+00:00"}}]


def test_purchase_profile_data_goes_through_bulk_update(iterable, make_config) -> None:
    with_profile = purchase(1)
    with_profile["user"]["dataFields"] = {"vip": True}
    run_target(make_config(iterable), [schema("purchases"), record("purchases", with_profile)])

    counts = iterable.emulator.request_counts()
    assert counts["POST /api/users/bulkUpdate 200"] == 1
    assert counts["POST /api/commerce/trackPurchase 200"] == 1
    assert iterable.emulator.user(email="user1@example.com")["dataFields"]["vip"] is True


def test_users_are_sent_before_their_events(iterable, make_config) -> None:
    # Events arrive first in the stream, but the emulator (like Iterable) refuses events of
    # unknown users: the target must send the buffered users before the events.
    messages = [
        schema("events"),
        *(record("events", event(i)) for i in range(5)),
        schema("users"),
        *(record("users", user(i)) for i in range(5)),
    ]
    run = run_target(make_config(iterable), messages)
    assert run.dead_letters == []
    assert len(iterable.emulator.events()) == 5


def test_stream_operations_maps_any_stream(iterable, make_config) -> None:
    config = make_config(iterable, stream_operations={"warehouse_customers": "users"})
    run_target(config, [schema("warehouse_customers"), record("warehouse_customers", user(7))])
    assert iterable.emulator.user(email="user7@example.com") is not None


@pytest.mark.parametrize("project_type", ["email", "user_id", "hybrid"])
def test_all_project_types(make_config, project_type: str, tmp_path: Path) -> None:
    identify = (
        (lambda i: {"email": f"user{i}@example.com"})
        if project_type == "email"
        else (lambda i: {"userId": f"bc-{i}"})
    )
    messages = [
        schema("users"),
        *(record("users", {**identify(i), "dataFields": {"n": i}}) for i in range(3)),
        schema("events"),
        *(
            record("events", {**identify(i), "eventName": "viewed", "id": f"e-{i}", "createdAt": 1})
            for i in range(3)
        ),
        schema("purchases"),
        *(
            record(
                "purchases",
                {
                    "id": f"order-{i}",
                    "user": identify(i),
                    "items": [{"id": "1", "name": "Mug", "price": 3.5, "quantity": 1}],
                    "total": 3.5,
                },
            )
            for i in range(3)
        ),
    ]
    with running_iterable(project_type=project_type, rate_limits=FAST_LIMITS_EMULATOR) as it:
        run = run_target(make_config(it), messages)
        assert run.dead_letters == []
        assert len(it.emulator.users()) == 3
        assert len(it.emulator.events()) == 3
        assert len(it.emulator.purchases()) == 3


def test_rerun_sends_nothing_iterable_already_has(iterable, make_config) -> None:
    messages = [
        schema("users"),
        *(record("users", user(i)) for i in range(10)),
        schema("events"),
        *(record("events", event(i)) for i in range(10)),
        schema("purchases"),
        *(record("purchases", purchase(i)) for i in range(10)),
    ]
    run_target(make_config(iterable), messages)
    journeys = iterable.emulator.journey_entries()["total"]
    requests = len(iterable.emulator.request_log.entries())

    run_target(make_config(iterable), messages)

    assert len(iterable.emulator.events()) == 10
    assert len(iterable.emulator.purchases()) == 10
    assert set(iterable.emulator.write_counts("events").values()) == {1}
    assert len(iterable.emulator.request_log.entries()) == requests  # no request at all
    assert iterable.emulator.journey_entries()["total"] == journeys


def test_user_deletions_go_last_and_tolerate_absent_users(iterable, make_config) -> None:
    messages = [
        schema("user_deletions"),
        record("user_deletions", {"email": "user1@example.com"}),
        record("user_deletions", {"email": "never-existed@example.com"}),
        schema("users"),
        *(record("users", user(i)) for i in range(3)),
    ]
    run = run_target(make_config(iterable), messages)

    assert run.dead_letters == []
    remaining = {u["email"] for u in iterable.emulator.users()}
    assert remaining == {"user0@example.com", "user2@example.com"}
    counts = iterable.emulator.request_counts()
    assert counts["DELETE /api/users/user1@example.com 200"] == 1


def test_two_streams_into_one_catalog(iterable, make_config) -> None:
    config = make_config(
        iterable, stream_operations={"products_a": "catalog_items", "products_b": "catalog_items"}
    )
    messages = [
        schema("products_a"),
        record("products_a", {"itemId": "1", "value": {"name": "A"}}),
        schema("products_b"),
        record("products_b", {"itemId": "2", "value": {"name": "B"}}),
    ]
    run = run_target(config, messages)
    assert run.dead_letters == []
    assert sorted(iterable.emulator.catalog_items("products")) == ["1", "2"]


def test_one_users_cart_updates_land_in_order(iterable, make_config) -> None:
    carts = [
        record(
            "carts",
            {
                "user": {"email": "user1@example.com"},
                "items": [{"id": str(n), "name": f"Item {n}", "price": 1.0, "quantity": 1}],
            },
        )
        for n in range(30)
    ]
    run_target(make_config(iterable, commerce_concurrency=8), [schema("carts"), *carts])
    assert [item["id"] for item in iterable.emulator.carts()["user1@example.com"]] == ["29"]
