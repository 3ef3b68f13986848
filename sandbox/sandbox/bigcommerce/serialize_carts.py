"""Carts and checkouts (v3). A checkout's id is its cart's id."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.bigcommerce.wire import v3_date, v3_date_ms
from sandbox.generator.model import Cart, CartLine

TAX_RATE = Decimal("0.08")
CENT = Decimal("0.01")


def _line(line: CartLine) -> dict[str, Any]:
    return {
        "id": line.id,
        "variant_id": line.variant_id,
        "product_id": line.product_id,
        "sku": line.sku,
        "name": line.name,
        "url": line.url,
        "quantity": line.quantity,
        "taxable": True,
        "image_url": line.image_url,
        "discounts": [],
        "coupons": [],
        "discount_amount": Decimal("0"),
        "coupon_amount": Decimal("0"),
        "original_price": line.list_price,
        "list_price": line.list_price,
        "sale_price": line.sale_price,
        "extended_list_price": line.list_price * line.quantity,
        "extended_sale_price": line.sale_price * line.quantity,
        "is_require_shipping": True,
        "is_mutable": True,
        "added_by_promotion": False,
    }


def _checkout_line(line: CartLine) -> dict[str, Any]:
    """Checkouts name a few line fields differently from carts."""
    body = _line(line)
    body["is_taxable"] = body.pop("taxable")
    body.pop("coupons")
    return body


def cart(value: Cart, locale: str = "en") -> dict[str, Any]:
    amount = value.base_amount
    return {
        "id": value.id,
        "customer_id": value.customer_id,
        "channel_id": value.channel_id,
        "email": value.email,
        "currency": {"code": value.currency_code},
        "tax_included": False,
        "base_amount": amount,
        "discount_amount": Decimal("0"),
        "manual_discount_amount": Decimal("0"),
        "cart_amount": amount,
        "coupons": [],
        "discounts": [],
        "line_items": {
            "physical_items": [_line(line) for line in value.lines],
            "digital_items": [],
            "gift_certificates": [],
            "custom_items": [],
        },
        "created_time": v3_date_ms(value.created),
        "updated_time": v3_date_ms(value.updated),
        "locale": locale,
        "version": len(value.lines) + 1,
    }


def checkout(value: Cart) -> dict[str, Any]:
    subtotal = value.base_amount
    tax = (subtotal * TAX_RATE).quantize(CENT)
    body_cart = cart(value)
    line_items = {
        **body_cart["line_items"],
        "physical_items": [_checkout_line(line) for line in value.lines],
    }
    checkout_cart = {
        "id": value.id,
        "customer_id": value.customer_id,
        "email": value.email,
        "currency": body_cart["currency"],
        "tax_included": False,
        "base_amount": subtotal,
        "channel_id": value.channel_id,
        "discount_amount": Decimal("0"),
        "cart_amount_inc_tax": subtotal + tax,
        "cart_amount_ex_tax": subtotal,
        "coupons": [],
        "discounts": [],
        "line_items": line_items,
        "created_time": v3_date(value.created),
        "updated_time": v3_date(value.updated),
    }
    return {
        "id": value.id,
        "cart": checkout_cart,
        "billing_address": {
            "id": "",
            "first_name": "",
            "last_name": "",
            "email": value.email,
            "company": "",
            "address1": "",
            "address2": "",
            "city": "",
            "state_or_province": "",
            "state_or_province_code": "",
            "country_code": "",
            "postal_code": "",
            "custom_fields": [],
        },
        "consignments": [],
        "taxes": [{"name": "Sales Tax", "amount": tax}],
        "coupons": [],
        "fees": [],
        "order_id": None,
        "shipping_cost_total_inc_tax": Decimal("0"),
        "shipping_cost_total_ex_tax": Decimal("0"),
        "handling_cost_total_inc_tax": Decimal("0"),
        "handling_cost_total_ex_tax": Decimal("0"),
        "tax_total": tax,
        "subtotal_inc_tax": subtotal + tax,
        "subtotal_ex_tax": subtotal,
        "grand_total": subtotal + tax,
        "created_time": v3_date(value.created),
        "updated_time": v3_date(value.updated),
        "customer_message": "",
        "promotions": [],
        "version": len(value.lines) + 1,
    }
