"""One person, one Iterable user, whatever happens to them in BigCommerce, in each project type.

The real `map-bigcommerce-iterable | target-iterable` console scripts, piped (the reliability
suite's `Pipeline`, mapper reading a file instead of a tap), load two runs into the Iterable
emulator of each project type (email-based, userID-based, hybrid; the three run side by side).
Each person below lives one story; the tests then read what a marketer would see: how many
Iterable users the person is, which user each purchase landed on, and the lifetime value.

What the expected effects rest on (see transforms/README.md, "What reaches Iterable"):
- Iterable KB "Updating a User's Email Address or User ID" (217502386): email-based projects move
  an email with `users/updateEmail`, userID-based and hybrid ones with `users/update` by `userId`
  with `dataFields.email`;
- KB "Project Types and Unique Identifiers" (9216719179796): emails are unique in email-based and
  hybrid projects, so the emulator refuses a change onto a held email (409, Swagger users/update);
- KB "Merging User Profiles" (33744314673172): `users/merge` moves the source's events and
  purchases to the destination and deletes the source.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from reliability.pipeline import Pipeline, PipelineConfigs, dead_letters
from target.helpers import FAST_LIMITS_EMULATOR, FAST_LIMITS_TARGET

from sandbox.iterable.testing import RunningIterable, running_iterable

from . import records as r

MODES = ("email", "user_id", "hybrid")
STORE2 = "store2"
LATER = "2024-03-01T09:00:00+00:00"  # the date of every second-run customer change
LATEST = "2024-04-01T09:00:00+00:00"  # a change after that


@dataclass(frozen=True)
class Person:
    """One story: what BigCommerce says about someone in each run, and what Iterable must show."""

    name: str
    runs: tuple[list[tuple[str, dict[str, Any]]], ...]
    final_email: str
    purchases: tuple[str, ...]  # purchase ids in Iterable
    lifetime_value: str  # totalSpent, to the cent
    customer_user_id: str | None = None  # the userId of a registered customer (hybrid, user_id)
    emails: tuple[str, ...] = ()  # every email the person ever had
    user_ids: tuple[str, ...] = ()  # other userIds it could have had (another store's customer)


def _order(
    order_id: int,
    email: str,
    total: str,
    *,
    customer_id: int = 0,
    date_created: str = "2024-02-01T12:00:00+00:00",
    **extra: Any,
) -> tuple[str, dict[str, Any]]:
    order = r.order(
        order_id, customer_id=customer_id, email=email, total=total, date_created=date_created,
        **extra,
    )  # fmt: skip
    return ("orders", order)


def _customer(
    customer_id: int, email: str, modified: str = "2024-01-05T09:00:00+00:00", **extra: Any
) -> tuple[str, dict[str, Any]]:
    return ("customers", r.customer(customer_id, email, date_modified=modified, **extra))


PEOPLE = (
    Person(
        "email change",
        (
            [
                _customer(1, "chg.old@example.com"),
                _order(101, "chg.old@example.com", "30.00", customer_id=1),
            ],
            [
                _customer(1, "chg.new@example.com", LATER),
                _order(102, "chg.new@example.com", "12.50", customer_id=1, date_created=LATER),
            ],
        ),
        final_email="chg.new@example.com",
        purchases=("store1-101", "store1-102"),
        lifetime_value="42.50",
        customer_user_id="bc-store1-1",
        emails=("chg.old@example.com", "chg.new@example.com"),
    ),
    Person(
        "change back",
        (
            [
                _customer(2, "back.a@example.com"),
                _order(201, "back.a@example.com", "10.00", customer_id=2),
            ],
            [  # to B, an order, and back, in one run (as webhooks in follow mode interleave)
                _customer(2, "back.b@example.com", LATER),
                _order(202, "back.b@example.com", "20.00", customer_id=2, date_created=LATER),
                _customer(2, "back.a@example.com", LATEST),
                _order(203, "back.a@example.com", "5.25", customer_id=2, date_created=LATEST),
            ],
        ),
        final_email="back.a@example.com",
        purchases=("store1-201", "store1-202", "store1-203"),
        lifetime_value="35.25",
        customer_user_id="bc-store1-2",
        emails=("back.a@example.com", "back.b@example.com"),
    ),
    Person(
        "change to an address a guest already used",
        (
            [
                _customer(3, "cust.c@example.com"),
                _order(301, "cust.c@example.com", "40.00", customer_id=3),
                _order(302, "guest.c@example.com", "15.99"),  # a guest order, same human
            ],
            [
                _customer(3, "guest.c@example.com", LATER),
                _order(303, "guest.c@example.com", "4.01", customer_id=3, date_created=LATER),
            ],
        ),
        final_email="guest.c@example.com",
        purchases=("store1-301", "store1-302", "store1-303"),
        lifetime_value="60.00",
        customer_user_id="bc-store1-3",
        emails=("cust.c@example.com", "guest.c@example.com"),
    ),
    Person(
        "guest then registered",
        (
            [_order(401, "reg.d@example.com", "25.00")],
            [
                _customer(4, "reg.d@example.com", LATER, date_created=LATER),
                _order(402, "reg.d@example.com", "7.50", customer_id=4, date_created=LATER),
            ],
        ),
        final_email="reg.d@example.com",
        purchases=("store1-401", "store1-402"),
        lifetime_value="32.50",
        customer_user_id="bc-store1-4",
        emails=("reg.d@example.com",),
    ),
    Person(
        "registered then guest checkout",
        (
            [
                _customer(5, "both.e@example.com"),
                _order(501, "both.e@example.com", "9.99", customer_id=5),
            ],
            [_order(502, "both.e@example.com", "10.01", date_created=LATER)],  # checks out as guest
        ),
        final_email="both.e@example.com",
        purchases=("store1-501", "store1-502"),
        lifetime_value="20.00",
        customer_user_id="bc-store1-5",
        emails=("both.e@example.com",),
    ),
    Person(
        "two stores, unified",
        (
            [
                _customer(6, "two.f@example.com"),
                _customer(60, "two.f@example.com", store_hash=STORE2),
                _order(601, "two.f@example.com", "11.00", customer_id=6),
                _order(602, "two.f@example.com", "22.00", customer_id=60, store_hash=STORE2),
            ],
            [],
        ),
        final_email="two.f@example.com",
        purchases=("store1-601", "store2-602"),
        lifetime_value="33.00",
        customer_user_id="bc-store1-6",  # the first store's: the first userId given sticks
        emails=("two.f@example.com",),
        user_ids=("bc-store2-60",),
    ),
)
RUNS = 2


@dataclass
class Project:
    """What one project type's emulator holds after the runs."""

    mode: str
    users: list[dict[str, Any]]
    purchases: list[dict[str, Any]]
    letters: list[dict[str, Any]]


def _run_input(run: int) -> list[dict[str, Any]]:
    """One run's input: each person's records in story order, as a follow-mode tap sends them."""
    items = [item for person in PEOPLE for item in person.runs[run]]
    facts = [("store_settings", r.store_settings()), ("store_settings", r.store_settings(STORE2))]
    return r.messages(*facts, *items, r.state({"bookmarks": {"run": run}}))


def _load_runs(mode: str, workdir: Path) -> Project:
    with running_iterable(project_type=mode, rate_limits=FAST_LIMITS_EMULATOR) as iterable:
        pipeline = Pipeline(workdir, _configs(workdir, iterable, mode))
        for run in range(RUNS):
            mapper_input = workdir / f"input-{run}.singer"
            r.write_singer(mapper_input, _run_input(run))
            result = pipeline.run(mapper_input=mapper_input)
            assert result.ok, result.describe()
        emulator = iterable.emulator
        return Project(mode, emulator.users(), emulator.purchases(), dead_letters(workdir))


def _configs(workdir: Path, iterable: RunningIterable, mode: str) -> PipelineConfigs:
    letters = workdir / "dead-letters"
    return PipelineConfigs(
        tap={},  # no tap: the mapper reads each run's file
        mapper={
            "identity_mode": mode,
            "database_url": f"sqlite:///{workdir / 'mapper.sqlite'}",
            "dead_letter_path": str(letters / "mapper-{run_id}.jsonl"),
        },
        target={
            "api_key": iterable.api_key,
            "api_url": iterable.api_url,
            "dead_letter_path": str(letters / "target-{run_id}.jsonl"),
            "database_url": f"sqlite:///{workdir / 'ledger.sqlite'}",
            "rate_limits": FAST_LIMITS_TARGET,
        },
    )


@pytest.fixture(scope="module")
def projects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Project]]:
    """The three project types loaded side by side, two runs each (each its own emulator,
    mapper store and target ledger)."""
    root = tmp_path_factory.mktemp("one-user-per-person")
    with ThreadPoolExecutor(max_workers=len(MODES)) as pool:
        futures = {mode: pool.submit(_load_runs, mode, root / mode) for mode in MODES}
        yield {mode: future.result() for mode, future in futures.items()}


def _profiles_of(person: Person, project: Project) -> list[dict[str, Any]]:
    """Every Iterable user carrying one of the person's identifiers."""
    user_ids = {person.customer_user_id, *person.user_ids} - {None}
    return [
        user
        for user in project.users
        if user["email"] in person.emails or user["userId"] in user_ids
    ]


@pytest.mark.parametrize("mode", MODES)
def test_nothing_is_refused_and_each_person_is_one_user(
    projects: dict[str, Project], mode: str
) -> None:
    project = projects[mode]
    assert project.letters == []
    assert len(project.users) == len(PEOPLE), json.dumps(project.users, indent=1)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("person", PEOPLE, ids=[person.name for person in PEOPLE])
def test_one_user_with_every_purchase_and_the_lifetime_value(
    projects: dict[str, Project], mode: str, person: Person
) -> None:
    project = projects[mode]
    (user,) = _profiles_of(person, project)
    assert user["email"] == person.final_email
    if mode == "email":
        assert user["userId"] is None
    elif mode == "hybrid" or person.name != "guest then registered":
        assert user["userId"] == person.customer_user_id
    else:  # userID-based: the guest's userId was in Iterable first, and it sticks
        assert user["userId"].startswith("bc-guest-")

    landed = {p["id"]: (p["email"], p["userId"]) for p in project.purchases}
    assert {pid: landed.get(pid) for pid in person.purchases} == dict.fromkeys(
        person.purchases, (user["email"], user["userId"])
    )
    fields = user["dataFields"]
    assert Decimal(str(fields["totalSpent"])) == Decimal(person.lifetime_value)
    assert fields["ordersCount"] == len(person.purchases)
    totals = sum(Decimal(str(p["total"])) for p in project.purchases if p["id"] in person.purchases)
    assert totals == Decimal(person.lifetime_value)
