"""The in-process handle on a BigCommerce emulator: data, request log, faults, quota, webhooks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.bigcommerce.query_cache import QueryCache
from sandbox.bigcommerce.ratelimit import RateLimiter
from sandbox.bigcommerce.scopes import ALL_READ_SCOPES
from sandbox.bigcommerce.webhooks import DeliveryAttempt, WebhookHub
from sandbox.common.faults import FaultConfig, FaultInjector
from sandbox.common.request_log import RequestLog
from sandbox.generator.carts import CartActivity, simulate_carts
from sandbox.generator.delta import DeltaResult, apply_delta
from sandbox.generator.events import StoreEvent
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
        incomplete_orders_in_default_list: bool = False,
        webhook_retry_scale: float = 0.001,
        webhook_duplicates: bool = False,
        token_scopes: frozenset[str] = ALL_READ_SCOPES,
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
        self.query_cache = QueryCache()
        # OAuth scopes the access token holds; a missing one answers 403.
        self.token_scopes = frozenset(token_scopes)
        # Undocumented: whether GET /v2/orders lists archived orders without `is_deleted`,
        # and Incomplete (status 0) orders without `status_id=0`. Both off by default.
        self.archived_orders_in_default_list = archived_orders_in_default_list
        self.incomplete_orders_in_default_list = incomplete_orders_in_default_list
        self.webhooks = WebhookHub(
            store_hash=store_hash,
            store_id=self.store.catalog.profile.store_id,
            retry_scale=webhook_retry_scale,
            duplicate_deliveries=webhook_duplicates,
        )

    def settings(self) -> dict[str, bool | float]:
        return {
            "archived_orders_in_default_list": self.archived_orders_in_default_list,
            "incomplete_orders_in_default_list": self.incomplete_orders_in_default_list,
            "webhook_duplicates": self.webhooks.duplicate_deliveries,
            "webhook_retry_scale": self.webhooks.retry_scale,
        }

    def configure(
        self,
        *,
        archived_orders_in_default_list: bool | None = None,
        incomplete_orders_in_default_list: bool | None = None,
        webhook_duplicates: bool | None = None,
        webhook_retry_scale: float | None = None,
    ) -> None:
        """Change behaviour switches at runtime (None leaves a switch as it is)."""
        for name, value in (
            ("archived_orders_in_default_list", archived_orders_in_default_list),
            ("incomplete_orders_in_default_list", incomplete_orders_in_default_list),
            ("webhook_duplicates", webhook_duplicates),
        ):
            if value is not None and not isinstance(value, bool):
                msg = f"{name} must be true or false, got {value!r}"
                raise ValueError(msg)
        if webhook_retry_scale is not None and (
            isinstance(webhook_retry_scale, bool)
            or not isinstance(webhook_retry_scale, int | float)
            or webhook_retry_scale < 0
        ):
            msg = f"webhook_retry_scale must be a number >= 0, got {webhook_retry_scale!r}"
            raise ValueError(msg)
        if archived_orders_in_default_list is not None:
            self.archived_orders_in_default_list = archived_orders_in_default_list
        if incomplete_orders_in_default_list is not None:
            self.incomplete_orders_in_default_list = incomplete_orders_in_default_list
        if webhook_duplicates is not None:
            self.webhooks.duplicate_deliveries = webhook_duplicates
        if webhook_retry_scale is not None:
            self.webhooks.retry_scale = float(webhook_retry_scale)

    def set_rate_limit(self, quota: int, window_ms: int) -> None:
        """Change the store quota; the current window starts over."""
        self.limiter.configure(quota, window_ms)

    def _moment(self, at: datetime | None) -> datetime:
        """`at`, or now (whole seconds) but never before the newest record."""
        if at is not None:
            return at.astimezone(UTC)
        now = datetime.now(UTC).replace(microsecond=0)
        newest = [
            m
            for m in (
                self.store.orders.newest_modified(),
                self.store.customers.newest_modified(),
                self.store.products.newest_modified(),
            )
            if m is not None
        ]
        return max([now, *(m + timedelta(seconds=1) for m in newest)])

    def apply_delta(
        self,
        *,
        orders: int = 5,
        new_orders: int = 2,
        customers: int = 3,
        products: int = 2,
        subscribers: int = 1,
        new_customers: int = 0,
        at: datetime | None = None,
    ) -> DeltaResult:
        """Change chosen records with later `date_modified`; sends their webhooks."""
        result = apply_delta(
            self.store,
            at=self._moment(at),
            orders=orders,
            new_orders=new_orders,
            customers=customers,
            products=products,
            subscribers=subscribers,
            new_customers=new_customers,
        )
        self.webhooks.publish(result.events)
        return result

    def simulate_cart_activity(
        self, outcomes: list[str] | None = None, *, at: datetime | None = None
    ) -> CartActivity:
        """New carts, one per outcome (active, abandoned, converted, expired, deleted)."""
        chosen = outcomes if outcomes is not None else ["active", "abandoned", "converted"]
        activity = simulate_carts(self.store, chosen, self._moment(at))
        self.webhooks.publish(activity.events)
        return activity

    def delete_customers(self, customer_ids: list[int]) -> list[int]:
        """Delete customers for good, as `DELETE /v3/customers?id:in=` does; returns those deleted.

        BigCommerce keeps no tombstone (customers.v3.yml `deleteCustomers`: a 204, nothing to
        read back); the only signal is the `store/customer/deleted` webhook, data
        `{type: "customer", id}` (webhooks.v3.yml, `store/customer/deleted` example callback).
        Their orders stay, still naming the customer id.
        """
        deleted = [i for i in customer_ids if self.store.customers.delete(i)]
        self.webhooks.publish(
            StoreEvent("store/customer/deleted", {"type": "customer", "id": i}) for i in deleted
        )
        return deleted

    def publish(self, events: list[StoreEvent]) -> int:
        """Send arbitrary events to the registered hooks."""
        return self.webhooks.publish(events)

    def webhook_attempts(self) -> list[DeliveryAttempt]:
        return self.webhooks.attempts()

    def close(self) -> None:
        """Stop background work (webhook delivery)."""
        self.webhooks.close()
