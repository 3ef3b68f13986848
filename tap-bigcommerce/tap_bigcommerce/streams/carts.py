"""`cart_events`: webhook deliveries from the inbox, each with the cart as it is now.

BigCommerce has no cart list endpoint: carts are known only from `store/cart/*` webhooks, which
`tap-bigcommerce-webhooks serve` stores in the inbox. Each event is hydrated from
`GET /v3/carts/{id}`; a converted, deleted or expired cart answers 404 and the event is emitted
with `cart: null`. Events are read in arrival order; the bookmark is the inbox sequence number.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from functools import cached_property
from typing import Any, ClassVar
from urllib.parse import quote

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_bigcommerce.api import NotFoundError
from tap_bigcommerce.cart_idle import IdleCarts
from tap_bigcommerce.inbox import InboxEvent
from tap_bigcommerce.pagination import object_body
from tap_bigcommerce.streams.fields import STORE_HASH, Money, Timestamp
from tap_bigcommerce.streams.inbox_stream import INBOX_PROPERTIES, InboxStream
from tap_bigcommerce.values import to_utc_datetime, to_utc_iso

# Carts hydrated in this run, most recent last: several events for one cart cost one request.
HYDRATION_CACHE_SIZE = 1000
# With `cart_abandon_minutes`, cart activity this much older than the idle time is not looked at
# on start: BigCommerce's own abandoned-cart webhook (after one hour) has covered those carts.
IDLE_LOOKBACK = timedelta(hours=1)
CART_INCLUDE = "line_items.physical_items.options,line_items.digital_items.options"

CART_LINE_ITEM = th.ObjectType(
    th.Property("id", th.StringType),
    th.Property("parent_id", th.StringType),
    th.Property("variant_id", th.IntegerType),
    th.Property("product_id", th.IntegerType),
    th.Property("sku", th.StringType),
    th.Property("name", th.StringType),
    th.Property("url", th.StringType),
    th.Property("quantity", th.IntegerType),
    th.Property("is_taxable", th.BooleanType),
    th.Property("image_url", th.StringType),
    th.Property("discount_amount", Money),
    th.Property("coupon_amount", Money),
    th.Property("original_price", Money),
    th.Property("list_price", Money),
    th.Property("sale_price", Money),
    th.Property("extended_list_price", Money),
    th.Property("extended_sale_price", Money),
    th.Property("options", th.ArrayType(th.ObjectType(additional_properties=True))),
    additional_properties=True,
)

CART = th.ObjectType(
    th.Property("id", th.StringType),
    th.Property("customer_id", th.IntegerType),
    th.Property("channel_id", th.IntegerType),
    th.Property("email", th.StringType),
    th.Property("currency", th.ObjectType(th.Property("code", th.StringType))),
    th.Property("tax_included", th.BooleanType),
    th.Property("base_amount", Money),
    th.Property("discount_amount", Money),
    th.Property("manual_discount_amount", Money),
    th.Property("cart_amount", Money),
    th.Property("coupons", th.ArrayType(th.ObjectType(additional_properties=True))),
    th.Property("discounts", th.ArrayType(th.ObjectType(additional_properties=True))),
    th.Property(
        "line_items",
        th.ObjectType(
            th.Property("physical_items", th.ArrayType(CART_LINE_ITEM)),
            th.Property("digital_items", th.ArrayType(CART_LINE_ITEM)),
            th.Property(
                "gift_certificates", th.ArrayType(th.ObjectType(additional_properties=True))
            ),
            th.Property("custom_items", th.ArrayType(th.ObjectType(additional_properties=True))),
        ),
    ),
    th.Property("created_time", Timestamp),
    th.Property("updated_time", Timestamp),
    th.Property("locale", th.StringType),
    additional_properties=True,
)


def cart_id_of(data: Any) -> str | None:
    """The cart a delivery is about: `id` (cart), `cartId` (line item), `cart_id` (channel)."""
    if not isinstance(data, dict):
        return None
    for field in ("cart_id", "cartId"):
        if data.get(field):
            return str(data[field])
    if data.get("type") == "cart" and data.get("id"):
        return str(data["id"])
    return None


def is_cart_scope(scope: str) -> bool:
    """`store/cart/...` and the channel-scoped `store/channel/{id}/cart/...`."""
    return scope.startswith("store/cart/") or (
        scope.startswith("store/channel/") and "/cart/" in scope
    )


class CartEventsStream(InboxStream):
    name = "cart_events"
    path = "/carts"
    primary_keys: ClassVar[tuple[str, ...]] = ("event_id",)
    inbox_records_name = "cart events"
    schema = th.PropertiesList(
        th.Property(
            "event_id",
            th.StringType,
            required=True,
            description="One per distinct delivery (`hash` alone is shared by a cart's events).",
        ),
        th.Property("hash", th.StringType),
        STORE_HASH,
        th.Property("scope", th.StringType),
        th.Property("created_at", Timestamp),
        th.Property("cart_id", th.StringType),
        th.Property("data", th.ObjectType(additional_properties=True)),
        th.Property("cart", CART, description="From `GET /v3/carts/{id}`; null when it 404s."),
        *INBOX_PROPERTIES,
    ).to_dict()

    @cached_property
    def _hydrated(self) -> OrderedDict[str, dict[str, Any] | None]:
        return OrderedDict()

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        after = self.inbox_position(context)
        # Carts are cached for one pass only: a following tap reads them again on its next pass.
        self._hydrated.clear()
        idle = self.idle_carts
        last_seq = after
        for inbox_event in self.inbox.read_after(after, store_hash=self.config["store_hash"]):
            if is_cart_scope(inbox_event.scope):
                record = self._record(inbox_event)
                if idle is not None and record["cart_id"]:
                    idle.saw(record["cart_id"], inbox_event.scope, inbox_event.received_at)
                last_seq = inbox_event.seq
                yield record
        if idle is not None:
            yield from self._idle_abandonments(idle, last_seq)

    @cached_property
    def idle_carts(self) -> IdleCarts | None:
        """Carts tracked for `cart_abandon_minutes` (cart_idle.py), primed from the inbox."""
        minutes = self.config.get("cart_abandon_minutes")
        if not minutes:
            return None
        idle = IdleCarts(float(minutes))
        since = datetime.now(UTC) - idle.idle_for - IDLE_LOOKBACK
        store_hash = self.config["store_hash"]
        for inbox_event in self.inbox.read_received_since(since.isoformat(), store_hash=store_hash):
            cart_id = cart_id_of(inbox_event.payload.get("data"))
            if cart_id and is_cart_scope(inbox_event.scope):
                idle.saw(cart_id, inbox_event.scope, inbox_event.received_at)
        return idle

    def _idle_abandonments(self, idle: IdleCarts, seq: int) -> Iterator[dict[str, Any]]:
        """`store/cart/abandoned` records for the carts idle long enough, still carts now."""
        now = datetime.now(UTC)
        for cart_id, last_activity in idle.due(now).items():
            cart = self._cart(cart_id)
            if cart is None:
                continue  # converted, deleted or expired: never abandoned
            updated = to_utc_datetime(cart.get("updated_time"))
            if updated is not None and updated > last_activity:
                idle.still_active(cart_id, updated)
                continue
            key = f"idle-abandoned\n{cart_id}\n{last_activity.isoformat()}"
            event_id = hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()
            yield {
                "event_id": event_id,
                "hash": event_id,
                "scope": "store/cart/abandoned",
                "created_at": now.replace(microsecond=0).isoformat(),
                "cart_id": cart_id,
                "data": {"type": "cart", "id": cart_id, "idle_since": last_activity.isoformat()},
                "cart": cart,
                "inbox_seq": seq,  # no delivery of its own: the bookmark stays where it is
                "received_at": now.isoformat(),
            }

    def _record(self, inbox_event: InboxEvent) -> dict[str, Any]:
        data = inbox_event.payload.get("data")
        cart_id = cart_id_of(data)
        return {
            "event_id": inbox_event.event_id,
            "hash": inbox_event.hash,
            "scope": inbox_event.scope,
            "created_at": to_utc_iso(inbox_event.created_at),
            "cart_id": cart_id,
            "data": data if isinstance(data, dict) else None,
            "cart": self._cart(cart_id) if cart_id else None,
            "inbox_seq": inbox_event.seq,
            "received_at": inbox_event.received_at,
        }

    def _cart(self, cart_id: str) -> dict[str, Any] | None:
        if cart_id in self._hydrated:
            self._hydrated.move_to_end(cart_id)
            return self._hydrated[cart_id]
        try:
            response = self.get_json(f"/carts/{quote(cart_id, safe='')}", {"include": CART_INCLUDE})
            # carts.v3.yml `paths./carts/{cartId}.get.responses.200`: `{data: Cart}`.
            data = object_body(response).get("data")
            cart = data if isinstance(data, dict) else None
        except NotFoundError:
            cart = None
        self._hydrated[cart_id] = cart
        if len(self._hydrated) > HYDRATION_CACHE_SIZE:
            self._hydrated.popitem(last=False)
        return cart
