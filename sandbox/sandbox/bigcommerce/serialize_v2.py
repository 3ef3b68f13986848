"""Records rendered as BigCommerce v2 JSON: RFC 2822 dates, 4-decimal money strings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.bigcommerce.wire import v2_date, v2_money, v2_rate, v3_money
from sandbox.generator.catalog import Catalog
from sandbox.generator.model import (
    Currency,
    CustomerGroup,
    FormField,
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


def form_fields(fields: tuple[FormField, ...]) -> list[dict[str, Any]]:
    """orders.v2.oas2.yml #/components/schemas/formFields: `value` oneOf number | string | array."""
    return [
        {"name": f.name, "value": list(f.value) if isinstance(f.value, tuple) else f.value}
        for f in fields
    ]


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
        "base_handling_cost": v2_money(value.handling_cost),
        "handling_cost_ex_tax": v2_money(value.handling_cost),
        "handling_cost_inc_tax": v2_money(value.handling_cost),
        "handling_cost_tax": zero,
        "handling_cost_tax_class_id": 2,
        "base_wrapping_cost": v2_money(value.wrapping_cost),
        "wrapping_cost_ex_tax": v2_money(value.wrapping_cost),
        "wrapping_cost_inc_tax": v2_money(value.wrapping_cost),
        "wrapping_cost_tax": zero,
        "wrapping_cost_tax_class_id": 3,
        "total_ex_tax": v2_money(value.total_ex_tax),
        "total_inc_tax": v2_money(value.total_inc_tax),
        "total_tax": v2_money(value.total_tax),
        "items_total": value.items_total,
        "items_shipped": value.items_total if value.date_shipped else 0,
        "payment_method": value.payment_method,
        "payment_provider_id": value.payment_provider_id,
        "payment_status": value.payment_status,
        "refunded_amount": v2_money(value.refunded_amount),
        "order_is_digital": value.is_digital,
        "store_credit_amount": v2_money(value.store_credit_amount),
        "gift_certificate_amount": v2_money(value.gift_certificate_amount),
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
        "billing_address": {
            **address(value.billing_address),
            "form_fields": form_fields(value.billing_form_fields),
        },
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
    options = [
        {
            "id": option.id,
            "option_id": option.option_id,
            "order_product_id": value.id,
            "product_option_id": option.product_option_id,
            "display_name": option.display_name,
            "display_value": option.display_value,
            "value": option.value,
            "type": option.type,
            "name": option.display_name,
            "display_style": option.display_style,
            "display_name_customer": option.display_name,
            "display_name_merchant": option.display_name,
            "display_value_customer": option.display_value,
            "display_value_merchant": option.display_value,
        }
        for option in value.options
    ]
    # Two fields are typed oneOf string | number (orderProducts `weight`, `base_wrapping_cost`);
    # stores send both, so lines alternate by id.
    as_number = value.id % 3 == 0
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
        "type": value.type,
        "base_price": v2_money(value.base_price),
        "price_ex_tax": v2_money(value.price_ex_tax),
        "price_inc_tax": v2_money(value.price_inc_tax),
        "price_tax": v2_money(value.price_inc_tax - value.price_ex_tax),
        "base_total": v2_money(value.total_ex_tax),
        "total_ex_tax": v2_money(value.total_ex_tax),
        "total_inc_tax": v2_money(value.total_inc_tax),
        "total_tax": v2_money(value.total_inc_tax - value.total_ex_tax),
        "weight": value.weight if as_number else str(value.weight),
        "quantity": value.quantity,
        "base_cost_price": zero,
        "cost_price_inc_tax": zero,
        "cost_price_ex_tax": zero,
        "cost_price_tax": zero,
        "is_refunded": value.quantity_refunded > 0,
        "quantity_refunded": value.quantity_refunded,
        "refund_amount": v2_money(value.refund_amount),
        "return_id": 0,
        "wrapping_id": 1 if value.wrapping_cost else 0,
        "wrapping_name": "Gift box" if value.wrapping_cost else None,
        "base_wrapping_cost": value.wrapping_cost if as_number else v2_money(value.wrapping_cost),
        "wrapping_cost_ex_tax": v2_money(value.wrapping_cost),
        "wrapping_cost_inc_tax": v2_money(value.wrapping_cost),
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
        "applied_discounts": [
            {
                "id": d.id,
                "amount": v2_money(d.amount),
                "name": d.name,
                "code": d.code,
                "target": d.target,
            }
            for d in value.applied_discounts
        ],
        "product_options": options,
        "configurable_fields": [],
        "gift_certificate_id": value.gift_certificate_id,
    }


def shipping_address(value: Order, index: int, base: str) -> dict[str, Any]:
    shipping_tax = value.shipping_inc_tax - value.shipping_ex_tax
    address_id = value.id * 10 + index + 1
    quantity = sum(
        item.quantity for item, target in line_items_by_address(value) if target == address_id
    )
    return {
        "id": address_id,
        "order_id": value.id,
        **address(value.shipping_addresses[index]),
        "items_total": quantity,
        "items_shipped": quantity if value.date_shipped else 0,
        "shipping_method": "Flat Rate" if value.shipping_ex_tax else "Free Shipping",
        "base_cost": v2_money(value.shipping_ex_tax if index == 0 else ZERO),
        "cost_ex_tax": v2_money(value.shipping_ex_tax if index == 0 else ZERO),
        "cost_inc_tax": v2_money(value.shipping_inc_tax if index == 0 else ZERO),
        "cost_tax": v2_money(shipping_tax if index == 0 else ZERO),
        "cost_tax_class_id": 2,
        "base_handling_cost": v2_money(value.handling_cost if index == 0 else ZERO),
        "handling_cost_ex_tax": v2_money(value.handling_cost if index == 0 else ZERO),
        "handling_cost_inc_tax": v2_money(value.handling_cost if index == 0 else ZERO),
        "handling_cost_tax": v2_money(ZERO),
        "handling_cost_tax_class_id": 2,
        "shipping_zone_id": 1,
        "shipping_zone_name": "Everywhere",
        "shipping_quotes": _resource(
            base, f"/orders/{value.id}/shipping_addresses/{address_id}/shipping_quotes"
        ),
        "form_fields": form_fields(value.shipping_form_fields) if index == 0 else [],
    }


def line_items_by_address(value: Order) -> list[tuple[LineItem, int]]:
    """Every line item with the shipping address it ships to: physical items are split over the
    addresses; digital items and gift certificates ship nowhere (`order_address_id` 0)."""
    count = max(len(value.shipping_addresses), 1)
    result = []
    physical = 0
    for item in value.line_items:
        if item.type == "physical":
            result.append((item, value.id * 10 + (physical % count) + 1))
            physical += 1
        else:
            result.append((item, 0))
    return result


def _embedded(
    value: Order, items: list[LineItem], address_id: int, base: str, *, with_line_items: bool
) -> tuple[list[dict[str, Any]], bool]:
    """A consignment's `line_items` (order products, or links) and whether some were cut."""
    if not with_line_items:
        links = [_resource(base, f"/orders/{value.id}/products/{item.id}") for item in items]
        return links, False
    embedded = [line_item(item, address_id) for item in items[:EMBEDDED_LINE_ITEMS]]
    return embedded, len(items) > EMBEDDED_LINE_ITEMS


_TRUNCATED = {
    "message": (
        "Not all line items of this consignment are returned with this "
        f"response, only {EMBEDDED_LINE_ITEMS} are included. Please use the "
        "`/v2/orders/{order_id}/products` endpoint to fetch all line items."
    )
}


CONSIGNMENT_COSTS = (
    "base_cost", "cost_ex_tax", "cost_inc_tax", "cost_tax",
    "base_handling_cost", "handling_cost_ex_tax", "handling_cost_inc_tax", "handling_cost_tax",
)  # fmt: skip


def consignments(value: Order, base: str, *, with_line_items: bool) -> dict[str, Any]:
    """The object structure of `include=consignments[.line_items]` (orders.v2.oas2.yml
    #/components/schemas/orderConsignment_Get): physical items in `shipping` consignments,
    digital ones in the one `downloads` consignment, gift certificates under `email`."""
    shipping = []
    items = line_items_by_address(value)
    for index in range(len(value.shipping_addresses)):
        address_id = value.id * 10 + index + 1
        mine = [item for item, target in items if target == address_id]
        consignment = shipping_address(value, index, base)
        consignment.pop("order_id")
        # A shipping address's costs are decimal strings (orders.v2.oas2.yml line 3294,
        # `orderShippingAddress.base_cost`: `type: string`, example '5.0000'); the same costs
        # on a shipping consignment are numbers (line 5520, `shippingConsignment_Get.base_cost`:
        # `type: number`, example 5.1).
        for name in CONSIGNMENT_COSTS:
            consignment[name] = v3_money(Decimal(consignment[name]))
        consignment["line_items"], cut = _embedded(
            value, mine, address_id, base, with_line_items=with_line_items
        )
        if cut:
            consignment["__warning__"] = _TRUNCATED
        shipping.append(consignment)
    recipient = value.billing_address.email
    digital = [item for item in value.line_items if item.type == "digital"]
    downloads = []
    if digital:
        lines, _ = _embedded(value, digital, 0, base, with_line_items=with_line_items)
        downloads.append({"recipient_email": recipient, "line_items": lines})
    certificates = []
    for item in value.line_items:
        if item.type == "giftcertificate":
            lines, _ = _embedded(value, [item], 0, base, with_line_items=with_line_items)
            certificates.append({"recipient_email": recipient, "line_items": lines})
    return {
        "pickups": [],
        "shipping": shipping,
        "downloads": downloads,
        "email": {"gift_certificates": certificates},
    }


def coupon(value: OrderCoupon, order_id: int) -> dict[str, Any]:
    # `amount` is anyOf string | number | integer (orders.v2.oas2.yml
    # GET /orders/{order_id}/coupons 200 `[].amount`: "$3 returns as `3` while 5% will return as
    # `5`"); stores send all three, so coupons alternate by id.
    amounts: tuple[Any, ...] = (
        int(value.amount),
        v2_money(value.amount),
        value.amount.quantize(Decimal("0.01")),
    )
    return {
        "id": value.id,
        "coupon_id": value.coupon_id,
        "order_id": order_id,
        "code": value.code,
        "amount": amounts[value.id % 3],
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
