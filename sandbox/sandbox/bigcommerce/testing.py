"""`running_bigcommerce(...)`: a BigCommerce emulator on a free loopback port, for tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from sandbox.bigcommerce.app import build_app
from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.common.faults import FaultConfig
from sandbox.common.server import serve_in_thread


@dataclass(frozen=True)
class RunningBigCommerce:
    api_url: str  # the tap's api_url; the API is at {api_url}/stores/{store_hash}/v2|v3/...
    store_hash: str
    access_token: str
    emulator: BigCommerceEmulator

    @property
    def v2_url(self) -> str:
        return f"{self.api_url}/stores/{self.store_hash}/v2"

    @property
    def v3_url(self) -> str:
        return f"{self.api_url}/stores/{self.store_hash}/v3"

    @property
    def headers(self) -> dict[str, str]:
        return {"X-Auth-Token": self.access_token, "Accept": "application/json"}


@contextmanager
def running_bigcommerce(
    *,
    seed: int = 1,
    orders: int = 50,
    store_hash: str = "sandbox1",
    access_token: str = "sandbox-bc-token",  # noqa: S107 (the documented sandbox token)
    rate_limit_quota: int = 150,
    rate_limit_window_ms: int = 30000,
    faults: FaultConfig | None = None,
    **generator_options: Any,
) -> Iterator[RunningBigCommerce]:
    app, emulator = build_app(
        seed=seed,
        orders=orders,
        store_hash=store_hash,
        access_token=access_token,
        rate_limit_quota=rate_limit_quota,
        rate_limit_window_ms=rate_limit_window_ms,
        faults=faults,
        **generator_options,
    )
    try:
        with serve_in_thread(app) as server:
            yield RunningBigCommerce(server.url, store_hash, access_token, emulator)
    finally:
        emulator.close()
