"""Orders: the ledger row (lifetime value), the purchase, lifecycle events and guest profiles."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from map_bigcommerce_iterable.catalog import product_image
from map_bigcommerce_iterable.context import MapperContext, require_id, require_store_hash
from map_bigcommerce_iterable.currency import conversion_factor
from map_bigcommerce_iterable.customers import store_fields
from map_bigcommerce_iterable.identity import Identity
from map_bigcommerce_iterable.normalise import (
    NormalisationError,
    boolean,
    catalog_safe,
    integer,
    iterable_date,
    money,
    parse_timestamp,
    text,
    to_decimal,
    unix_seconds,
)

logger = logging.getLogger(__name__)

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


def handle_orders(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("orders", record)
    order_id = require_id("orders", record)
    customer_id = integer(record.get("customer_id"), "orders.customer_id") or 0
    raw_billing = record.get("billing_address")
    billing: dict[str, Any] = raw_billing if isinstance(raw_billing, dict) else {}
    identity = ctx.resolver.resolve(
        store_hash, customer_id, billing.get("email"), account_email=False
    )
    if identity is None:
        ctx.skip("order without a customer or billing email")
        return
    order = _OrderFacts.read(ctx, store_hash, order_id, record)
    previous_person = ctx.store.order_person(store_hash, order_id)
    ctx.store.put_order(store_hash, order_id, order.ledger_values(identity.person_id))
    ctx.users.mark_ltv(identity)
    if previous_person is not None and previous_person != identity.person_id:
        moved_from = ctx.resolver.identity_of(previous_person)
        if moved_from is not None:
            ctx.users.mark_ltv(moved_from)
    _update_profile(ctx, identity, record, billing=billing, customer_id=customer_id, order=order)
    if order.qualifies:
        ctx.emit("purchases", _purchase(ctx, identity, record, order))
    _lifecycle_events(ctx, identity, record, order)


@dataclass(frozen=True)
class _OrderFacts:
    """The normalised facts of one order that several outputs share."""

    store_hash: str
    order_id: int
    status_id: int | None
    qualifies: bool
    currency: str
    total: Decimal
    refunded: Decimal
    ltv_currency: str
    ltv_factor: Decimal | None
    reporting_factor: Decimal | None
    created: datetime | None
    modified: datetime | None
    locale: str | None

    @classmethod
    def read(
        cls, ctx: MapperContext, store_hash: str, order_id: int, record: dict[str, Any]
    ) -> _OrderFacts:
        facts = ctx.store_facts(store_hash)
        status_id = integer(record.get("status_id"), "orders.status_id")
        archived = bool(boolean(record.get("is_archived"), "orders.is_archived")) or bool(
            boolean(record.get("is_deleted"), "orders.is_deleted")
        )
        currency = (
            text(record.get("default_currency_code"))
            or text(record.get("currency_code"))
            or facts.currency
        )
        if not currency:
            msg = f"orders record {order_id}: no currency (default_currency_code/currency_code)"
            raise NormalisationError(msg)
        currency = currency.upper()
        store_currency = (
            text(record.get("store_default_currency_code")) or facts.currency or currency
        ).upper()
        total = to_decimal(record.get("total_inc_tax"), "orders.total_inc_tax")
        if total is None:
            msg = f"orders record {order_id}: missing field total_inc_tax"
            raise NormalisationError(msg)

        def factor(target: str) -> Decimal | None:
            return conversion_factor(
                order_currency=currency,
                store_currency=store_currency,
                store_to_order_rate=to_decimal(
                    record.get("store_default_to_transactional_exchange_rate"),
                    "orders.store_default_to_transactional_exchange_rate",
                ),
                target_currency=target,
                store_rate=ctx.currency_rate(store_hash),
            )

        reporting = ctx.settings.reporting_currency
        ltv_currency = reporting or store_currency
        return cls(
            store_hash=store_hash,
            order_id=order_id,
            status_id=status_id,
            qualifies=status_id in ctx.settings.purchase_status_ids and not archived,
            currency=currency,
            total=total,
            refunded=to_decimal(record.get("refunded_amount"), "orders.refunded_amount")
            or Decimal(0),
            ltv_currency=ltv_currency,
            ltv_factor=factor(ltv_currency),
            reporting_factor=factor(reporting) if reporting else None,
            created=parse_timestamp(record.get("date_created"), "orders.date_created"),
            modified=parse_timestamp(record.get("date_modified"), "orders.date_modified"),
            locale=text(record.get("customer_locale")) or facts.locale,
        )

    def ledger_values(self, person_id: int) -> dict[str, Any]:
        return {
            "person_id": person_id,
            "qualifies": self.qualifies,
            "total": str(self.total),
            "refunded": str(self.refunded),
            "currency": self.currency,
            "ltv_currency": self.ltv_currency,
            "ltv_factor": str(self.ltv_factor) if self.ltv_factor is not None else None,
            "date_created": self.created.isoformat() if self.created else None,
        }

    def money(self, record: dict[str, Any], field: str) -> float | None:
        return money(record.get(field), self.currency, f"orders.{field}")


def _update_profile(
    ctx: MapperContext,
    identity: Identity,
    record: dict[str, Any],
    *,
    billing: dict[str, Any],
    customer_id: int,
    order: _OrderFacts,
) -> None:
    fields: dict[str, Any] = {
        **identity.profile_fields,
        **store_fields(ctx, order.store_hash),
        "emailOptInAtCheckout": boolean(record.get("is_email_opt_in"), "orders.is_email_opt_in"),
    }
    if order.locale:
        fields["locale"] = order.locale
    if not customer_id and not identity.registered:
        # Only guests take their name from the billing address; customers own their profile.
        fields.update(
            {
                "customerType": "guest",
                "firstName": text(billing.get("first_name")),
                "lastName": text(billing.get("last_name")),
            }
        )
    ctx.update_user(identity, fields, order.modified)


def _purchase(
    ctx: MapperContext, identity: Identity, record: dict[str, Any], order: _OrderFacts
) -> dict[str, Any]:
    coupons = [c for c in record.get("coupons") or [] if isinstance(c, dict)]
    data_fields: dict[str, Any] = {
        "orderId": order.order_id,
        "storeHash": order.store_hash,
        "currencyCode": order.currency,
        "locale": order.locale,
        "status": text(record.get("status")),
        "statusId": order.status_id,
        "orderDate": iterable_date(record.get("date_created"), "orders.date_created"),
        "subtotalExTax": order.money(record, "subtotal_ex_tax"),
        "subtotalIncTax": order.money(record, "subtotal_inc_tax"),
        "totalExTax": order.money(record, "total_ex_tax"),
        "totalIncTax": order.money(record, "total_inc_tax"),
        "totalTax": order.money(record, "total_tax"),
        "shippingCostIncTax": order.money(record, "shipping_cost_inc_tax"),
        "discountAmount": order.money(record, "discount_amount"),
        "couponDiscount": order.money(record, "coupon_discount"),
        "refundedAmount": order.money(record, "refunded_amount"),
        "couponCodes": [code for c in coupons if (code := text(c.get("code")))],
        "channelId": integer(record.get("channel_id"), "orders.channel_id"),
        "orderSource": text(record.get("order_source")),
        "paymentMethod": text(record.get("payment_method")),
        "customerType": "registered" if identity.registered else "guest",
        "itemsCount": sum(
            integer(item.get("quantity"), "orders.line_items.quantity") or 0
            for item in record.get("line_items") or []
            if isinstance(item, dict)
        ),
    }
    reporting = ctx.settings.reporting_currency
    if reporting and order.reporting_factor is not None:
        data_fields["reportingCurrency"] = reporting
        data_fields["totalInReportingCurrency"] = money(
            order.total * order.reporting_factor, reporting, "orders.total_inc_tax"
        )
    purchase: dict[str, Any] = {
        "id": f"{order.store_hash}-{order.order_id}",
        "user": dict(identity.key),
        "items": [
            _line_item(ctx, order, item)
            for item in record.get("line_items") or []
            if isinstance(item, dict)
        ],
        "total": money(order.total, order.currency, "orders.total_inc_tax"),
        "dataFields": ctx.guard.check(
            "purchases", {k: v for k, v in data_fields.items() if v is not None}
        ),
    }
    created_at = unix_seconds(record.get("date_created"), "orders.date_created")
    if created_at is not None:
        purchase["createdAt"] = created_at
    return purchase


def _line_item(ctx: MapperContext, order: _OrderFacts, item: dict[str, Any]) -> dict[str, Any]:
    store_hash = order.store_hash
    product_id = integer(item.get("product_id"), "orders.line_items.product_id") or 0
    sku = text(item.get("sku"))
    if product_id:
        item_id = ctx.item_id(store_hash, product_id)
    elif sku:
        item_id = catalog_safe(f"{store_hash}-sku-{sku}")
    else:
        item_id = f"{store_hash}-line-{item.get('id')}"
    product = ctx.store.product(store_hash, product_id) if product_id else None
    product = product or {}
    discounts = [
        amount
        for discount in item.get("applied_discounts") or []
        if isinstance(discount, dict)
        and (amount := to_decimal(discount.get("amount"), "orders.line_items.applied_discounts"))
        is not None
    ]
    price_field = "price_inc_tax" if item.get("price_inc_tax") is not None else "base_price"
    result: dict[str, Any] = {
        "id": item_id,
        "sku": sku,
        "name": text(item.get("name")) or sku or item_id,
        "price": money(item.get(price_field), order.currency, f"orders.line_items.{price_field}")
        or 0.0,
        "quantity": max(integer(item.get("quantity"), "orders.line_items.quantity") or 0, 0),
        "categories": product.get("categories") or None,
        "url": product.get("url"),
        "imageUrl": product.get("image_url") or product_image(item),
        "dataFields": ctx.guard.check(
            "purchase items",
            {
                k: v
                for k, v in {
                    "productId": product_id or None,
                    "variantId": integer(item.get("variant_id"), "orders.line_items.variant_id")
                    or None,
                    "lineItemId": integer(item.get("id"), "orders.line_items.id"),
                    "basePrice": order.money(item, "base_price"),
                    "priceExTax": order.money(item, "price_ex_tax"),
                    "priceIncTax": order.money(item, "price_inc_tax"),
                    "totalIncTax": order.money(item, "total_inc_tax"),
                    "discountAmount": money(
                        sum(discounts, Decimal(0)), order.currency, "applied_discounts"
                    )
                    if discounts
                    else None,
                    "brand": product.get("brand") or text(item.get("brand")),
                    "currencyCode": order.currency,
                }.items()
                if v is not None
            },
        ),
    }
    return {k: v for k, v in result.items() if v is not None}


def _lifecycle_events(
    ctx: MapperContext, identity: Identity, record: dict[str, Any], order: _OrderFacts
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
