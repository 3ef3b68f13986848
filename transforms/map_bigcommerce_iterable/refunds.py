"""Refunds: recorded against the order's ledger row (lifetime value drops) and sent as an event."""

from __future__ import annotations

from typing import Any

from map_bigcommerce_iterable.context import MapperContext, require_id, require_store_hash
from map_bigcommerce_iterable.normalise import (
    NormalisationError,
    money,
    parse_timestamp,
    text,
    to_decimal,
    unix_seconds,
)


def handle_refunds(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("refunds", record)
    refund_id = require_id("refunds", record)
    order_id = require_id("refunds", record, "order_id")
    amount = to_decimal(record.get("total_amount"), "refunds.total_amount")
    if amount is None:
        msg = f"refunds record {refund_id}: missing field total_amount"
        raise NormalisationError(msg, "refunds.total_amount")
    ctx.store.put_refund(store_hash, refund_id, order_id, amount)
    person_id = ctx.store.order_person(store_hash, order_id)
    identity = ctx.resolver.identity_of(person_id) if person_id is not None else None
    if identity is None:
        # The order was never seen, or belongs to nobody addressable (a guest without email).
        # Kept in the store: the order's lifetime value includes it once the order is seen.
        ctx.skip("refund of an order without a known person")
        return
    ctx.users.mark_ltv(identity)
    created = parse_timestamp(record.get("created"), "refunds.created")
    if not ctx.lifecycle_allowed(created):
        return
    currency = ctx.store.order_currency(store_hash, order_id)
    ctx.emit_event(
        identity,
        "order_refunded",
        f"{store_hash}-refund-{refund_id}",
        unix_seconds(record.get("created"), "refunds.created"),
        {
            "orderId": order_id,
            "refundId": refund_id,
            "storeHash": store_hash,
            "amount": money(amount, currency, "refunds.total_amount"),
            "currencyCode": currency,
            "reason": text(record.get("reason")),
            "itemsCount": len(record.get("items") or []),
        },
    )
