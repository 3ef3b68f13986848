"""Builders of tap-bigcommerce records, shaped as the agreed tap output (BigCommerce field names).

Money is Decimal, as singer-sdk's reader parses JSON numbers; timestamps are ISO 8601 UTC strings.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import simplejson

STORE = "store1"


def d(value: str) -> Decimal:
    return Decimal(value)


def store_settings(
    store_hash: str = STORE,
    currency: str = "USD",
    locale: str = "en",
    *,
    country_code: str = "US",
    timezone: str = "UTC",
) -> dict:
    return {
        "id": store_hash,
        "store_hash": store_hash,
        "name": f"Shop {store_hash}",
        "domain": f"{store_hash}.example.com",
        "secure_url": f"https://{store_hash}.example.com",
        "currency": currency,
        "language": "en",
        "country_code": country_code,
        "timezone": {"name": timezone, "raw_offset": 0, "dst_offset": 0},
        "locale": {
            "default_shopper_language": locale,
            "shopper_language_selection_method": "default_shopper_language",
            "store_country": "United States",
        },
    }


def currency(code: str, rate: str, store_hash: str = STORE, *, default: bool = False) -> dict:
    return {
        "id": {"USD": 1, "EUR": 2, "GBP": 3, "JPY": 4}.get(code, 9),
        "store_hash": store_hash,
        "currency_code": code,
        "currency_exchange_rate": d(rate),
        "is_default": default,
        "enabled": True,
    }


def customer_group(group_id: int, name: str, store_hash: str = STORE) -> dict:
    return {"id": group_id, "store_hash": store_hash, "name": name, "is_default": False}


def category(
    category_id: int, name: str, path: list[str], parent_id: int = 0, store_hash: str = STORE
) -> dict:
    return {
        "id": category_id,
        "parent_id": parent_id,
        "name": name,
        "url": "/" + "/".join(p.lower() for p in path) + "/",
        "path_names": path,
        "is_visible": True,
        "store_hash": store_hash,
    }


def brand(brand_id: int, name: str, store_hash: str = STORE) -> dict:
    return {"id": brand_id, "name": name, "store_hash": store_hash}


def product(
    product_id: int,
    name: str,
    price: str,
    *,
    sku: str | None = None,
    sale_price: str = "0",
    categories: list[int] | None = None,
    brand_id: int = 0,
    inventory_level: int = 10,
    variants: list[dict] | None = None,
    store_hash: str = STORE,
    date_modified: str = "2024-03-01T10:00:00+00:00",
) -> dict:
    slug = name.lower().replace(" ", "-")
    return {
        "id": product_id,
        "store_hash": store_hash,
        "name": name,
        "type": "physical",
        "sku": sku or f"SKU-{product_id}",
        "price": d(price),
        "sale_price": d(sale_price),
        "calculated_price": d(sale_price) if d(sale_price) else d(price),
        "categories": categories or [],
        "brand_id": brand_id,
        "inventory_level": inventory_level,
        "inventory_tracking": "product",
        "is_visible": True,
        "availability": "available",
        "custom_url": {"url": f"/{slug}/", "is_customized": False},
        "date_modified": date_modified,
        "images": [
            {
                "id": product_id * 10,
                "product_id": product_id,
                "is_thumbnail": True,
                "sort_order": 0,
                "url_standard": f"https://cdn.example.com/products/{product_id}/standard.jpg",
                "url_thumbnail": f"https://cdn.example.com/products/{product_id}/thumb.jpg",
            }
        ],
        "variants": variants or [],
        "custom_fields": [{"id": 1, "name": "Material", "value": "Cotton"}],
    }


def customer(
    customer_id: int,
    email: str,
    *,
    first_name: str = "Ann",
    last_name: str = "Lee",
    phone: str = "",
    company: str = "",
    group_id: int = 0,
    date_created: str = "2024-01-05T09:00:00+00:00",
    date_modified: str = "2024-01-05T09:00:00+00:00",
    store_hash: str = STORE,
    attributes: list[dict] | None = None,
    country_code: str = "US",
    accepts_abandoned_cart_emails: bool = True,
) -> dict:
    return {
        "id": customer_id,
        "store_hash": store_hash,
        "email": email,
        "first_name": first_name,
        "last_name": last_name,
        "company": company,
        "phone": phone,
        "customer_group_id": group_id,
        "date_created": date_created,
        "date_modified": date_modified,
        "accepts_product_review_abandoned_cart_emails": accepts_abandoned_cart_emails,
        "origin_channel_id": 1,
        "channel_ids": [1],
        "addresses": [
            {
                "id": 1,
                "customer_id": customer_id,
                "first_name": first_name,
                "last_name": last_name,
                "city": "Austin",
                "state_or_province": "Texas",
                "postal_code": "78701",
                "country": "United States" if country_code == "US" else country_code,
                "country_code": country_code,
            }
        ],
        "attributes": attributes or [],
        "form_fields": [],
        "store_credit_amounts": [{"amount": d("0")}],
    }


def subscriber(
    subscriber_id: int, email: str, *, store_hash: str = STORE, source: str = "storefront"
) -> dict:
    return {
        "id": subscriber_id,
        "store_hash": store_hash,
        "email": email,
        "first_name": "",
        "last_name": "",
        "source": source,
        "order_id": None,
        "channel_id": 1,
        "date_created": "2024-01-02T08:00:00+00:00",
        "date_modified": "2024-01-02T08:00:00+00:00",
    }


def line_item(
    line_id: int, product_id: int, name: str, price: str, quantity: int = 1, *, order_id: int = 0
) -> dict:
    unit = d(price)
    return {
        "id": line_id,
        "order_id": order_id,
        "product_id": product_id,
        "variant_id": product_id * 100,
        "name": name,
        "sku": f"SKU-{product_id}",
        "quantity": quantity,
        "base_price": unit,
        "price_ex_tax": unit,
        "price_inc_tax": unit,
        "total_inc_tax": unit * quantity,
        "applied_discounts": [],
        "is_refunded": False,
        "quantity_refunded": 0,
    }


def order(
    order_id: int,
    *,
    customer_id: int = 0,
    email: str = "guest@example.com",
    total: str = "20.00",
    status_id: int = 11,
    status: str = "Awaiting Fulfillment",
    date_created: str = "2024-02-01T12:00:00+00:00",
    date_modified: str | None = None,
    date_shipped: str | None = None,
    currency_code: str = "USD",
    store_default_currency_code: str | None = None,
    rate: str | None = None,
    refunded_amount: str = "0",
    is_archived: bool = False,
    line_items: list[dict] | None = None,
    coupons: list[dict] | None = None,
    store_hash: str = STORE,
    first_name: str = "Gail",
    last_name: str = "Guest",
    is_email_opt_in: bool = False,
    phone: str = "",
    country_iso2: str = "US",
    customer_locale: str | None = None,
) -> dict:
    amount = d(total)
    record: dict[str, Any] = {
        "id": order_id,
        "store_hash": store_hash,
        "customer_id": customer_id,
        "status_id": status_id,
        "status": status,
        "date_created": date_created,
        "date_modified": date_modified or date_created,
        "date_shipped": date_shipped,
        "subtotal_ex_tax": amount,
        "subtotal_inc_tax": amount,
        "total_ex_tax": amount,
        "total_inc_tax": amount,
        "total_tax": d("0.0000"),
        "shipping_cost_inc_tax": d("0.0000"),
        "discount_amount": d("0.0000"),
        "coupon_discount": d("0.0000"),
        "refunded_amount": d(refunded_amount),
        "currency_id": 1,
        "currency_code": currency_code,
        "currency_exchange_rate": d("1.0000000000"),
        "default_currency_code": currency_code,
        "is_deleted": is_archived,
        "is_archived": is_archived,
        "is_email_opt_in": is_email_opt_in,
        "channel_id": 1,
        "order_source": "www",
        "payment_method": "Credit Card",
        "customer_message": "",
        "billing_address": {
            "first_name": first_name,
            "last_name": last_name,
            "email": email,
            "city": "Austin",
            "country_iso2": country_iso2,
            "phone": phone,
        },
        "line_items": line_items
        if line_items is not None
        else [line_item(order_id * 10, 101, "Blue Mug", total, 1, order_id=order_id)],
        "coupons": coupons or [],
        "shipping_addresses": [{"id": 1, "shipping_method": "Ground"}],
    }
    if customer_locale:
        record["customer_locale"] = customer_locale
    if store_default_currency_code:
        record["store_default_currency_code"] = store_default_currency_code
        record["store_default_to_transactional_exchange_rate"] = d(rate or "1")
    return record


def refund(
    refund_id: int,
    order_id: int,
    amount: str,
    *,
    created: str = "2024-02-10T12:00:00+00:00",
    store_hash: str = STORE,
) -> dict:
    return {
        "id": refund_id,
        "order_id": order_id,
        "store_hash": store_hash,
        "created": created,
        "reason": "Damaged",
        "total_amount": d(amount),
        "total_tax": d("0"),
        "items": [{"item_type": "PRODUCT", "item_id": 1, "quantity": 1}],
        "payments": [],
    }


def cart(
    cart_id: str,
    *,
    customer_id: int = 0,
    email: str = "",
    items: list[tuple[int, str, str, int]] = (),  # type: ignore[assignment]
    currency_code: str = "USD",
    updated_time: str = "2024-02-03T10:00:00+00:00",
) -> dict:
    physical = [
        {
            "id": f"li-{product_id}",
            "product_id": product_id,
            "variant_id": product_id * 100,
            "sku": f"SKU-{product_id}",
            "name": name,
            "url": f"https://{STORE}.example.com/{name.lower().replace(' ', '-')}/",
            "quantity": quantity,
            "image_url": f"https://cdn.example.com/products/{product_id}/standard.jpg",
            "list_price": d(price),
            "sale_price": d(price),
            "extended_sale_price": d(price) * quantity,
        }
        for product_id, name, price, quantity in items
    ]
    total = sum((row["extended_sale_price"] for row in physical), Decimal(0))
    return {
        "id": cart_id,
        "customer_id": customer_id,
        "channel_id": 1,
        "email": email,
        "currency": {"code": currency_code},
        "cart_amount": total,
        "base_amount": total,
        "line_items": {
            "physical_items": physical,
            "digital_items": [],
            "gift_certificates": [],
            "custom_items": [],
        },
        "created_time": "2024-02-03T09:00:00+00:00",
        "updated_time": updated_time,
        "locale": "en",
    }


def cart_event(
    hash_: str,
    scope: str,
    cart_id: str,
    cart_record: dict | None,
    *,
    created_at: str = "2024-02-03T10:00:05+00:00",
    data: dict | None = None,
    store_hash: str = STORE,
) -> dict:
    return {
        "hash": hash_,
        "scope": scope,
        "created_at": created_at,
        "cart_id": cart_id,
        "data": data or {"type": "cart", "id": cart_id},
        "cart": cart_record,
        "store_hash": store_hash,
    }


# -- Singer messages ------------------------------------------------------------------------------

STREAM_KEYS = {"cart_events": ["hash"], "store_settings": ["id"]}


def messages(*items: tuple[str, dict] | dict) -> list[dict]:
    """Singer messages: a SCHEMA before each stream's first record; dicts pass as they are."""
    out: list[dict] = []
    seen: set[str] = set()
    for item in items:
        if isinstance(item, dict):
            out.append(item)
            continue
        stream, record = item
        if stream not in seen:
            seen.add(stream)
            out.append(
                {
                    "type": "SCHEMA",
                    "stream": stream,
                    "schema": {"type": "object", "properties": {}},
                    "key_properties": STREAM_KEYS.get(stream, ["id"]),
                }
            )
        out.append({"type": "RECORD", "stream": stream, "record": record})
    return out


def state(value: dict) -> dict:
    return {"type": "STATE", "value": value}


def to_lines(items: list[dict]) -> str:
    # simplejson writes Decimal as its exact text, as the tap does.
    return "".join(simplejson.dumps(item, use_decimal=True) + "\n" for item in items)


def write_singer(path: Path, items: list[dict]) -> None:
    path.write_text(to_lines(items))
