"""The webhook receiver killed right after answering, BigCommerce redelivering: nothing lost.

Two receivers get every cart webhook: one in-process and steady, one the real
`tap-bigcommerce-webhooks serve` process, SIGKILLed just after it answered and started again
while the emulator retries (and, as BigCommerce may, sends some deliveries twice). Both inboxes
must end with the same events, each once, and the pipeline must load the same carts from both.
"""

from __future__ import annotations

import os
import signal
import subprocess
from pathlib import Path

import pytest
import requests

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce
from sandbox.common.server import free_port, serve_in_thread
from sandbox.iterable.testing import running_iterable
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.app import DEFAULT_PATH, build_app
from tap_bigcommerce.webhooks.auth import WebhookAuthenticator
from tap_bigcommerce.webhooks.cli import SECRET_ENV

from . import outcomes
from .conftest import (
    FAST_ITERABLE,
    WEBHOOK_HEADER,
    WEBHOOK_SECRET,
    Store,
    cart_outcomes,
    register_cart_hooks,
)
from .pipeline import QUOTA_THAT_NEVER_BINDS, dead_letters, executable, wait_for
from .snapshot import assert_same_state, snapshot

pytestmark = pytest.mark.reliability
CARTS = 10


def start_receiver(port: int, inbox_url: str) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(
        [executable("tap-bigcommerce-webhooks"), "serve", "--port", str(port),
         "--inbox-url", inbox_url],
        env={**os.environ, SECRET_ENV: WEBHOOK_SECRET},
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip

    def healthy() -> bool:
        try:
            return requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1).ok
        except requests.ConnectionError:
            return process.poll() is not None  # it died: stop waiting, the assert below says so

    wait_for(healthy, "the receiver to start")
    assert process.poll() is None, "the receiver did not start"
    return process


def event_keys(inbox_url: str) -> list[tuple[str, str, int | None]]:
    inbox = Inbox(inbox_url)
    try:
        return [(e.scope, e.hash, e.created_at) for e in inbox.read_after(0)]
    finally:
        inbox.close()


def attempts_to(bc: RunningBigCommerce, destination: str) -> list:
    hooks = {h.id for h in bc.emulator.webhooks.hooks() if h.destination == destination}
    return [a for a in bc.emulator.webhook_attempts() if a.hook_id in hooks]


def test_receiver_killed_after_answering_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    steady_url = f"sqlite:///{tmp_path / 'steady.sqlite'}"
    killed_url = f"sqlite:///{tmp_path / 'killed.sqlite'}"
    steady_inbox = Inbox(steady_url)
    steady = build_app(
        steady_inbox,
        WebhookAuthenticator(header_name=WEBHOOK_HEADER, header_secret=WEBHOOK_SECRET),
    )
    port = free_port()
    killed_destination = f"http://127.0.0.1:{port}{DEFAULT_PATH}"
    receiver = start_receiver(port, killed_url)
    try:
        with (
            running_bigcommerce(
                seed=5, orders=40, rate_limit_quota=QUOTA_THAT_NEVER_BINDS,
                rate_limit_window_ms=1000, webhook_duplicates=True,
            ) as bc,
            serve_in_thread(steady) as server,
        ):  # fmt: skip
            register_cart_hooks(bc, f"{server.url}{DEFAULT_PATH}")
            register_cart_hooks(bc, killed_destination)
            bc.emulator.simulate_cart_activity(cart_outcomes(CARTS))
            # Killed right after it answered some deliveries, while others are on their way.
            wait_for(
                lambda: sum(a.succeeded for a in attempts_to(bc, killed_destination)) >= 5,
                "the first deliveries",
            )
            receiver.send_signal(signal.SIGKILL)
            receiver.wait(10)
            wait_for(
                lambda: any(not a.succeeded for a in attempts_to(bc, killed_destination)),
                "a failed delivery",
            )
            receiver = start_receiver(port, killed_url)
            assert bc.emulator.webhooks.wait_idle(60), "redeliveries did not finish"
            attempts = attempts_to(bc, killed_destination)
            assert any(a.attempt > 0 and a.succeeded for a in attempts), "nothing was redelivered"

            steady_keys, killed_keys = event_keys(steady_url), event_keys(killed_url)
            assert sorted(killed_keys) == sorted(steady_keys)
            assert len(set(killed_keys)) == len(killed_keys), "an event was stored twice"

            states = {}
            for name, inbox_url in (("steady", steady_url), ("killed", killed_url)):
                store = Store(bc, inbox_url, tmp_path)
                with running_iterable(rate_limits=FAST_ITERABLE) as iterable:
                    run = store.pipeline(tmp_path / name, iterable).run()
                    assert run.ok, run.describe()
                    states[name] = snapshot(iterable)
    finally:
        receiver.kill()
        receiver.wait(10)
        steady_inbox.close()
    assert states["steady"].records["carts"], "no cart reached Iterable"
    assert_same_state(states["steady"], states["killed"], dead_letters(tmp_path / "killed"))
    outcomes.record(
        "fault",
        "webhook-receiver-killed-and-redelivered",
        cases=1,
        outcome=(
            f"{len(attempts)} delivery attempts ({sum(not a.succeeded for a in attempts)} "
            f"failed while it was down), {len(killed_keys)} events stored once each"
        ),
        nothing_lost=True,
    )
