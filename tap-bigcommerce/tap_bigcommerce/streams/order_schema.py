"""Schema of the `orders` stream: v2 order fields plus embedded line items, coupons, addresses."""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

from tap_bigcommerce.streams.fields import (
    FORM_FIELD,
    STORE_HASH,
    V2_ADDRESS_FIELDS,
    Money,
    Timestamp,
    key,
)

_ORDER_MONEY = [
    "subtotal_ex_tax", "subtotal_inc_tax", "subtotal_tax", "total_ex_tax", "total_inc_tax",
    "total_tax", "base_shipping_cost", "shipping_cost_ex_tax", "shipping_cost_inc_tax",
    "shipping_cost_tax", "base_handling_cost", "handling_cost_ex_tax", "handling_cost_inc_tax",
    "handling_cost_tax", "base_wrapping_cost", "wrapping_cost_ex_tax", "wrapping_cost_inc_tax",
    "wrapping_cost_tax", "discount_amount", "coupon_discount", "refunded_amount",
    "store_credit_amount", "gift_certificate_amount", "currency_exchange_rate",
    "store_default_to_transactional_exchange_rate",
]  # fmt: skip
_ORDER_STRINGS = [
    "status", "payment_status", "payment_method", "currency_code",
    "default_currency_code", "store_default_currency_code", "cart_id", "customer_message",
    "staff_notes", "order_source", "external_source", "external_id", "external_merchant_id",
    "external_order_id", "ebay_order_id", "ip_address", "ip_address_v6", "geoip_country",
    "geoip_country_iso2", "customer_locale", "tax_provider_id",
]  # fmt: skip
_ORDER_INTEGERS = [
    "customer_id", "status_id", "currency_id", "default_currency_id", "channel_id",
    "items_total", "items_shipped", "shipping_address_count", "shipping_cost_tax_class_id",
    "handling_cost_tax_class_id", "wrapping_cost_tax_class_id",
]  # fmt: skip
_ORDER_BOOLEANS = ["is_deleted", "is_tax_inclusive_pricing", "is_email_opt_in", "order_is_digital"]

_LINE_ITEM_MONEY = [
    "base_price", "price_ex_tax", "price_inc_tax", "price_tax", "base_total", "total_ex_tax",
    "total_inc_tax", "total_tax", "base_cost_price", "cost_price_inc_tax", "cost_price_ex_tax",
    "cost_price_tax", "refund_amount", "base_wrapping_cost", "wrapping_cost_ex_tax",
    "wrapping_cost_inc_tax", "wrapping_cost_tax", "fixed_shipping_cost",
    "discounted_total_inc_tax", "weight", "width", "height", "depth",
]  # fmt: skip
_LINE_ITEM_STRINGS = [
    "name", "name_customer", "name_merchant", "sku", "upc", "type", "brand", "wrapping_name",
    "wrapping_message", "event_name", "event_date", "ebay_item_id", "ebay_transaction_id",
    "bin_picking_number", "external_id",
]  # fmt: skip
_LINE_ITEM_INTEGERS = [
    "order_id", "product_id", "variant_id", "order_address_id", "order_pickup_method_id",
    "quantity", "quantity_refunded", "quantity_shipped", "return_id", "wrapping_id",
    "option_set_id", "parent_order_product_id", "gift_certificate_id",
]  # fmt: skip


def _typed(names: list[str], kind: Any) -> list[th.Property[Any]]:
    return [th.Property(name, kind) for name in names]


APPLIED_DISCOUNT = th.ObjectType(
    th.Property("id", th.StringType),
    th.Property("amount", Money),
    th.Property("name", th.StringType),
    th.Property("code", th.StringType),
    th.Property("target", th.StringType),
)
PRODUCT_OPTION = th.ObjectType(
    th.Property("id", th.IntegerType),
    th.Property("option_id", th.IntegerType),
    th.Property("order_product_id", th.IntegerType),
    th.Property("product_option_id", th.IntegerType),
    th.Property("display_name", th.StringType),
    th.Property("display_name_customer", th.StringType),
    th.Property("display_name_merchant", th.StringType),
    th.Property("display_value", th.StringType),
    th.Property("display_value_customer", th.StringType),
    th.Property("display_value_merchant", th.StringType),
    th.Property("value", th.StringType),
    th.Property("type", th.StringType),
    th.Property("name", th.StringType),
    th.Property("display_style", th.StringType),
)

LINE_ITEM = th.ObjectType(
    key(),
    *_typed(_LINE_ITEM_MONEY, Money),
    *_typed(_LINE_ITEM_STRINGS, th.StringType),
    *_typed(_LINE_ITEM_INTEGERS, th.IntegerType),
    th.Property("is_refunded", th.BooleanType),
    th.Property("is_bundled_product", th.BooleanType),
    th.Property("applied_discounts", th.ArrayType(APPLIED_DISCOUNT)),
    th.Property("product_options", th.ArrayType(PRODUCT_OPTION)),
)

COUPON = th.ObjectType(
    key(),
    th.Property("coupon_id", th.IntegerType),
    th.Property("order_id", th.IntegerType),
    th.Property("code", th.StringType),
    th.Property("amount", Money),
    th.Property("type", th.IntegerType),
    th.Property("discount", Money),
)

SHIPPING_ADDRESS = th.ObjectType(
    key(),
    th.Property("order_id", th.IntegerType),
    *V2_ADDRESS_FIELDS,
    th.Property("items_total", th.IntegerType),
    th.Property("items_shipped", th.IntegerType),
    th.Property("shipping_method", th.StringType),
    th.Property("base_cost", Money),
    th.Property("cost_ex_tax", Money),
    th.Property("cost_inc_tax", Money),
    th.Property("cost_tax", Money),
    th.Property("cost_tax_class_id", th.IntegerType),
    th.Property("base_handling_cost", Money),
    th.Property("handling_cost_ex_tax", Money),
    th.Property("handling_cost_inc_tax", Money),
    th.Property("handling_cost_tax", Money),
    th.Property("handling_cost_tax_class_id", th.IntegerType),
    th.Property("shipping_zone_id", th.IntegerType),
    th.Property("shipping_zone_name", th.StringType),
)

BILLING_ADDRESS = th.ObjectType(*V2_ADDRESS_FIELDS)

ORDER_SCHEMA = th.PropertiesList(
    key(),
    STORE_HASH,
    th.Property("date_created", Timestamp),
    th.Property("date_modified", Timestamp),
    th.Property("date_shipped", Timestamp),
    *_typed(_ORDER_MONEY, Money),
    *_typed(_ORDER_STRINGS, th.StringType),
    *_typed(_ORDER_INTEGERS, th.IntegerType),
    *_typed(_ORDER_BOOLEANS, th.BooleanType),
    # orders.v2.oas2.yml `components.schemas.order_Shared.properties.payment_provider_id`:
    # oneOf string/number (an external transaction id); a number is kept exactly.
    th.Property("payment_provider_id", th.CustomType({"type": ["string", "number", "null"]})),
    th.Property("billing_address", BILLING_ADDRESS),
    th.Property(
        "line_items",
        th.ArrayType(LINE_ITEM),
        description="Every line item of the order (v2 order products), never truncated.",
    ),
    th.Property(
        "coupons",
        th.ArrayType(COUPON),
        description=(
            "The order's coupons from `/orders/{id}/coupons`, when asked (see `order_coupons`); "
            "empty when the line items account for the coupon discount."
        ),
    ),
    th.Property(
        "coupon_codes",
        th.ArrayType(th.StringType),
        description=(
            "Every coupon code the order used: from the line items' `applied_discounts`, plus "
            "those `/orders/{id}/coupons` returned when it was asked."
        ),
    ),
    th.Property("shipping_addresses", th.ArrayType(SHIPPING_ADDRESS)),
    th.Property(
        "status_scope",
        th.StringType,
        description="Which pass listed the order: `default`, `archived` or `incomplete`.",
    ),
    th.Property(
        "is_archived",
        th.BooleanType,
        required=True,
        description="True when BigCommerce archived (soft-deleted) the order (`is_deleted`).",
    ),
).to_dict()

__all__ = ["FORM_FIELD", "ORDER_SCHEMA"]
