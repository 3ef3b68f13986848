"""Follow mode (`follow: true`): the real tap CLI, the real receiver, the emulator's webhooks.

The tap catches up, then waits; each batch of deliveries wakes it for one incremental pass of the
streams they concern; a sweep runs without webhooks; SIGTERM ends the wake-up with STATE, exit 0.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

import pytest

from sandbox.bigcommerce.testing import RunningBigCommerce
from sandbox.common.faults import FaultConfig
from sandbox.generator.events import StoreEvent
from tap_bigcommerce.follow import streams_for_scopes
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.cli import SECRET_ENV

from .helpers import tap_config
from .test_tap_cart_events import receiver as receiver  # noqa: PLC0414 (the fixture)
from .test_tap_cart_events import register
from .test_tap_webhooks import SECRET

FOLLOWED = {"orders", "customers", "subscribers", "products", "cart_events", "customer_deletions"}


def test_scopes_wake_the_streams_that_pick_the_change_up() -> None:
    assert streams_for_scopes(["store/order/updated", "store/order/statusUpdated"]) == {"orders"}
    assert streams_for_scopes(["store/order/refund/created"]) == {"orders", "refunds"}
    assert streams_for_scopes(["store/channel/1/cart/lineItem/created"]) == {"cart_events"}
    assert streams_for_scopes(["store/sku/inventory/updated"]) == {"products"}
    assert streams_for_scopes(["store/subscriber/created"]) == {"subscribers"}
    # A scope the tap has no stream for wakes nothing (and raises nothing).
    assert streams_for_scopes(["store/app/uninstalled", "store/information/updated"]) == set()


class FollowingTap:
    """`tap-bigcommerce --config ...` in follow mode; its stdout and stderr read by threads."""

    def __init__(self, config: dict[str, Any], workdir: Path) -> None:
        path = workdir / "follow-config.json"
        path.write_text(json.dumps(config))
        self.process = subprocess.Popen(
            ["tap-bigcommerce", "--config", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "TAP_BIGCOMMERCE_LOGLEVEL": "INFO"},
        )
        self.messages: queue.Queue[dict[str, Any]] = queue.Queue()
        self.log: list[str] = []
        self.records: dict[str, list[dict[str, Any]]] = {}
        self.states: list[dict[str, Any]] = []
        assert self.process.stdout is not None
        assert self.process.stderr is not None
        self.readers = [
            threading.Thread(target=self._read_stdout, args=(self.process.stdout,), daemon=True),
            threading.Thread(target=self._read_stderr, args=(self.process.stderr,), daemon=True),
        ]
        for reader in self.readers:
            reader.start()

    def _read_stdout(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                self.messages.put(json.loads(line))

    def _read_stderr(self, stream: IO[str]) -> None:
        with stream:
            for line in stream:
                self.log.append(line)

    def drain(self) -> None:
        while True:
            try:
                message = self.messages.get_nowait()
            except queue.Empty:
                return
            if message["type"] == "RECORD":
                self.records.setdefault(message["stream"], []).append(message["record"])
            elif message["type"] == "STATE":
                self.states.append(message["value"])

    def wait_for(self, condition: Callable[[], bool], what: str, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while True:
            self.drain()
            if condition():
                return
            assert self.process.poll() is None, f"the tap exited:\n{''.join(self.log)[-3000:]}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}"
            time.sleep(0.02)

    def ids(self, stream: str) -> set[Any]:
        return {record["id"] for record in self.records.get(stream, [])}

    def log_lines(self, text: str) -> list[str]:
        return [line for line in self.log if text in line]

    def stop(self) -> int:
        self.process.send_signal(signal.SIGTERM)
        code = self.process.wait(60)
        for reader in self.readers:
            reader.join(10)  # every line the tap wrote is read
        self.drain()
        return code

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(30)


@pytest.fixture
def following(
    bigcommerce: RunningBigCommerce,
    receiver: tuple[str, Inbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[..., FollowingTap]]:
    destination, inbox = receiver
    monkeypatch.setenv(SECRET_ENV, SECRET)
    register(bigcommerce, tmp_path, destination, in_process=True)
    started: list[FollowingTap] = []

    def start(**overrides: Any) -> FollowingTap:
        settings = {"follow": True, "sweep_seconds": 3600, "hook_check_seconds": 0, **overrides}
        tap = FollowingTap(tap_config(bigcommerce, inbox.url, **settings), tmp_path)
        started.append(tap)
        tap.wait_for(lambda: bool(tap.log_lines("follow: caught up")), "the catch-up", 120)
        return tap

    yield start
    for tap in started:
        tap.kill()


def _list_requests(bc: RunningBigCommerce, path: str) -> int:
    return sum(1 for entry in bc.emulator.request_log.entries() if entry.path.endswith(path))


def test_changes_wake_the_tap_and_sigterm_ends_with_state(
    bigcommerce: RunningBigCommerce, following: Callable[..., FollowingTap]
) -> None:
    tap = following()
    delta = bigcommerce.emulator.apply_delta(
        orders=2, new_orders=3, customers=2, products=1, subscribers=1
    )
    new_orders = set(delta.new_order_ids)

    tap.wait_for(lambda: new_orders <= tap.ids("orders"), "the new orders")
    tap.wait_for(lambda: set(delta.customer_ids) <= tap.ids("customers"), "the changed customers")
    tap.wait_for(lambda: set(delta.product_ids) <= tap.ids("products"), "the changed product")
    tap.wait_for(lambda: bool(tap.log_lines("follow: webhook synced")), "the wake-up's log")
    assert not tap.log_lines("follow: sweep synced")  # the webhooks did it, not a sweep

    assert tap.stop() == 0
    assert tap.states, "no STATE"
    final = tap.states[-1]["bookmarks"]
    assert {"orders", "customers", "products"} <= set(final)
    assert tap.log_lines("follow: stop requested")


def test_a_health_line_says_how_far_behind_the_inbox_and_the_store_it_is(
    bigcommerce: RunningBigCommerce, following: Callable[..., FollowingTap]
) -> None:
    tap = following(health_log_seconds=1)
    delta = bigcommerce.emulator.apply_delta(
        orders=0, new_orders=2, customers=0, products=0, subscribers=0
    )
    tap.wait_for(lambda: set(delta.new_order_ids) <= tap.ids("orders"), "the new orders")
    # The first line after the wake-up(s): their lag counted, nothing left unread, orders' bookmark
    # seconds old (the new orders were made just now).
    counted = re.compile(r"webhook lag max \d+\.\d+ s over \d+ wake-ups")
    tap.wait_for(
        lambda: any(counted.search(line) for line in tap.log_lines("follow: health")),
        "a health line after the wake-up",
    )
    line = next(line for line in tap.log_lines("follow: health") if counted.search(line))
    assert "inbox unread 0;" in line
    ages = re.search(r"bookmark ages [^;]*\borders (\d+) s", line)
    assert ages, line
    assert int(ages.group(1)) < 60
    assert tap.stop() == 0


def test_a_flood_of_webhooks_is_coalesced_into_few_list_requests(
    bigcommerce: RunningBigCommerce, following: Callable[..., FollowingTap]
) -> None:
    tap = following()
    order_id = bigcommerce.emulator.apply_delta(
        orders=1, new_orders=0, customers=0, products=0, subscribers=0
    ).order_ids[0]
    tap.wait_for(lambda: order_id in tap.ids("orders"), "the first change")
    wake_ups_before = len(tap.log_lines("follow: webhook synced"))
    lists_before = _list_requests(bigcommerce, "/v2/orders")
    floods = 500

    # The tap is paused while the whole flood lands in the inbox, so what it does next does not
    # depend on how fast the emulator delivers: every delivery is waiting when it resumes.
    tap.process.send_signal(signal.SIGSTOP)
    events = [
        StoreEvent("store/order/updated", {"type": "order", "id": order_id, "n": n})
        for n in range(floods)
    ]
    bigcommerce.emulator.publish(events)
    assert bigcommerce.emulator.webhooks.wait_idle(120)
    settled = len(tap.states)
    tap.process.send_signal(signal.SIGCONT)
    tap.wait_for(
        lambda: (
            len(tap.states) > settled
            and len(tap.log_lines("follow: webhook synced")) > wake_ups_before
        ),
        "the wake-up after the flood",
    )

    wake_ups = len(tap.log_lines("follow: webhook synced")) - wake_ups_before
    lists = _list_requests(bigcommerce, "/v2/orders") - lists_before
    assert wake_ups == 1
    # One orders pass: the default list and the archived list (is_deleted=true), one page each.
    assert lists == 2
    assert tap.stop() == 0


def test_a_sweep_catches_a_change_whose_webhook_was_lost(
    bigcommerce: RunningBigCommerce, following: Callable[..., FollowingTap]
) -> None:
    tap = following(sweep_seconds=2)
    # The change happens, but BigCommerce never delivers its webhook (no active hook).
    for hook in bigcommerce.emulator.webhooks.hooks():
        bigcommerce.emulator.webhooks.update(hook.id, {"is_active": False})
    delta = bigcommerce.emulator.apply_delta(
        orders=0, new_orders=2, customers=0, products=0, subscribers=0
    )
    tap.wait_for(lambda: set(delta.new_order_ids) <= tap.ids("orders"), "the swept orders", 20)
    tap.wait_for(lambda: bool(tap.log_lines("follow: sweep synced")), "the sweep's log")
    assert tap.stop() == 0


def test_deactivated_hooks_are_reenabled_and_swept(
    bigcommerce: RunningBigCommerce, following: Callable[..., FollowingTap]
) -> None:
    tap = following(hook_check_seconds=0.5)
    hooks = bigcommerce.emulator.webhooks.hooks()
    order_hook = next(h for h in hooks if h.scope == "store/order/*")
    # BigCommerce deactivates a hook whose deliveries kept failing (webhooks overview).
    bigcommerce.emulator.webhooks.update(order_hook.id, {"is_active": False})
    delta = bigcommerce.emulator.apply_delta(
        orders=0, new_orders=1, customers=0, products=0, subscribers=0
    )

    tap.wait_for(lambda: set(delta.new_order_ids) <= tap.ids("orders"), "the missed order", 20)
    assert bigcommerce.emulator.webhooks.get(order_hook.id).is_active  # type: ignore[union-attr]
    assert tap.log_lines("was deactivated by BigCommerce; re-enabled")
    tap.wait_for(lambda: bool(tap.log_lines("follow: sweep synced")), "the sweep's log")
    assert tap.stop() == 0


def test_a_bigcommerce_outage_is_waited_out_with_the_retry_backoff(
    bigcommerce: RunningBigCommerce, following: Callable[..., FollowingTap]
) -> None:
    # The tap's one retry policy (api.with_retries), given a budget longer than the outage.
    tap = following(max_retries=20, retry_base_seconds=0.05, retry_max_seconds=0.5)
    bigcommerce.emulator.faults.configure(FaultConfig(error_rate=1.0, error_statuses=(503,)))
    delta = bigcommerce.emulator.apply_delta(
        orders=0, new_orders=2, customers=0, products=0, subscribers=0
    )
    tap.wait_for(lambda: bool(tap.log_lines("Retrying GET")), "a retried request during the outage")
    bigcommerce.emulator.faults.configure(FaultConfig())  # BigCommerce is back

    tap.wait_for(lambda: set(delta.new_order_ids) <= tap.ids("orders"), "the orders after it", 30)
    assert tap.stop() == 0


def test_idle_carts_are_abandoned_early_but_never_a_converted_one(
    bigcommerce: RunningBigCommerce, following: Callable[..., FollowingTap]
) -> None:
    tap = following(cart_abandon_minutes=0.05)  # 3 s instead of BigCommerce's hour
    activity = bigcommerce.emulator.simulate_cart_activity(["active", "converted"])
    active = activity.by_outcome["active"][0]
    converted = activity.by_outcome["converted"][0]

    def abandoned() -> set[str]:
        return {
            e["cart_id"]
            for e in tap.records.get("cart_events", [])
            if e["scope"] == "store/cart/abandoned"
        }

    tap.wait_for(lambda: active in abandoned(), "the idle cart's abandonment", 30)
    tap.wait_for(lambda: bool(tap.log_lines("follow: idle carts synced")), "the idle wake-up's log")
    events = [e for e in tap.records["cart_events"] if e["cart_id"] == active]
    assert events[-1]["cart"]["id"] == active  # reported with the cart as it is now
    # The converted cart's webhooks were followed too, but it became an order: no abandonment.
    assert any(e["scope"].endswith("/converted") for e in tap.records["cart_events"])
    assert converted not in abandoned()
    assert tap.stop() == 0
    assert converted not in abandoned()
    assert sum(1 for e in tap.records["cart_events"] if e["scope"].endswith("/abandoned")) == len(
        abandoned()
    )  # each idle cart reported once
