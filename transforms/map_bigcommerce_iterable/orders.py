"""Orders: the ledger row (lifetime value), the purchase, guest profiles; lifecycle events in
`lifecycle.py`."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from map_bigcommerce_iterable.catalog import product_image
from map_bigcommerce_iterable.consent import checkout_consent
from map_bigcommerce_iterable.context import MapperContext, require_id, require_store_hash
from map_bigcommerce_iterable.customers import offer_store_fields, remember_shopper_locale
from map_bigcommerce_iterable.identity import Identity
from map_bigcommerce_iterable.ids import purchase_id
from map_bigcommerce_iterable.lifecycle import emit_lifecycle_events, emit_purchase_milestone
from map_bigcommerce_iterable.normalise import (
    NormalisationError,
    catalog_safe,
    integer,
    iterable_date,
    money,
    text,
    to_decimal,
    unix_seconds,
)
from map_bigcommerce_iterable.order_facts import OrderFacts


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
        why = (
            "an email-based project identifies people by email"
            if customer_id
            else "no customer_id either (a guest order)"
        )
        msg = (
            f"orders record {order_id}: unresolvable identity: no usable billing_address.email, "
            f"{why}"
        )
        raise NormalisationError(msg, "orders.billing_address.email")
    order = OrderFacts.read(ctx, store_hash, order_id, record)
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
        emit_purchase_milestone(ctx, identity, record, order)
    emit_lifecycle_events(ctx, identity, record, order)


def _update_profile(
    ctx: MapperContext,
    identity: Identity,
    record: dict[str, Any],
    *,
    billing: dict[str, Any],
    customer_id: int,
    order: OrderFacts,
) -> None:
    offer_store_fields(ctx, identity, order.store_hash)
    fields: dict[str, Any] = {**identity.profile_fields, **checkout_consent(record)}
    shopper_locale = text(record.get("customer_locale"))
    if shopper_locale:
        # Remembered: the person's records without one keep it (not the store's default).
        remember_shopper_locale(ctx, identity, shopper_locale, order.modified)
        fields["locale"] = shopper_locale
    guest = not customer_id and not identity.registered
    if guest:
        # Only guests take their name and phone from the billing address; customers own theirs.
        fields.update(
            {
                "customerType": "guest",
                "firstName": text(billing.get("first_name")),
                "lastName": text(billing.get("last_name")),
                "phone": text(billing.get("phone")),
            }
        )
    ctx.update_user(identity, fields, order.modified)
    if guest:
        countries = (
            text(billing.get("country_iso2")),
            ctx.store_facts(order.store_hash).country_code,
        )
        ctx.offer_phone(identity, billing.get("phone"), countries, order.modified)


def _purchase(
    ctx: MapperContext, identity: Identity, record: dict[str, Any], order: OrderFacts
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
        "couponCodes": _coupon_codes(record, coupons),
        "channelId": integer(record.get("channel_id"), "orders.channel_id"),
        "orderSource": text(record.get("order_source")),
        # The cart this order converted: the target sends no cart update after the purchase.
        "cartId": text(record.get("cart_id")),
        "paymentMethod": text(record.get("payment_method")),
        "customerType": "registered" if identity.registered else "guest",
        "itemsCount": sum(
            integer(item.get("quantity"), "orders.line_items.quantity") or 0
            for item in record.get("line_items") or []
            if isinstance(item, dict)
        ),
    }
    # Iterable's purchase `total` has no currency (Swagger TrackPurchaseRequest.total: "Total order
    # dollar amount"): it is sent in one revenue currency for the whole project; the order's own
    # currency and amounts stay in `currencyCode` and the other amount fields.
    data_fields["revenueCurrency"] = order.revenue_currency
    if order.ltv_factor is None:
        ctx.skip(
            f"purchase total left in {order.currency} (no exchange rate to {order.ltv_currency})"
        )
    purchase: dict[str, Any] = {
        "id": purchase_id(order.store_hash, order.order_id),
        "user": dict(identity.key),
        "items": [
            _line_item(ctx, order, item)
            for item in record.get("line_items") or []
            if isinstance(item, dict)
        ],
        "total": order.revenue_money(order.total, "orders.total_inc_tax"),
        "dataFields": ctx.guard.check(
            "purchases", {k: v for k, v in data_fields.items() if v is not None}
        ),
    }
    created_at = unix_seconds(record.get("date_created"), "orders.date_created")
    if created_at is not None:
        purchase["createdAt"] = created_at
    return purchase


def _coupon_codes(record: dict[str, Any], coupons: list[dict[str, Any]]) -> list[str]:
    """The tap's `coupon_codes` (read from the line items), and the codes of any coupons it
    fetched (records from older taps carry only those), each once."""
    listed = record.get("coupon_codes")
    raw = [*(listed if isinstance(listed, list) else []), *(c.get("code") for c in coupons)]
    return list(dict.fromkeys(code for value in raw if (code := text(value))))


def _line_item(ctx: MapperContext, order: OrderFacts, item: dict[str, Any]) -> dict[str, Any]:
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
        "price": order.revenue_money(item.get(price_field), f"orders.line_items.{price_field}")
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
