"""The in-process handle on a BigCommerce emulator: data, request log, faults, quota, webhooks."""

from __future__ import annotations

from typing import Any

from sandbox.bigcommerce.ratelimit import RateLimiter
from sandbox.common.faults import FaultConfig, FaultInjector
from sandbox.common.request_log import RequestLog
from sandbox.generator.store import GeneratedStore, StoreSize


class BigCommerceEmulator:
    def __init__(
        self,
        *,
        seed: int = 1,
        orders: int = 50,
        store_hash: str = "sandbox1",
        access_token: str = "sandbox-bc-token",  # noqa: S107 (the documented sandbox token)
        rate_limit_quota: int = 150,
        rate_limit_window_ms: int = 30000,
        faults: FaultConfig | None = None,
        archived_orders_in_default_list: bool = False,
        **generator_options: Any,
    ) -> None:
        if not store_hash or "/" in store_hash:
            msg = f"store_hash must be a non-empty path segment, got {store_hash!r}"
            raise ValueError(msg)
        self.store_hash = store_hash
        self.access_token = access_token
        self.store = GeneratedStore(
            seed=seed, store_hash=store_hash, size=StoreSize.for_orders(orders, **generator_options)
        )
        self.request_log = RequestLog()
        self.faults = FaultInjector(faults)
        self.limiter = RateLimiter(rate_limit_quota, rate_limit_window_ms)
        # Whether GET /v2/orders without `is_deleted` lists archived orders (undocumented).
        self.archived_orders_in_default_list = archived_orders_in_default_list

    def set_rate_limit(self, quota: int, window_ms: int) -> None:
        """Change the store quota; the current window starts over."""
        self.limiter.configure(quota, window_ms)

    def close(self) -> None:
        """Stop background work (webhook delivery)."""
