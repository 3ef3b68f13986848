"""A customer who changes their email stays one Iterable user.

Mapper and target run in this process against the emulator, twice (a later run sees the new
email). Rests on Iterable's Swagger `users/updateEmail` ("All profile data and events will be
migrated"; an error if the new email exists) and KB "Merging User Profiles" (users/merge).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from sandbox.iterable.testing import RunningIterable, running_iterable

from . import records as r
from .helpers import load_into_iterable, run_in_process

OLD, NEW = "ann@example.com", "ann.new@example.com"


def _run(
    iterable: RunningIterable, folder: Path, *items: tuple[str, dict[str, Any]], mode: str = "email"
) -> None:
    config = {"database_url": f"sqlite:///{folder / 'mapper.sqlite'}", "identity_mode": mode}
    lines = run_in_process(r.messages(*items, r.state({"bookmarks": {}})), config)
    assert load_into_iterable(lines, iterable.api_url, iterable.api_key, folder) == []


def _changed(email: str) -> dict[str, Any]:
    return r.customer(1, email, date_modified="2024-03-01T09:00:00+00:00")


@pytest.mark.parametrize("guest_at_new_address", [False, True])
def test_an_email_change_keeps_one_user_with_all_purchases(
    tmp_path: Path, guest_at_new_address: bool
) -> None:
    with running_iterable(project_type="email") as iterable:
        _run(
            iterable,
            tmp_path,
            ("customers", r.customer(1, OLD)),
            ("orders", r.order(1, customer_id=1, email=OLD, total="30.00")),
        )
        if guest_at_new_address:  # the new address already has a profile in Iterable
            iterable.emulator.state.create_user(NEW, None)
        _run(
            iterable,
            tmp_path,
            ("customers", _changed(NEW)),
            (
                "orders",
                r.order(
                    2,
                    customer_id=1,
                    email=NEW,
                    total="12.50",
                    date_created="2024-03-02T12:00:00+00:00",
                ),
            ),
        )

        (user,) = iterable.emulator.users()
        assert user["email"] == NEW
        assert user["dataFields"]["firstName"] == "Ann"
        assert user["dataFields"]["ordersCount"] == 2
        assert user["dataFields"]["totalSpent"] == 42.5
        assert {p["id"]: p["email"] for p in iterable.emulator.purchases()} == {
            "store1-1": NEW,
            "store1-2": NEW,
        }
        assert {e["email"] for e in iterable.emulator.events()} == {NEW}


@pytest.mark.parametrize("mode", ["email", "user_id", "hybrid"])
def test_a_change_back_across_runs_is_one_user_too(tmp_path: Path, mode: str) -> None:
    """A -> B -> A over three runs, an order under each email (userID-based and hybrid projects
    move the email with users/update by userId: Iterable KB 217502386)."""
    with running_iterable(project_type=mode) as iterable:
        for number, (email, modified) in enumerate(
            [(OLD, "2024-01-05T09:00:00+00:00"), (NEW, "2024-03-01T09:00:00+00:00"),
             (OLD, "2024-04-01T09:00:00+00:00")],
            start=1,
        ):  # fmt: skip
            order = r.order(
                number, customer_id=1, email=email, total="10.01", date_created=modified
            )
            customer = r.customer(1, email, date_modified=modified)
            _run(iterable, tmp_path, ("customers", customer), ("orders", order), mode=mode)
        (user,) = iterable.emulator.users()
        assert user["email"] == OLD
        assert user["userId"] == (None if mode == "email" else "bc-store1-1")
        landed = {(p["email"], p["userId"]) for p in iterable.emulator.purchases()}
        assert landed == {(OLD, user["userId"])}
        assert len(iterable.emulator.purchases()) == 3
        assert user["dataFields"]["totalSpent"] == 30.03
