"""Early cart abandonment (`cart_abandon_minutes`): carts idle that long are reported abandoned.

BigCommerce's own `store/cart/abandoned` fires when a cart had "no changes ... for at least one
hour" (webhooks.v3.yml, store/cart/abandoned; bigcommerce-api notes §6). Marketers often want to
act sooner, so the tap tracks each cart's last activity from the cart webhooks in the inbox and,
once a cart has been idle `cart_abandon_minutes`, emits a `cart_events` record with the scope
`store/cart/abandoned`: the mapper turns it into the same `cart_abandoned` event, and its event id
(cart id + the cart's `updated_time`) makes BigCommerce's later webhook for the same idle cart
the same Iterable event, not a second one.

Never for a cart that became an order: a `store/cart/converted` (or `deleted`) delivery stops the
tracking, and the cart is read again before it is reported; "the cart is no longer accessible
and has been deleted" once converted (webhooks.v3.yml, store/cart/converted), so a 404 means no
abandonment. A cart changed without a webhook reaching us shows a newer `updated_time` and is
given a new idle period instead.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from tap_bigcommerce.values import to_utc_datetime

# Deliveries that end a cart's story: no abandonment can follow them.
ENDING_ACTIONS = frozenset({"converted", "deleted", "abandoned"})


def cart_action(scope: str) -> str:
    """The last part of a cart scope: `store/channel/1/cart/converted` -> `converted`."""
    return scope.rsplit("/", 1)[-1]


class IdleCarts:
    def __init__(self, minutes: float) -> None:
        self.idle_for = timedelta(minutes=minutes)
        self._last_activity: dict[str, datetime] = {}

    def saw(self, cart_id: str, scope: str, received_at: Any) -> None:
        """A cart delivery: activity, or the end of the cart (converted, deleted, abandoned)."""
        if cart_action(scope) in ENDING_ACTIONS:
            self._last_activity.pop(cart_id, None)
            return
        at = to_utc_datetime(received_at)
        if at is not None and at > self._last_activity.get(cart_id, at - timedelta(seconds=1)):
            self._last_activity[cart_id] = at

    def due(self, now: datetime) -> dict[str, datetime]:
        """Carts idle long enough now, with their last activity (they stop being tracked)."""
        found = {
            cart_id: at for cart_id, at in self._last_activity.items() if at + self.idle_for <= now
        }
        for cart_id in found:
            del self._last_activity[cart_id]
        return found

    def still_active(self, cart_id: str, updated: datetime) -> None:
        """The cart changed after our last delivery (a webhook was lost): a new idle period."""
        self._last_activity[cart_id] = updated

    def next_due(self) -> datetime | None:
        if not self._last_activity:
            return None
        return min(self._last_activity.values()) + self.idle_for

    def __len__(self) -> int:
        return len(self._last_activity)
