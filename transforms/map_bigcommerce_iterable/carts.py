"""Cart webhook deliveries: the whole current cart (updateCart replaces it) and cart events.

`store/cart/*` and `store/channel/{id}/cart/*` scopes are treated alike. BigCommerce has no checkout
webhook; a guest entering an email fires `cart/updated`, so the first cart event of a guest cart
that carries an email is taken as `checkout_started` (registered shoppers' carts carry an email from
the start, so no checkout signal exists for them).
"""

from __future__ import annotations

import string
from typing import Any

from map_bigcommerce_iterable.context import MapperContext, require_store_hash
from map_bigcommerce_iterable.customers import offer_store_fields
from map_bigcommerce_iterable.identity import Identity
from map_bigcommerce_iterable.normalise import (
    catalog_safe,
    integer,
    money,
    text,
    to_decimal,
    unix_seconds,
)

_CHANGE_ACTIONS = {"created", "updated", "lineItem", "couponApplied", "*"}
_ITEM_KINDS = ("physical_items", "digital_items", "custom_items")


def cart_action(scope: str) -> str:
    """The action of a cart scope.

    `store/cart/lineItem/updated` -> `lineItem`; `store/channel/1/cart/abandoned` -> `abandoned`.
    """
    parts = scope.split("/")
    if "cart" not in parts:
        return ""
    index = parts.index("cart")
    return parts[index + 1] if index + 1 < len(parts) else "*"


def handle_cart_events(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("cart_events", record)
    action = cart_action(text(record.get("scope")) or "")
    raw_data, raw_cart = record.get("data"), record.get("cart")
    data: dict[str, Any] = raw_data if isinstance(raw_data, dict) else {}
    cart: dict[str, Any] | None = raw_cart if isinstance(raw_cart, dict) else None
    cart_id = (
        text(record.get("cart_id"))
        or text(data.get("cart_id"))
        or text(data.get("cartId"))
        or text(data.get("id"))
    )
    if not action or not cart_id:
        ctx.skip("cart event without a cart scope or cart id")
        return
    identity = _identity(ctx, store_hash, cart_id, cart)
    if identity is None:
        ctx.skip("cart of an anonymous shopper")
        return
    ctx.store.put_cart(store_hash, cart_id, identity.person_id)
    # The target sends users first: make sure the person exists before their cart or events.
    offer_store_fields(ctx, identity, store_hash)
    ctx.update_user(identity, identity.profile_fields, None)
    stamp = unix_seconds(record.get("created_at"), "cart_events.created_at")
    if action in _CHANGE_ACTIONS:
        if cart is None:
            ctx.skip("cart changed but no longer exists")
            return
        ctx.emit(
            "carts",
            {"user": dict(identity.key), "items": _items(ctx, store_hash, cart), "cartId": cart_id},
        )
        if not integer(cart.get("customer_id"), "cart.customer_id") and text(cart.get("email")):
            started = ctx.store.checkout_started(
                store_hash, cart_id, str(record.get("created_at") or "")
            )
            ctx.emit_event(
                identity,
                "checkout_started",
                f"{store_hash}-cart-{cart_id}-checkout",
                unix_seconds(started, "cart_events.created_at") if started else stamp,
                _cart_fields(ctx, store_hash, cart_id, cart),
            )
    elif action == "deleted":
        ctx.emit("carts", {"user": dict(identity.key), "items": [], "cartId": cart_id})
    elif action == "abandoned":
        updated = unix_seconds(cart.get("updated_time"), "cart.updated_time") if cart else None
        ctx.emit_event(
            identity,
            "cart_abandoned",
            f"{store_hash}-cart-{cart_id}-abandoned-{updated or stamp}",
            stamp,
            {
                **_cart_fields(ctx, store_hash, cart_id, cart),
                "items": _items(ctx, store_hash, cart) if cart else None,
                "recoveryToken": text(data.get("token")),
                "recoveryUrl": _recovery_url(
                    ctx, store_hash, cart_id, cart, text(data.get("token"))
                ),
            },
        )
    elif action == "converted":
        ctx.emit_event(
            identity,
            "cart_converted",
            f"{store_hash}-cart-{cart_id}-converted",
            stamp,
            {
                **_cart_fields(ctx, store_hash, cart_id, cart),
                "orderId": integer(data.get("orderId") or data.get("order_id"), "data.orderId"),
            },
        )
    else:
        ctx.skip(f"cart action {action} not mapped")


def _identity(
    ctx: MapperContext, store_hash: str, cart_id: str, cart: dict[str, Any] | None
) -> Identity | None:
    if cart is not None:
        customer_id = integer(cart.get("customer_id"), "cart.customer_id") or 0
        identity = ctx.resolver.resolve(
            store_hash, customer_id, cart.get("email"), account_email=False
        )
        if identity is not None:
            return identity
    person_id = ctx.store.cart_person(store_hash, cart_id)
    return ctx.resolver.identity_of(person_id) if person_id is not None else None


def _currency(cart: dict[str, Any] | None) -> str | None:
    currency = cart.get("currency") if cart else None
    return text(currency.get("code")) if isinstance(currency, dict) else None


def _line_items(cart: dict[str, Any]) -> list[dict[str, Any]]:
    raw = cart.get("line_items")
    groups: dict[str, Any] = raw if isinstance(raw, dict) else {}
    return [
        item for kind in _ITEM_KINDS for item in groups.get(kind) or [] if isinstance(item, dict)
    ]


def _items(ctx: MapperContext, store_hash: str, cart: dict[str, Any]) -> list[dict[str, Any]]:
    currency = _currency(cart)
    items = []
    for item in _line_items(cart):
        product_id = integer(item.get("product_id"), "cart.line_items.product_id") or 0
        sku = text(item.get("sku"))
        if product_id:
            item_id = ctx.item_id(store_hash, product_id)
        else:
            item_id = catalog_safe(f"{store_hash}-sku-{sku or item.get('id')}")
        product = (ctx.store.product(store_hash, product_id) if product_id else None) or {}
        price = (
            item.get("sale_price") if item.get("sale_price") is not None else item.get("list_price")
        )
        result = {
            "id": item_id,
            "sku": sku,
            "name": text(item.get("name")) or sku or item_id,
            "price": money(price, currency, "cart.line_items.sale_price") or 0.0,
            "quantity": max(integer(item.get("quantity"), "cart.line_items.quantity") or 0, 0),
            "categories": product.get("categories") or None,
            "url": text(item.get("url")) or product.get("url"),
            "imageUrl": text(item.get("image_url")) or product.get("image_url"),
            "dataFields": ctx.guard.check(
                "cart items",
                {
                    k: v
                    for k, v in {
                        "productId": product_id or None,
                        "variantId": integer(item.get("variant_id"), "cart.line_items.variant_id"),
                        "listPrice": money(
                            item.get("list_price"), currency, "cart.line_items.list_price"
                        ),
                        "extendedSalePrice": money(
                            item.get("extended_sale_price"),
                            currency,
                            "cart.line_items.extended_sale_price",
                        ),
                        "currencyCode": currency,
                    }.items()
                    if v is not None
                },
            ),
        }
        items.append({k: v for k, v in result.items() if v is not None})
    return items


def _recovery_url(
    ctx: MapperContext,
    store_hash: str,
    cart_id: str,
    cart: dict[str, Any] | None,
    token: str | None,
) -> str | None:
    """The cart's own `redirect_urls.cart_url` when the tap read it, else the configured template
    (default: the storefront's cart page); None when the template needs a value we lack."""
    redirect_urls = cart.get("redirect_urls") if cart else None
    if isinstance(redirect_urls, dict) and text(redirect_urls.get("cart_url")):
        return text(redirect_urls.get("cart_url"))
    template = ctx.settings.cart_recovery_url_template
    values = {
        "store_url": (ctx.store_facts(store_hash).base_url or "").rstrip("/") or None,
        "cart_id": cart_id,
        "token": token,
    }
    needed = {name for _, name, _, _ in string.Formatter().parse(template) if name}
    if not template or any(values.get(name) is None for name in needed):
        return None
    return template.format(**values)


def _cart_fields(
    ctx: MapperContext, store_hash: str, cart_id: str, cart: dict[str, Any] | None
) -> dict[str, Any]:
    store_currency = ctx.store_facts(store_hash).currency
    fields: dict[str, Any] = {
        "cartId": cart_id,
        "storeHash": store_hash,
        "currencyCode": store_currency,
    }
    if cart is not None:
        currency = _currency(cart) or store_currency
        items = _line_items(cart)
        amount = to_decimal(cart.get("cart_amount"), "cart.cart_amount")
        fields.update(
            {
                "currencyCode": currency,
                "cartTotal": money(amount, currency, "cart.cart_amount")
                if amount is not None
                else None,
                "itemsCount": sum(
                    integer(item.get("quantity"), "cart.line_items.quantity") or 0 for item in items
                ),
                "productNames": [name for item in items if (name := text(item.get("name")))],
                "locale": text(cart.get("locale")) or ctx.store_facts(store_hash).locale,
            }
        )
    return fields
