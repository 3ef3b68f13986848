"""`meltano run` in follow mode: changes in BigCommerce reach Iterable in seconds; SIGTERM stops
it cleanly; a restart loses nothing and duplicates nothing.

Everything is real: the receiver (`tap-bigcommerce-webhooks serve`) and `meltano run` are
processes, the emulator delivers its webhooks over loopback HTTP, and what reached Iterable is read
from the Iterable emulator's inspection API, with a deadline (no fixed sleeps).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
import requests

from map_bigcommerce_iterable.settings import DEFAULT_PURCHASE_STATUS_IDS
from sandbox.common.server import free_port, wait_for_port
from tap_bigcommerce.webhooks import cli as webhooks_cli

from .conftest import REPO_ROOT, Pipeline

pytestmark = pytest.mark.e2e

SECRET = "e2e-follow-webhook-secret"
FOLLOW_PIPELINE = ("tap-bigcommerce", "map-bigcommerce-iterable-follow", "target-iterable")
# Seconds within which a change must reach Iterable here. The benchmark measures the latency
# (benchmarks/RESULTS.md); this bound only has to hold on a busy shared CI machine.
ARRIVAL_DEADLINE = 30.0


def _inspect(pipeline: Pipeline, what: str) -> Any:
    """The Iterable emulator's inspection API (`/_sandbox/...`), over HTTP."""
    response = requests.get(f"{pipeline.iterable.api_url}/_sandbox/{what}", timeout=10)
    response.raise_for_status()
    return response.json()


def _purchased_orders(pipeline: Pipeline) -> list[Any]:
    return [p["dataFields"]["orderId"] for p in _inspect(pipeline, "purchases")]


def _purchases_due(pipeline: Pipeline, order_ids: list[int]) -> set[int]:
    """The orders the mapper turns into purchases: a purchase status, not archived, an email."""
    bigcommerce = pipeline.bigcommerce
    due = set()
    for order_id in order_ids:
        url = f"{bigcommerce.v2_url}/orders/{order_id}"
        order = requests.get(url, headers=bigcommerce.headers, timeout=10).json()
        email = str((order.get("billing_address") or {}).get("email") or "")
        qualifies = order["status_id"] in DEFAULT_PURCHASE_STATUS_IDS and not order["is_deleted"]
        if qualifies and "@" in email:
            due.add(order_id)
    return due


def _wait_until(condition: Callable[[], bool], what: str, timeout: float) -> float:
    """Poll until `condition` holds; returns the seconds it took (fails at the deadline)."""
    started = time.monotonic()
    while not condition():
        assert time.monotonic() - started < timeout, f"timed out after {timeout} s: {what}"
        time.sleep(0.05)
    return time.monotonic() - started


class FollowRun:
    """`meltano run` of the follow pipeline in its own process group, its output in a file."""

    def __init__(
        self, pipeline: Pipeline, log: Path, *options: str, as_service: bool = False
    ) -> None:
        self.log = log
        self._log_file = log.open("w")
        command = ["meltano", "--environment", "sandbox", "run", *options, *FOLLOW_PIPELINE]
        if as_service:  # the README's service command
            command = ["tap-bigcommerce-follow-service", "--", *command]
        self.process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env={**pipeline.env, "TAP_BIGCOMMERCE_FOLLOW": "true"},
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )

    def output(self) -> str:
        return self.log.read_text(errors="replace")

    def wait_caught_up(self) -> None:
        def caught_up() -> bool:
            assert self.process.poll() is None, f"meltano run ended:\n{self.output()[-4000:]}"
            # And the catch-up's STATE committed: the mapper and target are up and reading (the
            # tap can catch up into the pipe before they have even started).
            output = self.output()
            done = output.find("follow: caught up")
            return done >= 0 and "Incremental state has been updated" in output[done:]

        _wait_until(caught_up, "the catch-up", 240)

    def terminate(self) -> int:
        """SIGTERM to the command (what `docker stop` does to PID 1)."""
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(120)
        self._log_file.close()
        return code

    def kill(self) -> None:
        """SIGKILL to every process of the run (a crash, an OOM kill, a lost machine)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(30)
        self._log_file.close()


@pytest.fixture
def receiver(pipeline: Pipeline, tmp_path: Path) -> Iterator[str]:
    """`tap-bigcommerce-webhooks serve` on a free port, writing the pipeline's inbox."""
    port = free_port()
    env = {**pipeline.env, webhooks_cli.SECRET_ENV: SECRET}
    inbox_url = pipeline.env["TAP_BIGCOMMERCE_INBOX_URL"]
    with (tmp_path / "receiver.log").open("w") as log:
        process = subprocess.Popen(
            ["tap-bigcommerce-webhooks", "serve", "--port", str(port), "--inbox-url", inbox_url],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_for_port(port, 60)
            yield f"http://127.0.0.1:{port}/webhooks/bigcommerce"
        finally:
            process.terminate()
            process.wait(30)


@pytest.fixture
def follow(
    pipeline: Pipeline, receiver: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[..., FollowRun]]:
    bigcommerce = pipeline.bigcommerce
    config = tmp_path / "tap-config.json"
    config.write_text(
        json.dumps(
            {
                "store_hash": bigcommerce.store_hash,
                "access_token": bigcommerce.access_token,
                "api_url": bigcommerce.api_url,
            }
        )
    )
    monkeypatch.setenv(webhooks_cli.SECRET_ENV, SECRET)
    assert webhooks_cli.main(["register", "--config", str(config), "--destination", receiver]) == 0
    runs: list[FollowRun] = []

    def start(*options: str, as_service: bool = False) -> FollowRun:
        log = tmp_path / f"meltano-follow-{len(runs)}.log"
        run = FollowRun(pipeline, log, *options, as_service=as_service)
        runs.append(run)
        run.wait_caught_up()
        return run

    yield start
    for run in runs:
        run.kill()


def _orders_listed(pipeline: Pipeline) -> int:
    """How many order list requests the BigCommerce emulator has answered."""
    log = pipeline.bigcommerce.emulator.request_log
    return sum(1 for e in log.entries() if e.method == "GET" and e.path.endswith("/orders"))


def _new_orders_in_flight(pipeline: Pipeline) -> set[int]:
    """New orders, with the tap woken and reading them (its order list request answered): the
    purchases due from them are the current micro-batch."""
    listed = _orders_listed(pipeline)
    delta = pipeline.bigcommerce.emulator.apply_delta(
        orders=0, new_orders=6, customers=1, products=0, subscribers=0
    )
    due = _purchases_due(pipeline, delta.new_order_ids)
    assert due, "no new order is a purchase: nothing would be tested"
    _wait_until(lambda: _orders_listed(pipeline) > listed, "the tap's wake-up", ARRIVAL_DEADLINE)
    return due


def _orders_committed_through(pipeline: Pipeline, order_ids: set[int]) -> bool:
    """Whether the STATE Meltano committed has the orders bookmark past these orders' changes."""
    bigcommerce = pipeline.bigcommerce
    newest = max(
        parsedate_to_datetime(
            requests.get(
                f"{bigcommerce.v2_url}/orders/{order_id}", headers=bigcommerce.headers, timeout=10
            ).json()["date_modified"]
        )
        for order_id in order_ids
    )
    bookmark = pipeline.state()["singer_state"]["bookmarks"]["orders"]
    values = [p.get("replication_key_value") for p in bookmark.get("partitions", [bookmark])]
    return any(v and datetime.fromisoformat(v) >= newest for v in values)


def _assert_each_purchase_once(pipeline: Pipeline, expected: set[int]) -> None:
    """What a marketer sees: each order one purchase, one journey entry, its buyer a user."""
    purchases = _purchased_orders(pipeline)
    assert len(purchases) == len(set(purchases)), "a purchase was duplicated"
    assert set(purchases) == expected, "a purchase is missing (or unexpected)"
    entries = _inspect(pipeline, "journey_entries")["by_trigger"].get("purchase", {})
    assert len(entries) == len(purchases), "purchases and purchase journey entries differ"
    assert set(entries.values()) == {1}, "a purchase entered its journeys twice"
    users = {u.get("email") for u in _inspect(pipeline, "users")}
    buyers = {p["email"] for p in _inspect(pipeline, "purchases") if p.get("email")}
    assert buyers <= users


def test_follow_mode_delivers_changes_in_seconds_and_restarts_without_loss_or_duplicates(
    pipeline: Pipeline, follow: Callable[..., FollowRun]
) -> None:
    run = follow()
    # The catch-up's last records and STATE reach Iterable within the flush bounds, input quiet.
    _wait_until(lambda: bool(_purchased_orders(pipeline)), "the catch-up's purchases", 60)

    delta = pipeline.bigcommerce.emulator.apply_delta(
        orders=2, new_orders=6, customers=1, products=0, subscribers=0
    )
    new_orders = _purchases_due(pipeline, delta.new_order_ids)
    assert new_orders, "no new order is a purchase: nothing would be tested"
    _wait_until(
        lambda: new_orders <= set(_purchased_orders(pipeline)),
        "the new orders' purchases in Iterable",
        ARRIVAL_DEADLINE,
    )

    # SIGTERM to `meltano run` itself (`docker stop`, `kill`) mid-wake-up: Meltano sends SIGTERM
    # to every plugin at once and closes no input; the tap ends its wake-up with STATE, the
    # mapper and the target take in what it wrote and flush once their input is quiet. Meltano
    # exits 143 and does not commit the STATE written while it stops (README, "Stopping").
    in_flight = _new_orders_in_flight(pipeline)
    assert run.terminate() == 143, run.output()[-4000:]
    output = run.output()
    assert "follow: stop requested" in output
    assert output.count("taking in the rest of the current micro-batch") == 2  # mapper, target
    assert "Received termination signal" not in output  # singer-sdk's handler never ran
    assert in_flight <= set(_purchased_orders(pipeline)), "the last micro-batch was not flushed"
    _assert_each_purchase_once(pipeline, set(_purchased_orders(pipeline)))

    # Restarted, as the README's service: it resumes from the committed state; what it reads
    # again is not sent again; a change after the restart arrives too.
    run = follow(as_service=True)
    more = pipeline.bigcommerce.emulator.apply_delta(
        orders=0, new_orders=6, customers=0, products=0, subscribers=0
    )
    more_orders = _purchases_due(pipeline, more.new_order_ids)
    assert more_orders
    _wait_until(
        lambda: more_orders <= set(_purchased_orders(pipeline)),
        "the orders made after the restart",
        ARRIVAL_DEADLINE,
    )

    # SIGTERM to the service mid-wake-up: it stops the tap, whose wake-up ends with STATE; the
    # mapper and the target flush at the end of their input, Meltano commits the last STATE,
    # and everything exits 0.
    in_flight = _new_orders_in_flight(pipeline)
    assert run.terminate() == 0, run.output()[-4000:]
    output = run.output()
    assert "follow service: signal 15; stopping the tap" in output
    assert "follow: stop requested" in output
    assert "Run completed" in output
    assert in_flight <= set(_purchased_orders(pipeline)), "the last micro-batch was not flushed"
    assert _orders_committed_through(pipeline, in_flight), "the last STATE was not committed"
    _assert_each_purchase_once(pipeline, set(_purchased_orders(pipeline)))
    assert set(_purchased_orders(pipeline)) >= new_orders | more_orders | in_flight


def test_sigkill_mid_stream_loses_nothing_on_restart(
    pipeline: Pipeline, follow: Callable[..., FollowRun]
) -> None:
    run = follow()
    _wait_until(lambda: bool(_purchased_orders(pipeline)), "the catch-up's purchases", 60)
    delta = pipeline.bigcommerce.emulator.apply_delta(
        orders=0, new_orders=8, customers=0, products=0, subscribers=0
    )
    due = _purchases_due(pipeline, delta.new_order_ids)
    assert due
    # Killed as soon as the tap woke for them: mid-wake-up or with records still in flight.
    _wait_until(lambda: "follow: webhook synced" in run.output(), "the wake-up", ARRIVAL_DEADLINE)
    run.kill()

    # --force: Meltano still marks the killed run as running.
    follow("--force")
    _wait_until(
        lambda: due <= set(_purchased_orders(pipeline)),
        "the orders of the killed run, after the restart",
        ARRIVAL_DEADLINE,
    )
    purchases = _purchased_orders(pipeline)
    assert len(purchases) == len(set(purchases))
