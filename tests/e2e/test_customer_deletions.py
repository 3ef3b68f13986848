"""A customer with a purchase is deleted in BigCommerce: what Iterable shows per setting.

The setting is the mapper's `on_customer_deleted`.

The real CLIs, over HTTP: `tap-bigcommerce` reads the BigCommerce emulator and the webhook inbox
the receiver app fills from the emulator's deliveries; `map-bigcommerce-iterable | target-iterable`
load the Iterable emulator. The emulator deletes the customer as `DELETE /v3/customers` does and
sends `store/customer/deleted` (webhooks.v3.yml). The tap's output is taken once per phase (before
the deletion, the deletion, a later change of the customer's order) and loaded per setting into
its own Iterable project, mapper store and ledger; the deletion comes in a later run than the
customer's records (as it happens: the webhook arrives later), or, for `keep`, in the same run.

Effects asserted: `keep` leaves the user as it was; `flag` dates `bcDeleted` on the one user, who
keeps their purchases; `delete` leaves no user; `forget` leaves no user, and Iterable refuses the
later data about them (Swagger `forget`: "prevents future data collection"), dead-lettered.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce
from sandbox.common.server import serve_in_thread
from sandbox.iterable.testing import RunningIterable, running_iterable
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.app import DEFAULT_PATH, build_app
from tap_bigcommerce.webhooks.auth import WebhookAuthenticator
from tap_bigcommerce.webhooks.register import FOLLOW_SCOPES

BIN = Path(sys.executable).parent
HEADER, SECRET = "X-Webhook-Secret", "deletions-e2e-secret"
# Statuses a purchase is made of that can still move on (sandbox delta: _MOVABLE_STATUSES).
MOVABLE_STATUSES = {1, 2, 7, 9, 10, 11}
FAST_ITERABLE = {"users/bulkUpdate": 1000.0, "events/trackBulk": 1000.0}
FAST_TARGET = {"users_bulk_update": 1000.0, "events_track_bulk": 1000.0, "track_purchase": 1000.0}
TIMEOUT = 120


@dataclass(frozen=True)
class Phases:
    """The tap's output files: everything before the deletion, the deletion, a later change."""

    store_hash: str
    customer_id: int
    customer_email: str
    before: Path
    deletion: Path
    later: Path


def _tap(config: Path, state: dict[str, Any] | None, out: Path) -> dict[str, Any]:
    """Run `tap-bigcommerce`; its output goes to `out`; returns its last STATE."""
    argv = [str(BIN / "tap-bigcommerce"), "--config", str(config)]
    if state is not None:
        state_path = out.with_suffix(".state.json")
        state_path.write_text(json.dumps(state))
        argv += ["--state", str(state_path)]
    with out.open("w") as stdout:
        result = subprocess.run(
            argv, stdout=stdout, stderr=subprocess.PIPE, text=True, timeout=TIMEOUT, check=False
        )
    assert result.returncode == 0, result.stderr[-3000:]
    states = [m["value"] for m in _messages(out) if m["type"] == "STATE"]
    return states[-1]


def _messages(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _records(path: Path, stream: str) -> list[dict[str, Any]]:
    return [m["record"] for m in _messages(path) if m["type"] == "RECORD" and m["stream"] == stream]


def _a_customer_with_a_purchase(before: Path) -> tuple[int, str, int]:
    """(customer id, email, order id): a registered customer's order that is a purchase and can
    move on."""
    customers = {c["id"]: c["email"] for c in _records(before, "customers")}
    for order in _records(before, "orders"):
        if (
            order["customer_id"] in customers
            and order["status_id"] in MOVABLE_STATUSES
            and not order.get("is_archived")
        ):
            return order["customer_id"], customers[order["customer_id"]], order["id"]
    raise AssertionError("the generated store has no registered customer with a purchase")


def _change_order(bigcommerce: RunningBigCommerce, order_id: int) -> None:
    """The deleted customer's order moves on (BigCommerce keeps a deleted customer's orders)."""
    store = bigcommerce.emulator.store
    order = store.orders.require(order_id)
    newest = store.orders.newest_modified() or datetime.now(UTC)
    moment = max(datetime.now(UTC).replace(microsecond=0), newest + timedelta(seconds=1))
    store.orders.put(
        order_id,
        replace(
            order,
            status_id=2 if order.status_id != 2 else 10,
            date_shipped=order.date_shipped or moment,
            date_modified=moment,
        ),
    )


@pytest.fixture(scope="module")
def phases(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Phases]:
    folder = tmp_path_factory.mktemp("deletions")
    inbox = Inbox(f"sqlite:///{folder / 'inbox.sqlite'}")
    receiver = build_app(inbox, WebhookAuthenticator(header_name=HEADER, header_secret=SECRET))
    with (
        running_bigcommerce(orders=12, rate_limit_quota=100_000) as bigcommerce,
        serve_in_thread(receiver) as server,
    ):
        for scope in FOLLOW_SCOPES:  # what `tap-bigcommerce-webhooks register` subscribes
            bigcommerce.emulator.webhooks.create(
                {
                    "scope": scope,
                    "destination": f"{server.url}{DEFAULT_PATH}",
                    "headers": {HEADER: SECRET},
                },
                client_id="e2e",
            )
        config = folder / "tap.json"
        config.write_text(
            json.dumps(
                {
                    "store_hash": bigcommerce.store_hash,
                    "access_token": bigcommerce.access_token,
                    "api_url": bigcommerce.api_url,
                    "inbox_url": inbox.url,
                    "dead_letter_path": str(folder / "tap-letters.jsonl"),
                    "request_timeout": 5,
                }
            )
        )
        before = folder / "before.singer"
        state = _tap(config, None, before)
        customer_id, email, order_id = _a_customer_with_a_purchase(before)

        assert bigcommerce.emulator.delete_customers([customer_id]) == [customer_id]
        assert bigcommerce.emulator.webhooks.wait_idle(10)
        deletion = folder / "deletion.singer"
        state = _tap(config, state, deletion)

        _change_order(bigcommerce, order_id)
        later = folder / "later.singer"
        _tap(config, state, later)
        yield Phases(
            bigcommerce.store_hash, customer_id, email.strip().lower(), before, deletion, later
        )
    inbox.close()


@dataclass
class Project:
    """One Iterable project with its own mapper store and ledger, loaded phase by phase."""

    iterable: RunningIterable
    folder: Path
    identity_mode: str
    on_customer_deleted: str

    def load(self, *phases: Path) -> list[dict[str, Any]]:
        """`map-bigcommerce-iterable | target-iterable` on phases (one run, in order); the
        target's dead letters."""
        phase = self.folder / "input.singer"
        phase.write_text("".join(path.read_text() for path in phases))
        mapper = self._config("mapper", {
            "database_url": f"sqlite:///{self.folder / 'mapper.sqlite'}",
            "dead_letter_path": str(self.folder / "mapper-letters.jsonl"),
            "identity_mode": self.identity_mode,
            "on_customer_deleted": self.on_customer_deleted,
        })  # fmt: skip
        letters = self.folder / "target-letters.jsonl"
        letters.unlink(missing_ok=True)
        target = self._config("target", {
            "api_key": self.iterable.api_key,
            "api_url": self.iterable.api_url,
            "database_url": f"sqlite:///{self.folder / 'ledger.sqlite'}",
            "dead_letter_path": str(letters),
            "rate_limits": FAST_TARGET,
            "retry_initial_delay": 0.01,
            "retry_max_delay": 0.05,
        })  # fmt: skip
        mapper_log = self.folder / "mapper.log"
        with mapper_log.open("w") as mapper_stderr:
            mapping = subprocess.Popen(
                [
                    str(BIN / "map-bigcommerce-iterable"),
                    "--config",
                    str(mapper),
                    "--input",
                    str(phase),
                ],
                stdout=subprocess.PIPE,
                stderr=mapper_stderr,
            )
            loading = subprocess.run(
                [str(BIN / "target-iterable"), "--config", str(target)],
                stdin=mapping.stdout,
                capture_output=True,
                text=True,
                timeout=TIMEOUT,
                check=False,
            )
            assert mapping.stdout is not None
            mapping.stdout.close()  # a target that stopped early ends the mapper too
            assert mapping.wait(TIMEOUT) == 0, mapper_log.read_text()[-3000:]
        assert loading.returncode == 0, loading.stderr[-3000:]
        self.log = mapper_log.read_text() + loading.stderr
        return _messages(letters) if letters.exists() else []

    def _config(self, name: str, values: dict[str, Any]) -> Path:
        path = self.folder / f"{name}.json"
        path.write_text(json.dumps(values))
        return path

    def person(self, customer_id: int) -> list[dict[str, Any]]:
        """The Iterable users of a BigCommerce customer."""
        return [
            user
            for user in self.iterable.emulator.users()
            if user["dataFields"].get("bcCustomerId") == customer_id
        ]

    def purchases_of(self, phases: Phases) -> list[dict[str, Any]]:
        """The customer's purchases in Iterable."""
        if self.identity_mode == "user_id":
            key, value = "userId", f"bc-{phases.store_hash}-{phases.customer_id}"
        else:
            key, value = "email", phases.customer_email
        return [p for p in self.iterable.emulator.purchases() if p[key] == value]


# (on_customer_deleted, project type, whether the deletion comes in a later run).
SETTINGS = [
    ("keep", "email", False),
    ("flag", "hybrid", True),
    ("delete", "user_id", True),
    ("forget", "email", True),
]


@pytest.mark.parametrize(("on_customer_deleted", "identity_mode", "later_run"), SETTINGS)
def test_a_deleted_customer_in_iterable(
    phases: Phases, tmp_path: Path, on_customer_deleted: str, identity_mode: str, later_run: bool
) -> None:
    with running_iterable(project_type=identity_mode, rate_limits=FAST_ITERABLE) as iterable:
        project = Project(iterable, tmp_path, identity_mode, on_customer_deleted)
        if later_run:
            assert project.load(phases.before) == []
            (user,) = project.person(phases.customer_id)
            assert project.purchases_of(phases), "the customer's purchase reached Iterable"
            assert project.load(phases.deletion) == []
        else:
            assert project.load(phases.before, phases.deletion) == []
        after = project.person(phases.customer_id)
        assert f"customers deleted in BigCommerce {{'{on_customer_deleted}': 1}}" in project.log
        logged = f"Customer {phases.customer_id} of store {phases.store_hash} (person "
        assert logged in project.log
        assert phases.customer_email not in project.log  # ids only in logs

        if on_customer_deleted == "keep":
            (kept,) = after
            assert "bcDeleted" not in kept["dataFields"]
            assert kept["dataFields"]["ordersCount"] >= 1
            assert project.purchases_of(phases)
        elif on_customer_deleted == "flag":
            (flagged,) = after  # still one user
            assert flagged["dataFields"]["bcDeleted"] == _iterable_date(phases.deletion)
            unchanged = {k: v for k, v in flagged["dataFields"].items() if k != "bcDeleted"}
            assert unchanged == user["dataFields"]  # profile and lifetime value stay
            assert project.purchases_of(phases)
        else:
            assert after == []
            assert iterable.emulator.users() != []  # the other customers are there

        if on_customer_deleted == "forget":
            # The customer's order moves on: Iterable refuses what is about the forgotten user.
            letters = project.load(phases.later)
            assert project.person(phases.customer_id) == []
            assert letters
            assert all("forgotten" in json.dumps(letter).lower() for letter in letters)
            assert all(phases.customer_email in json.dumps(letter) for letter in letters)


def _iterable_date(deletion: Path) -> str:
    (record,) = _records(deletion, "customer_deletions")
    moment = datetime.fromisoformat(record["deleted_at"])
    return moment.strftime("%Y-%m-%d %H:%M:%S +00:00")
