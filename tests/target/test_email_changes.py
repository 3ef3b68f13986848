"""`email_changes` when Iterable holds a profile the mapper never saw at the new email.

The target in-process against the emulator of each project type. What each case rests on:
Iterable KB "Updating a User's Email Address or User ID" (217502386: updateEmail in email-based
projects, users/update by userId elsewhere), Swagger users/update 409 "Email/userId conflict",
KB "Project Types" (emails unique in email-based and hybrid projects, not in userID-based ones)
and KB "Merging User Profiles" (33744314673172: the source's purchases move to the destination,
whose own fields win; the source is deleted).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from sandbox.iterable.testing import running_iterable

from .helpers import FAST_LIMITS_EMULATOR, record, run_target, schema

MakeConfig = Callable[..., dict[str, Any]]
OLD, NEW = "ann@example.com", "ann.new@example.com"


def _purchase(purchase_id: str, user: dict[str, str]) -> dict[str, Any]:
    return {
        "id": purchase_id,
        "user": user,
        "items": [{"id": "1", "name": "Mug", "price": 10.0, "quantity": 1}],
        "total": 10.0,
    }


def _send(config: dict[str, Any], *records: tuple[str, dict[str, Any]]) -> list[dict[str, Any]]:
    messages = []
    for stream in dict.fromkeys(stream for stream, _ in records):
        messages.append(schema(stream))
    messages += [record(stream, value) for stream, value in records]
    return run_target(config, messages).dead_letters


@pytest.mark.parametrize(
    ("project_type", "customer", "change"),
    [
        ("email", {"email": OLD}, {"currentEmail": OLD, "newEmail": NEW}),
        ("hybrid", {"email": OLD, "dataFields": {"userId": "u1"}}, {"userId": "u1"}),
    ],
)
def test_a_profile_of_the_new_email_joins_the_customers(
    make_config: MakeConfig, project_type: str, customer: dict[str, Any], change: dict[str, Any]
) -> None:
    """Email-based: the new email is the person, whoever created it. Hybrid: a holder without a
    userId is a guest profile (e.g. from a signup form): merged, its purchase kept."""
    with running_iterable(project_type=project_type, rate_limits=FAST_LIMITS_EMULATOR) as it:
        config = make_config(it)
        guest = {"email": NEW, "dataFields": {"firstName": "Guest", "visits": 3}}
        customer = {
            **customer,
            "dataFields": {**customer.get("dataFields", {}), "firstName": "Ann"},
        }
        assert _send(config, ("users", customer), ("users", guest)) == []
        assert _send(config, ("purchases", _purchase("p-guest", {"email": NEW}))) == []

        record = {"currentEmail": OLD, "newEmail": NEW, **change}
        assert _send(config, ("email_changes", record)) == []

        (user,) = it.emulator.users()
        assert user["email"] == NEW
        assert user["dataFields"] == {"firstName": "Ann", "visits": 3}  # the customer's wins
        assert [p["email"] for p in it.emulator.purchases()] == [NEW]
        assert it.emulator.purchases()[0]["userId"] == user["userId"]


def test_hybrid_a_new_email_another_customer_holds_is_refused_as_iterable_says(
    make_config: MakeConfig,
) -> None:
    with running_iterable(project_type="hybrid", rate_limits=FAST_LIMITS_EMULATOR) as it:
        config = make_config(it)
        users = [
            {"email": OLD, "dataFields": {"userId": "u1"}},
            {"email": NEW, "dataFields": {"userId": "u2"}},  # another known user
        ]
        assert _send(config, *(("users", user) for user in users)) == []
        change = {"currentEmail": OLD, "newEmail": NEW, "userId": "u1"}
        (letter,) = _send(config, ("email_changes", change))
        assert letter["iterable_answer"]["status"] == 409
        assert "conflict" in letter["reason"]
        assert {u["userId"]: u["email"] for u in it.emulator.users()} == {"u1": OLD, "u2": NEW}


def test_user_id_a_guest_profile_is_merged_first_and_a_resent_change_is_harmless(
    make_config: MakeConfig,
) -> None:
    """UserID-based: emails are not unique, Iterable refuses nothing; `mergeFrom` joins them."""
    with running_iterable(project_type="user_id", rate_limits=FAST_LIMITS_EMULATOR) as it:
        config = make_config(it)
        users = [
            {"userId": "u1", "dataFields": {"email": OLD}},
            {"userId": "g1", "dataFields": {"email": NEW}},
        ]
        assert _send(config, *(("users", user) for user in users)) == []
        assert _send(config, ("purchases", _purchase("p-guest", {"userId": "g1"}))) == []
        change = {
            "currentEmail": OLD,
            "newEmail": NEW,
            "userId": "u1",
            "mergeFrom": {"userId": "g1"},
        }
        for _ in range(2):  # a re-run sends it again: the merged guest "does not exist" any more
            assert _send(config, ("email_changes", change)) == []
            (user,) = it.emulator.users()
            assert (user["userId"], user["email"]) == ("u1", NEW)
            assert [p["userId"] for p in it.emulator.purchases()] == ["u1"]
