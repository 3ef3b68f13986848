"""Records rendered as BigCommerce v2 JSON: RFC 2822 dates, 4-decimal money strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.bigcommerce.wire import v2_date, v2_money, v2_rate
from sandbox.generator.catalog import Catalog
from sandbox.generator.model import (
    Currency,
    CustomerGroup,
    LineItem,
    Order,
    OrderCoupon,
    PostalAddress,
    StoreProfile,
)
from sandbox.generator.orders import STATUS_NAMES

ZERO = Decimal("0")
EMBEDDED_LINE_ITEMS = 50  # consignments embed at most this many line items


def _resource(base: str, path: str) -> dict[str, str]:
    return {"url": f"{base}{path}", "resource": path}


def address(value: PostalAddress) -> dict[str, Any]:
    return {
        "first_name": value.first_name,
        "last_name": value.last_name,
        "company": value.company,
        "street_1": value.street_1,
        "street_2": value.street_2,
        "city": value.city,
        "state": value.state,
        "zip": value.zip,
        "country": value.country,
        "country_iso2": value.country_iso2,
        "phone": value.phone,
        "email": value.email,
    }


def order(value: Order, base: str) -> dict[str, Any]:
    """`base` = `https://.../stores/{hash}/v2` for the sub-resource links."""
    zero = v2_money(ZERO)
    shipping_tax = value.shipping_inc_tax - value.shipping_ex_tax
    return {
        "id": value.id,
        "customer_id": value.customer_id,
        "date_created": v2_date(value.date_created),
        "date_modified": v2_date(value.date_modified),
        "date_shipped": v2_date(value.date_shipped),
        "status_id": value.status_id,
        "status": STATUS_NAMES[value.status_id],
        "subtotal_ex_tax": v2_money(value.subtotal_ex_tax),
        "subtotal_inc_tax": v2_money(value.subtotal_inc_tax),
        "subtotal_tax": v2_money(value.subtotal_inc_tax - value.subtotal_ex_tax),
        "base_shipping_cost": v2_money(value.shipping_ex_tax),
        "shipping_cost_ex_tax": v2_money(value.shipping_ex_tax),
        "shipping_cost_inc_tax": v2_money(value.shipping_inc_tax),
        "shipping_cost_tax": v2_money(shipping_tax),
        "shipping_cost_tax_class_id": 2,
        "base_handling_cost": zero,
        "handling_cost_ex_tax": zero,
        "handling_cost_inc_tax": zero,
        "handling_cost_tax": zero,
        "handling_cost_tax_class_id": 2,
        "base_wrapping_cost": zero,
        "wrapping_cost_ex_tax": zero,
        "wrapping_cost_inc_tax": zero,
        "wrapping_cost_tax": zero,
        "wrapping_cost_tax_class_id": 3,
        "total_ex_tax": v2_money(value.total_ex_tax),
        "total_inc_tax": v2_money(value.total_inc_tax),
        "total_tax": v2_money(value.total_tax),
        "items_total": value.items_total,
        "items_shipped": value.items_total if value.date_shipped else 0,
        "payment_method": value.payment_method,
        "payment_provider_id": "",
        "payment_status": value.payment_status,
        "refunded_amount": v2_money(value.refunded_amount),
        "order_is_digital": False,
        "store_credit_amount": v2_money(value.store_credit_amount),
        "gift_certificate_amount": zero,
        "ip_address": value.ip_address,
        "ip_address_v6": "",
        "geoip_country": value.billing_address.country,
        "geoip_country_iso2": value.billing_address.country_iso2,
        "currency_id": value.currency_id,
        "currency_code": value.currency_code,
        "currency_exchange_rate": v2_rate(value.exchange_rate),
        "default_currency_id": value.currency_id,
        "default_currency_code": value.currency_code,
        "store_default_currency_code": value.store_currency_code,
        "store_default_to_transactional_exchange_rate": v2_rate(value.exchange_rate),
        "staff_notes": value.staff_notes,
        "customer_message": value.customer_message,
        "discount_amount": v2_money(value.discount_amount),
        "coupon_discount": v2_money(value.coupon_discount),
        "shipping_address_count": len(value.shipping_addresses),
        "is_deleted": value.is_deleted,
        "ebay_order_id": "0",
        "cart_id": value.cart_id,
        "billing_address": {**address(value.billing_address), "form_fields": []},
        "is_email_opt_in": value.is_email_opt_in,
        "order_source": value.order_source,
        "channel_id": value.channel_id,
        "external_source": None,
        "external_id": None,
        "external_merchant_id": None,
        "tax_provider_id": "BasicTaxProvider",
        "customer_locale": value.customer_locale,
        "external_order_id": "",
        "is_tax_inclusive_pricing": False,
        "products": _resource(base, f"/orders/{value.id}/products"),
        "shipping_addresses": _resource(base, f"/orders/{value.id}/shipping_addresses"),
        "coupons": _resource(base, f"/orders/{value.id}/coupons"),
    }


def line_item(value: LineItem, order_address_id: int) -> dict[str, Any]:
    zero = v2_money(ZERO)
    options = []
    if value.option_label:
        options.append(
            {
                "id": value.id,
                "option_id": value.variant_id,
                "order_product_id": value.id,
                "product_option_id": value.variant_id,
                "display_name": value.option_label,
                "display_value": value.option_value,
                # A multiple-choice option's value is its option value id, as text (the
                # spec's example: `value: '69'`, `display_value: S`).
                "value": str(value.option_value_id),
                "type": "Multiple choice",
                "name": value.option_label,
                "display_style": "Rectangle",
                "display_name_customer": value.option_label,
                "display_name_merchant": value.option_label,
                "display_value_customer": value.option_value,
                "display_value_merchant": value.option_value,
            }
        )
    return {
        "id": value.id,
        "order_id": value.order_id,
        "product_id": value.product_id,
        "variant_id": value.variant_id,
        "order_address_id": order_address_id,
        "name": value.name,
        "name_customer": value.name,
        "name_merchant": value.name,
        "sku": value.sku,
        "upc": "",
        "type": "physical",
        "base_price": v2_money(value.base_price),
        "price_ex_tax": v2_money(value.price_ex_tax),
        "price_inc_tax": v2_money(value.price_inc_tax),
        "price_tax": v2_money(value.price_inc_tax - value.price_ex_tax),
        "base_total": v2_money(value.total_ex_tax),
        "total_ex_tax": v2_money(value.total_ex_tax),
        "total_inc_tax": v2_money(value.total_inc_tax),
        "total_tax": v2_money(value.total_inc_tax - value.total_ex_tax),
        "weight": str(value.weight),
        "quantity": value.quantity,
        "base_cost_price": zero,
        "cost_price_inc_tax": zero,
        "cost_price_ex_tax": zero,
        "cost_price_tax": zero,
        "is_refunded": value.quantity_refunded > 0,
        "quantity_refunded": value.quantity_refunded,
        "refund_amount": v2_money(value.refund_amount),
        "return_id": 0,
        "wrapping_id": 0,
        "wrapping_name": None,
        "base_wrapping_cost": zero,
        "wrapping_cost_ex_tax": zero,
        "wrapping_cost_inc_tax": zero,
        "wrapping_cost_tax": zero,
        "wrapping_message": "",
        "quantity_shipped": 0,
        "event_name": None,
        "event_date": None,
        "fixed_shipping_cost": zero,
        "ebay_item_id": "",
        "ebay_transaction_id": "",
        "option_set_id": None,
        "parent_order_product_id": None,
        "is_bundled_product": False,
        "bin_picking_number": "",
        "external_id": None,
        "brand": value.brand,
        "applied_discounts": [],
        "product_options": options,
        "configurable_fields": [],
        "gift_certificate_id": None,
    }


def shipping_address(value: Order, index: int, base: str) -> dict[str, Any]:
    shipping_tax = value.shipping_inc_tax - value.shipping_ex_tax
    address_id = value.id * 10 + index + 1
    return {
        "id": address_id,
        "order_id": value.id,
        **address(value.shipping_addresses[index]),
        "items_total": value.items_total if index == 0 else 0,
        "items_shipped": value.items_total if value.date_shipped and index == 0 else 0,
        "shipping_method": "Flat Rate" if value.shipping_ex_tax else "Free Shipping",
        "base_cost": v2_money(value.shipping_ex_tax if index == 0 else ZERO),
        "cost_ex_tax": v2_money(value.shipping_ex_tax if index == 0 else ZERO),
        "cost_inc_tax": v2_money(value.shipping_inc_tax if index == 0 else ZERO),
        "cost_tax": v2_money(shipping_tax if index == 0 else ZERO),
        "cost_tax_class_id": 2,
        "base_handling_cost": v2_money(ZERO),
        "handling_cost_ex_tax": v2_money(ZERO),
        "handling_cost_inc_tax": v2_money(ZERO),
        "handling_cost_tax": v2_money(ZERO),
        "handling_cost_tax_class_id": 2,
        "shipping_zone_id": 1,
        "shipping_zone_name": "Everywhere",
        "shipping_quotes": _resource(
            base, f"/orders/{value.id}/shipping_addresses/{address_id}/shipping_quotes"
        ),
        "form_fields": [],
    }


def line_items_by_address(value: Order) -> list[tuple[LineItem, int]]:
    """Every line item with the shipping address it ships to (split over the addresses)."""
    count = max(len(value.shipping_addresses), 1)
    return [
        (item, value.id * 10 + (index % count) + 1) for index, item in enumerate(value.line_items)
    ]


def consignments(value: Order, base: str, *, with_line_items: bool) -> dict[str, Any]:
    """The object structure of `include=consignments[.line_items]`."""
    shipping = []
    items = line_items_by_address(value)
    for index in range(len(value.shipping_addresses)):
        address_id = value.id * 10 + index + 1
        mine = [item for item, target in items if target == address_id]
        consignment = shipping_address(value, index, base)
        consignment.pop("order_id")
        if with_line_items:
            consignment["line_items"] = [
                line_item(item, address_id) for item in mine[:EMBEDDED_LINE_ITEMS]
            ]
            if len(mine) > EMBEDDED_LINE_ITEMS:
                consignment["__warning__"] = {
                    "message": (
                        "Not all line items of this consignment are returned with this "
                        f"response, only {EMBEDDED_LINE_ITEMS} are included. Please use the "
                        "`/v2/orders/{order_id}/products` endpoint to fetch all line items."
                    )
                }
        else:
            consignment["line_items"] = [
                _resource(base, f"/orders/{value.id}/products/{item.id}") for item in mine
            ]
        shipping.append(consignment)
    return {
        "pickups": [],
        "shipping": shipping,
        "downloads": [],
        "email": {"gift_certificates": []},
    }


def coupon(value: OrderCoupon, order_id: int) -> dict[str, Any]:
    return {
        "id": value.id,
        "coupon_id": value.coupon_id,
        "order_id": order_id,
        "code": value.code,
        "amount": v2_money(value.amount),
        "type": value.type,
        "discount": value.discount,
    }


def store(profile: StoreProfile, catalog: Catalog) -> dict[str, Any]:
    default_currency = catalog.currency(profile.currency)
    return {
        "id": profile.store_hash,
        "account_uuid": "5b8c7f2e-9d1a-4c3b-8e6f-0a1b2c3d4e5f",
        "domain": profile.domain,
        "secure_url": f"https://{profile.domain}",
        "control_panel_base_url": f"https://store-{profile.store_hash}.mybigcommerce.com",
        "status": "live",
        "name": profile.name,
        "first_name": "Sandy",
        "last_name": "Box",
        "address": "1 Loopback Way\nAustin, Texas 78701\nUnited States",
        "country": profile.country,
        "country_code": profile.country_code,
        "infrastructure_region": "us-central1",
        "phone": "+1 512 555 0100",
        "admin_email": profile.admin_email,
        "order_email": profile.admin_email,
        "favicon_url": f"https://{profile.domain}/favicon.ico",
        "timezone": {
            "name": profile.timezone_name,
            "raw_offset": profile.raw_offset,
            "dst_offset": profile.dst_offset,
            "dst_correction": True,
            "date_format": {
                "display": "jS M Y",
                "export": "M jS Y",
                "extended_display": "M jS Y @ g:i A",
            },
        },
        "language": profile.language,
        "currency": profile.currency,
        "currency_symbol": default_currency.token,
        "decimal_separator": ".",
        "thousands_separator": ",",
        "decimal_places": default_currency.decimal_places,
        "currency_symbol_location": "left",
        "weight_units": "LBS",
        "dimension_units": "Inches",
        "dimension_decimal_places": 2,
        "dimension_decimal_token": ".",
        "dimension_thousands_token": ",",
        "plan_name": "Standard",
        "plan_level": "Standard",
        "plan_is_trial": False,
        "industry": "Apparel & Accessories",
        "logo": [],
        "is_price_entered_with_tax": False,
        "store_id": profile.store_id,
        "default_channel_id": 1,
        "default_site_id": 1000,
        "active_comparison_modules": [],
        "features": {
            "stencil_enabled": True,
            "sitewidehttps_enabled": True,
            "facebook_catalog_id": "",
            "checkout_type": "optimized",
            "wishlists_enabled": True,
            "graphql_storefront_api_enabled": True,
            "shopper_consent_tracking_enabled": True,
            "multi_storefront_enabled": True,
        },
    }


def currency(value: Currency) -> dict[str, Any]:
    return {
        "id": value.id,
        "is_default": value.is_default,
        "last_updated": v2_date(value.last_updated),
        "country_iso2": value.country_iso2,
        "default_for_country_codes": [value.country_iso2],
        "currency_code": value.code,
        "currency_exchange_rate": v2_rate(value.exchange_rate),
        "name": value.name,
        "token": value.token,
        "auto_update": False,
        "token_location": "left",
        "decimal_token": ".",
        "thousands_token": ",",
        "decimal_places": value.decimal_places,
        "enabled": True,
        "is_transactional": True,
        "use_default_name": False,
    }


def customer_group(value: CustomerGroup) -> dict[str, Any]:
    rules = []
    if value.discount_percent:
        rules.append(
            {
                "type": "all",
                "method": "percent",
                "amount": v2_money(value.discount_percent),
            }
        )
    return {
        "id": value.id,
        "name": value.name,
        "is_default": value.is_default,
        "category_access": {"type": "all"},
        "discount_rules": rules,
        "date_created": v2_date(value.date_created),
        "date_modified": v2_date(value.date_modified),
        "is_group_for_guests": value.is_group_for_guests,
    }
