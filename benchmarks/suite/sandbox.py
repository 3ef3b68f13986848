"""The store under test: `sandbox serve` in its own process (so its CPU is never charged to a
stage), cart webhooks received into an inbox the tap reads, and the emulators' knobs."""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import cycle, islice
from pathlib import Path
from typing import Any

from sandbox.bigcommerce.inspect import BigCommerceInspector
from sandbox.common.server import free_port, wait_for_port
from sandbox.iterable.inspect import IterableInspector
from sandbox.iterable.rate_limits import DEFAULT_RATE_LIMITS

from .processes import BIN

STARTUP_TIMEOUT_S = 120.0
# Lifted limits: the stage's own cost is measured, not an API's pacing.
UNLIMITED_BIGCOMMERCE = (1_000_000_000, 1000)
ITERABLE_WRITE_LIMITS = (
    "users/bulkUpdate",
    "events/trackBulk",
    "commerce/trackPurchase",
    "commerce/updateCart",
    "catalogs/items",
)
CART_OUTCOMES = ("active", "abandoned", "converted")


@dataclass
class Sandbox:
    bigcommerce: dict[str, str]  # api_url, store_hash, access_token
    iterable: dict[str, str]  # api_url, api_key
    bc: BigCommerceInspector
    it: IterableInspector
    inbox_url: str

    def lift_limits(self) -> None:
        self.bc.set_rate_limit(*UNLIMITED_BIGCOMMERCE)
        self.it.set_rate_limits(dict.fromkeys(ITERABLE_WRITE_LIMITS))

    def enforce_iterable_limits(self) -> dict[str, float]:
        limits = {name: DEFAULT_RATE_LIMITS[name] for name in ITERABLE_WRITE_LIMITS}
        self.it.set_rate_limits(limits)
        return limits

    def fresh_iterable(self) -> None:
        """An empty Iterable project (data, log), limits lifted again."""
        self.it.reset()
        self.it.set_rate_limits(dict.fromkeys(ITERABLE_WRITE_LIMITS))

    def tap_config(self) -> dict[str, Any]:
        return {**self.bigcommerce, "inbox_url": self.inbox_url}


@contextmanager
def running_sandbox(orders: int, workdir: Path, *, carts: int) -> Iterator[Sandbox]:
    """Serve a store of `orders` (the generator sizes customers and products from it) with
    `carts` carts' webhooks already in the inbox; limits lifted."""
    command = [
        str(BIN / "sandbox"), "serve", "--seed", "1", "--orders", str(orders),
        "--rate-limit-quota", str(UNLIMITED_BIGCOMMERCE[0]),
        "--rate-limit-window-ms", str(UNLIMITED_BIGCOMMERCE[1]), "--json",
    ]  # fmt: skip
    with (workdir / "sandbox.log").open("ab") as log:
        server = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=log, text=True)
    try:
        assert server.stdout is not None
        first_line = server.stdout.readline()  # `--json` prints the URLs once both listen
        if not first_line:
            msg = f"sandbox serve did not start; see {workdir / 'sandbox.log'}"
            raise RuntimeError(msg)
        urls = json.loads(first_line)
        with (
            BigCommerceInspector(urls["bigcommerce"]["api_url"], timeout=120) as bc,
            IterableInspector(urls["iterable"]["api_url"], timeout=120) as it,
        ):
            sandbox = Sandbox(
                urls["bigcommerce"], urls["iterable"], bc, it, f"sqlite:///{workdir / 'inbox.db'}"
            )
            sandbox.lift_limits()
            _receive_carts(sandbox, carts, workdir)
            yield sandbox
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(60)


def _receive_carts(sandbox: Sandbox, carts: int, workdir: Path) -> None:
    """Carts exist only as webhooks: run the real receiver, register it, let shoppers use carts,
    and wait until every cart event is stored in the inbox."""
    if carts == 0:
        return
    port = free_port()
    env = {**os.environ, "TAP_BIGCOMMERCE_WEBHOOK_SECRET": secrets.token_urlsafe(16)}
    receiver_cli = str(BIN / "tap-bigcommerce-webhooks")
    with (workdir / "receiver.log").open("ab") as log:
        receiver = subprocess.Popen(
            [receiver_cli, "serve", "--port", str(port), "--inbox-url", sandbox.inbox_url],
            env=env, stdout=log, stderr=log,
        )  # fmt: skip
    try:
        wait_for_port(port, STARTUP_TIMEOUT_S)
        config = workdir / "register.json"
        config.write_text(json.dumps(sandbox.bigcommerce))
        subprocess.run(
            [receiver_cli, "register", "--config", str(config),
             "--destination", f"http://127.0.0.1:{port}/webhooks/bigcommerce"],
            env=env, check=True, capture_output=True,
        )  # fmt: skip
        config.unlink()
        activity = sandbox.bc.simulate_cart_activity(list(islice(cycle(CART_OUTCOMES), carts)))
        expected = sum(1 for e in activity["events"] if e["scope"].startswith("store/cart"))
        _wait_for_deliveries(sandbox.bc, expected)
    finally:
        receiver.terminate()
        receiver.wait(30)


def _wait_for_deliveries(bc: BigCommerceInspector, expected: int) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        attempts = bc.webhooks()["attempts"]
        if sum(1 for attempt in attempts if attempt["succeeded"]) >= expected:
            return
        time.sleep(0.2)
    msg = f"the receiver did not store {expected} cart webhooks within {STARTUP_TIMEOUT_S:.0f} s"
    raise TimeoutError(msg)
