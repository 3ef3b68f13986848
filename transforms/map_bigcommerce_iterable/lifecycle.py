"""Lifecycle events with deterministic ids: account created, first and repeat purchase, order
status changed, shipped, cancelled (refunds: `refunds.py`; carts and checkout: `carts.py`)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from map_bigcommerce_iterable.context import MapperContext
from map_bigcommerce_iterable.identity import Identity
from map_bigcommerce_iterable.normalise import integer, money, parse_timestamp, text, unix_seconds
from map_bigcommerce_iterable.order_facts import OrderFacts

INCOMPLETE_STATUS_ID = 0
CANCELLED_STATUS_ID = 5
# BigCommerce's system labels (GET /v2/order_statuses), for the name of a previous status.
STATUS_NAMES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}


def emit_account_created(
    ctx: MapperContext,
    identity: Identity,
    record: dict[str, Any],
    store_hash: str,
    customer_id: int,
) -> None:
    """`account_created` (a welcome journey's trigger), dated by the customer's `date_created`."""
    created = parse_timestamp(record.get("date_created"), "customers.date_created")
    if created is None or not ctx.lifecycle_allowed(created):
        return
    facts = ctx.store_facts(store_hash)
    ctx.emit_event(
        identity,
        "account_created",
        f"{store_hash}-customer-{customer_id}-created",
        int(created.timestamp()),
        {
            "customerId": customer_id,
            "storeHash": store_hash,
            "currencyCode": facts.currency,
            "locale": facts.locale,
            "customerGroupId": integer(
                record.get("customer_group_id"), "customers.customer_group_id"
            ),
            "originChannelId": integer(
                record.get("origin_channel_id"), "customers.origin_channel_id"
            ),
        },
    )


def emit_purchase_milestone(
    ctx: MapperContext, identity: Identity, record: dict[str, Any], order: OrderFacts
) -> None:
    """`first_purchase` or `repeat_purchase` for a qualifying order (already in the ledger).

    A person's first purchase is decided once and remembered, so an order's event id never
    changes: the earliest-created qualifying order among those seen when the question first came up.
    """
    first = ctx.store.first_purchase(identity.person_id)
    if first is None:
        first = min(
            (
                (row.date_created or "", store_hash, row.order_id)
                for store_hash, row in ctx.store.ledger_rows(identity.person_id)
                if row.qualifies
            ),
            default=("", order.store_hash, order.order_id),
        )[1:]
        ctx.store.put_first_purchase(identity.person_id, *first)
    if not ctx.lifecycle_allowed(order.created):
        return
    is_first = first == (order.store_hash, order.order_id)
    items = [item for item in record.get("line_items") or [] if isinstance(item, dict)]
    ctx.emit_event(
        identity,
        "first_purchase" if is_first else "repeat_purchase",
        f"{order.store_hash}-{order.order_id}-{'first' if is_first else 'repeat'}-purchase",
        int(order.created.timestamp()) if order.created else None,
        {
            "orderId": order.order_id,
            "storeHash": order.store_hash,
            "currencyCode": order.currency,
            "locale": order.locale,
            "total": money(order.total, order.currency, "orders.total_inc_tax"),
            "itemsCount": sum(
                integer(item.get("quantity"), "orders.line_items.quantity") or 0 for item in items
            ),
            "productNames": [name for item in items if (name := text(item.get("name")))],
        },
    )


def emit_lifecycle_events(
    ctx: MapperContext, identity: Identity, record: dict[str, Any], order: OrderFacts
) -> None:
    prefix = f"{order.store_hash}-{order.order_id}"
    common = {
        "orderId": order.order_id,
        "storeHash": order.store_hash,
        "currencyCode": order.currency,
        "total": money(order.total, order.currency, "orders.total_inc_tax"),
    }
    if order.status_id is not None:
        seen_at = (order.modified or order.created or datetime.now().astimezone()).isoformat()
        first_seen, previous = ctx.store.status_change(
            order.store_hash, order.order_id, order.status_id, seen_at
        )
        when = parse_timestamp(first_seen, "order status first seen")
        # An Incomplete order is an unfinished checkout, not yet an order anyone should hear of.
        if order.status_id != INCOMPLETE_STATUS_ID and ctx.lifecycle_allowed(when):
            ctx.emit_event(
                identity,
                "order_status_changed",
                f"{prefix}-status-{order.status_id}",
                unix_seconds(first_seen, "order status first seen"),
                {
                    **common,
                    "status": text(record.get("status")) or STATUS_NAMES.get(order.status_id),
                    "statusId": order.status_id,
                    "previousStatusId": previous,
                    "previousStatus": STATUS_NAMES.get(previous) if previous is not None else None,
                },
            )
            if order.status_id == CANCELLED_STATUS_ID:
                ctx.emit_event(
                    identity,
                    "order_cancelled",
                    f"{prefix}-cancelled",
                    unix_seconds(first_seen, "order status first seen"),
                    common,
                )
    shipped = parse_timestamp(record.get("date_shipped"), "orders.date_shipped")
    if shipped is not None and ctx.lifecycle_allowed(shipped):
        addresses = [a for a in record.get("shipping_addresses") or [] if isinstance(a, dict)]
        ctx.emit_event(
            identity,
            "order_shipped",
            f"{prefix}-shipped",
            int(shipped.timestamp()),
            {
                **common,
                "itemsShipped": integer(record.get("items_shipped"), "orders.items_shipped"),
                "shippingMethod": text(addresses[0].get("shipping_method")) if addresses else None,
            },
        )
