"""Webhooks end to end: `register` and `serve` CLIs, the emulator's deliveries, `cart_events`."""

from __future__ import annotations

import contextlib
import io
import json
import os
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from sandbox.bigcommerce.testing import RunningBigCommerce
from sandbox.common.server import free_port, serve_in_thread
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks import cli as webhooks_cli
from tap_bigcommerce.webhooks.app import DEFAULT_PATH, build_app
from tap_bigcommerce.webhooks.auth import WebhookAuthenticator
from tap_bigcommerce.webhooks.cli import SECRET_ENV
from tap_bigcommerce.webhooks.register import FOLLOW_SCOPES

from .helpers import run_tap, tap_config
from .test_tap_webhooks import HEADER, SECRET, delivery


def wait_until(condition, timeout: float = 10.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def receiver(tmp_path: Path) -> Iterator[tuple[str, Inbox]]:
    inbox = Inbox(f"sqlite:///{tmp_path / 'inbox.sqlite'}")
    app = build_app(inbox, WebhookAuthenticator(header_name=HEADER, header_secret=SECRET))
    with serve_in_thread(app) as server:
        yield f"{server.url}{DEFAULT_PATH}", inbox
    inbox.close()


def register(
    bc: RunningBigCommerce, tmp_path: Path, destination: str, *, in_process: bool = False
) -> list[str]:
    """Run `tap-bigcommerce-webhooks register` (the real CLI, or its `main` to save a start)."""
    config = tmp_path / "tap-config.json"
    config.write_text(json.dumps(tap_config(bc, "sqlite:///unused.sqlite")))
    argv = ["register", "--config", str(config), "--destination", destination]
    if in_process:
        buffer = io.StringIO()
        with contextlib.redirect_stdout(buffer):
            assert webhooks_cli.main(argv) == 0
        return buffer.getvalue().splitlines()
    result = subprocess.run(
        ["tap-bigcommerce-webhooks", *argv],
        capture_output=True, text=True, timeout=60, check=True,
        env={**os.environ, SECRET_ENV: SECRET},
    )  # fmt: skip
    assert SECRET not in result.stdout + result.stderr
    assert bc.access_token not in result.stdout + result.stderr
    return result.stdout.splitlines()


def test_register_creates_follow_hooks_once(
    bigcommerce: RunningBigCommerce,
    receiver: tuple[str, Inbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    destination, _ = receiver
    monkeypatch.setenv(SECRET_ENV, SECRET)
    first = register(bigcommerce, tmp_path, destination)
    second = register(bigcommerce, tmp_path, destination, in_process=True)
    hooks = bigcommerce.emulator.webhooks.hooks()
    # Orders, customers, subscribers, products (wildcards) and the explicit cart scopes.
    assert sorted(h.scope for h in hooks) == sorted(FOLLOW_SCOPES)
    assert {"store/order/*", "store/customer/*", "store/subscriber/*", "store/product/*"} <= {
        h.scope for h in hooks
    }
    assert all(h.headers == {HEADER: SECRET} and h.is_active for h in hooks)
    assert all(line.startswith("created") for line in first)
    assert all(line.startswith("unchanged") for line in second)
    # A hook BigCommerce deactivated (after failed deliveries) is switched back on.
    bigcommerce.emulator.webhooks.update(hooks[0].id, {"is_active": False})
    third = register(bigcommerce, tmp_path, destination, in_process=True)
    assert sum(line.startswith("updated") for line in third) == 1
    assert bigcommerce.emulator.webhooks.get(hooks[0].id).is_active  # type: ignore[union-attr]


def test_cart_events_from_deliveries_hydrated_or_null(
    bigcommerce: RunningBigCommerce,
    receiver: tuple[str, Inbox],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    destination, inbox = receiver
    monkeypatch.setenv(SECRET_ENV, SECRET)
    register(bigcommerce, tmp_path, destination, in_process=True)
    activity = bigcommerce.emulator.simulate_cart_activity(["active", "abandoned", "converted"])
    assert bigcommerce.emulator.webhooks.wait_idle(10)
    attempts = bigcommerce.emulator.webhook_attempts()
    assert attempts
    # Messages say what happened: this test failed once in CI (2026-12-07) and not since, with
    # nothing printed but the line.
    assert all(attempt.status == 200 for attempt in attempts), [
        (a.scope, a.attempt, a.status, a.error) for a in attempts
    ]

    config = tap_config(bigcommerce, inbox.url)
    output = run_tap(config, streams={"cart_events"})
    events = output.records["cart_events"]
    # Deliveries identical in scope, data (hash) and second are one event; all others are kept.
    distinct = {(a.payload["scope"], a.payload["hash"], a.payload["created_at"]) for a in attempts}
    assert inbox.count() == len(distinct), (inbox.count(), sorted(distinct))
    # The converted cart's order also sent `store/order/created`: in the inbox, not a cart event.
    cart_deliveries = {d for d in distinct if d[0].startswith("store/cart/")}
    assert len(events) == len(cart_deliveries), (
        sorted((e["scope"], e["cart_id"], e["created_at"]) for e in events),
        sorted(cart_deliveries),
    )
    assert len({e["event_id"] for e in events}) == len(events)
    by_cart: dict[str, list[dict]] = {}
    for event in events:
        assert event["store_hash"] == bigcommerce.store_hash
        assert event["created_at"].endswith("+00:00")
        by_cart.setdefault(event["cart_id"], []).append(event)
    active = activity.by_outcome["active"][0]
    converted = activity.by_outcome["converted"][0]
    assert all(e["cart"] and e["cart"]["id"] == active for e in by_cart[active])
    assert any(e["scope"].endswith("/converted") for e in by_cart[converted])
    assert all(e["cart"] is None for e in by_cart[converted])  # 404: emitted with what is known
    # Each cart is fetched once per run, however many events it had.
    cart_requests = bigcommerce.emulator.request_log.count(path_contains="/v3/carts/")
    assert cart_requests == len(by_cart), bigcommerce.emulator.request_log.entries()

    again = run_tap(config, state=output.final_state, streams={"cart_events"})
    assert again.records["cart_events"] == []
    # start_date bounds store history, not the inbox: with or without a bookmark it is ignored.
    dated = {**config, "start_date": "2024-06-01T00:00:00Z"}
    assert len(run_tap(dated, streams={"cart_events"}).records["cart_events"]) == len(events)
    assert (
        run_tap(dated, state=output.final_state, streams={"cart_events"}).records["cart_events"]
        == []
    )
    bigcommerce.emulator.simulate_cart_activity(["abandoned"])
    assert bigcommerce.emulator.webhooks.wait_idle(10)
    newer = run_tap(config, state=output.final_state, streams={"cart_events"})
    assert newer.records["cart_events"]
    assert {e["event_id"] for e in newer.records["cart_events"]}.isdisjoint(
        {e["event_id"] for e in events}
    )


def test_killing_the_receiver_after_200_loses_nothing(tmp_path: Path) -> None:
    """SIGKILL the real `serve` process mid-stream: every delivery answered 200 is in the inbox."""
    inbox_url = f"sqlite:///{tmp_path / 'inbox.sqlite'}"
    port = free_port()
    process = subprocess.Popen(
        ["tap-bigcommerce-webhooks", "serve", "--port", str(port), "--inbox-url", inbox_url],
        env={**os.environ, SECRET_ENV: SECRET},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base = f"http://127.0.0.1:{port}"

    def healthy() -> bool:
        try:
            return requests.get(f"{base}/healthz", timeout=1).status_code == 200
        except requests.ConnectionError:
            return False

    acknowledged: list[str] = []
    stop = threading.Event()

    def send() -> None:
        session = requests.Session()
        for number in range(1, 5000):
            if stop.is_set():
                return
            body = delivery(number)
            try:
                response = session.post(
                    f"{base}{DEFAULT_PATH}", json=body, headers={HEADER: SECRET}, timeout=5
                )
            except requests.RequestException:
                return  # the receiver is gone
            if response.status_code == 200:
                acknowledged.append(body["hash"])

    try:
        assert wait_until(healthy), "the receiver did not start"
        sender = threading.Thread(target=send)
        sender.start()
        assert wait_until(lambda: len(acknowledged) >= 40), "deliveries were not acknowledged"
        process.send_signal(signal.SIGKILL)
        process.wait(10)
        stop.set()
        sender.join(10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        if process.stderr is not None:
            process.stderr.close()

    assert process.returncode == -signal.SIGKILL
    inbox = Inbox(inbox_url)
    stored = {event.hash for event in inbox.read_after(0)}
    inbox.close()
    assert len(acknowledged) >= 40
    assert set(acknowledged) <= stored


def test_without_an_inbox_there_are_no_cart_events_and_no_file(
    bigcommerce: RunningBigCommerce, tmp_path: Path
) -> None:
    missing = tmp_path / "never-created.sqlite"
    output = run_tap(tap_config(bigcommerce, f"sqlite:///{missing}"), streams={"cart_events"})
    assert output.records["cart_events"] == []
    assert not missing.exists()


def test_a_new_inbox_is_read_from_its_start(
    bigcommerce: RunningBigCommerce, tmp_path: Path
) -> None:
    """Positions restart in a new inbox database: its events must not hide behind the old
    inbox's bookmark."""
    first_url = f"sqlite:///{tmp_path / 'first.sqlite'}"
    first = Inbox(first_url)
    for number in range(1, 6):
        first.add(delivery(number))
    first.close()
    output = run_tap(tap_config(bigcommerce, first_url), streams={"cart_events"})
    assert len(output.records["cart_events"]) == 5

    second_url = f"sqlite:///{tmp_path / 'second.sqlite'}"
    second = Inbox(second_url)
    second.add(delivery(99))
    second.close()
    moved = run_tap(
        tap_config(bigcommerce, second_url), state=output.final_state, streams={"cart_events"}
    )
    assert [e["cart_id"] for e in moved.records["cart_events"]] == ["cart-99"]
    assert moved.records["cart_events"][0]["inbox_seq"] == 1
