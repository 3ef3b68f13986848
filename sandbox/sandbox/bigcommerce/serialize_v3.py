"""Records rendered as BigCommerce v3 JSON: ISO 8601 dates, money as exact JSON numbers."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sandbox.bigcommerce.wire import v3_date, v3_date_z
from sandbox.generator.model import (
    Brand,
    Category,
    Channel,
    Customer,
    CustomerAttribute,
    FormField,
    Product,
    Refund,
    Subscriber,
    Variant,
)

CUSTOMER_INCLUDES = {"addresses", "storecredit", "attributes", "formfields"}
PRODUCT_INCLUDES = {"variants", "images", "custom_fields", "primary_image"}


def customer(value: Customer, includes: set[str]) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": value.id,
        "email": value.email,
        "first_name": value.first_name,
        "last_name": value.last_name,
        "company": value.company,
        "phone": value.phone,
        "registration_ip_address": value.registration_ip_address,
        "notes": value.notes,
        "tax_exempt_category": "",
        "customer_group_id": value.customer_group_id,
        "date_modified": v3_date_z(value.date_modified),
        "date_created": v3_date_z(value.date_created),
        "address_count": len(value.addresses),
        "attribute_count": len(value.attribute_values),
        "authentication": {"force_password_reset": False},
        "accepts_product_review_abandoned_cart_emails": value.accepts_marketing,
        "origin_channel_id": value.origin_channel_id,
        "channel_ids": list(value.channel_ids),
    }
    if "addresses" in includes:
        body["addresses"] = [
            {
                "id": a.id,
                "customer_id": value.id,
                "first_name": a.first_name,
                "last_name": a.last_name,
                "company": a.company,
                "address1": a.address1,
                "address2": a.address2,
                "city": a.city,
                "state_or_province": a.state_or_province,
                "postal_code": a.postal_code,
                "country": a.country,
                "country_code": a.country_code,
                "phone": a.phone,
                "address_type": a.address_type,
                **({"form_fields": _form_fields(a.form_fields)} if a.form_fields else {}),
            }
            for a in value.addresses
        ]
    if "attributes" in includes:
        body["attributes"] = [
            {
                "id": v.id,
                "customer_id": value.id,
                "attribute_id": v.attribute_id,
                "attribute_value": v.value,
                "date_created": v3_date_z(v.date_created),
                "date_modified": v3_date_z(v.date_modified),
            }
            for v in value.attribute_values
        ]
    if "formfields" in includes:
        body["form_fields"] = [
            {**field, "customer_id": value.id} for field in _form_fields(value.form_fields)
        ]
    if "storecredit" in includes:
        body["store_credit_amounts"] = [{"amount": value.store_credit}]
    return body


def _form_fields(fields: tuple[FormField, ...]) -> list[dict[str, Any]]:
    """customers.v3.yml GET /customers 200 `data[].form_fields[]` (which add `customer_id`) and
    `data[].addresses[].form_fields[]`: `value` oneOf string | number | array of string."""
    return [
        {"name": f.name, "value": list(f.value) if isinstance(f.value, tuple) else f.value}
        for f in fields
    ]


def attribute(value: CustomerAttribute) -> dict[str, Any]:
    return {
        "id": value.id,
        "name": value.name,
        "type": value.type,
        "date_created": v3_date_z(value.date_created),
        "date_modified": v3_date_z(value.date_modified),
    }


def subscriber(value: Subscriber) -> dict[str, Any]:
    return {
        "id": value.id,
        "email": value.email,
        "first_name": value.first_name,
        "last_name": value.last_name,
        "source": value.source,
        "order_id": value.order_id,
        "channel_id": value.channel_id,
        "consents": list(value.consents),
        "date_created": v3_date_z(value.date_created),
        "date_modified": v3_date_z(value.date_modified),
    }


def variant(value: Variant, product: Product) -> dict[str, Any]:
    option_values = [
        {
            "id": option.id,
            "label": option.label,
            "option_id": option.option_id,
            "option_display_name": option.option_display_name,
        }
        for option in value.option_values
    ]
    return {
        "id": value.id,
        "product_id": value.product_id,
        "sku": value.sku,
        "sku_id": value.id,
        "price": value.price,
        "calculated_price": value.calculated_price,
        "sale_price": value.sale_price,
        "retail_price": None,
        "weight": None,
        "calculated_weight": product.weight,
        "width": None,
        "height": None,
        "depth": None,
        "is_free_shipping": False,
        "fixed_cost_shipping_price": None,
        "purchasing_disabled": False,
        "purchasing_disabled_message": "",
        "image_url": value.image_url,
        "cost_price": None,
        "upc": "",
        "mpn": "",
        "gtin": "",
        "inventory_level": value.inventory_level,
        "inventory_warning_level": 0,
        "bin_picking_number": "",
        "option_values": option_values,
    }


def product(value: Product, includes: set[str]) -> dict[str, Any]:
    zero = Decimal("0")
    body: dict[str, Any] = {
        "id": value.id,
        "name": value.name,
        "type": value.type,
        "sku": value.sku,
        "description": value.description,
        "weight": value.weight,
        "width": zero,
        "depth": zero,
        "height": zero,
        "price": value.price,
        "cost_price": value.cost_price,
        "retail_price": value.retail_price,
        "sale_price": value.sale_price,
        "map_price": zero,
        "tax_class_id": 0,
        "product_tax_code": "",
        "calculated_price": value.calculated_price,
        "categories": list(value.categories),
        "brand_id": value.brand_id,
        "option_set_display": "right",
        "inventory_level": value.inventory_level,
        "inventory_warning_level": 0,
        "inventory_tracking": value.inventory_tracking,
        "reviews_rating_sum": 0,
        "reviews_count": 0,
        "total_sold": value.total_sold,
        "fixed_cost_shipping_price": zero,
        "is_free_shipping": False,
        "is_visible": value.is_visible,
        "is_featured": value.is_featured,
        "related_products": [-1],
        "warranty": "",
        "bin_picking_number": "",
        "layout_file": "product.html",
        "upc": "",
        "mpn": "",
        "gtin": "",
        "search_keywords": "",
        "availability": value.availability,
        "availability_description": "",
        "gift_wrapping_options_type": "any",
        "gift_wrapping_options_list": [],
        "sort_order": 0,
        "condition": value.condition,
        "is_condition_shown": False,
        "order_quantity_minimum": 0,
        "order_quantity_maximum": 0,
        "page_title": "",
        "meta_keywords": [],
        "meta_description": "",
        "date_created": v3_date(value.date_created),
        "date_modified": v3_date(value.date_modified),
        "view_count": 0,
        "preorder_release_date": None,
        "preorder_message": "",
        "is_preorder_only": False,
        "is_price_hidden": False,
        "price_hidden_label": "",
        "custom_url": {"url": value.url, "is_customized": False},
        "open_graph_type": "product",
        "open_graph_title": "",
        "open_graph_description": "",
        "open_graph_use_meta_description": True,
        "open_graph_use_product_name": True,
        "open_graph_use_image": True,
    }
    if len(value.variants) == 1:
        body["base_variant_id"] = value.variants[0].id
    if "variants" in includes:
        body["variants"] = [variant(v, value) for v in value.variants]
    if "images" in includes:
        body["images"] = [image(i) for i in value.images]
    if "primary_image" in includes and value.images:
        # The spec names the file field differently here than in `images`.
        primary = image(value.images[0])
        primary["image_file"] = primary.pop("image_url").rsplit("/", 1)[-1]
        body["primary_image"] = primary
    if "custom_fields" in includes:
        body["custom_fields"] = [
            {"id": f.id, "name": f.name, "value": f.value} for f in value.custom_fields
        ]
    return body


def image(value: Any) -> dict[str, Any]:
    return {
        "id": value.id,
        "product_id": value.product_id,
        "is_thumbnail": value.is_thumbnail,
        "sort_order": value.sort_order,
        "description": value.description,
        "image_url": value.url,
        "url_zoom": value.url,
        "url_standard": value.url,
        "url_thumbnail": value.url,
        "url_tiny": value.url,
        "date_modified": v3_date(value.date_modified),
    }


def category(value: Category) -> dict[str, Any]:
    return {
        "id": value.id,
        "parent_id": value.parent_id,
        "name": value.name,
        "description": value.description,
        "views": 0,
        "sort_order": value.sort_order,
        "page_title": "",
        "search_keywords": "",
        "meta_keywords": [],
        "meta_description": "",
        "layout_file": "category.html",
        "is_visible": value.is_visible,
        "default_product_sort": "use_store_settings",
        "image_url": "",
        "custom_url": {"url": value.url, "is_customized": False},
    }


def tree_category(value: Category, tree_id: int) -> dict[str, Any]:
    return {
        "category_id": value.id,
        "parent_id": value.parent_id,
        "tree_id": tree_id,
        "name": value.name,
        "description": value.description,
        "views": 0,
        "sort_order": value.sort_order,
        "page_title": "",
        "search_keywords": "",
        "meta_keywords": [],
        "meta_description": "",
        "layout_file": "category.html",
        "is_visible": value.is_visible,
        "default_product_sort": "use_store_settings",
        "url": {"path": value.url, "is_customized": False},
        "image_url": "",
    }


def category_nodes(
    categories: list[Category], parent_id: int = 0, ancestors: tuple[int, ...] = ()
) -> list[dict[str, Any]]:
    """The nested tree of `/catalog/trees/{id}/categories`: children inside their parents."""
    return [
        {
            "id": c.id,
            "parent_id": c.parent_id,
            "depth": len(ancestors),
            "path": [*ancestors, c.id],
            "name": c.name,
            "is_visible": c.is_visible,
            "children": category_nodes(categories, c.id, (*ancestors, c.id)),
            "url": c.url,
        }
        for c in categories
        if c.parent_id == parent_id
    ]


def brand(value: Brand) -> dict[str, Any]:
    return {
        "id": value.id,
        "name": value.name,
        "page_title": value.name,
        "meta_keywords": [],
        "meta_description": "",
        "search_keywords": "",
        "image_url": "",
        "custom_url": {"url": value.url, "is_customized": False},
    }


def channel(value: Channel) -> dict[str, Any]:
    return {
        "id": value.id,
        "external_id": "",
        "is_listable_from_ui": True,
        "is_visible": True,
        "status": value.status,
        "name": value.name,
        "type": value.type,
        "platform": value.platform,
        "date_created": v3_date(value.date_created),
        "date_modified": v3_date(value.date_modified),
        "icon_url": "",
        "is_enabled": value.status == "active",
    }


def refund(value: Refund) -> dict[str, Any]:
    items = []
    for item in value.items:
        entry: dict[str, Any] = {
            "item_type": item.item_type,
            "item_id": item.item_id,
            "reason": item.reason,
        }
        if item.quantity is not None:
            entry["quantity"] = item.quantity
        if item.requested_amount is not None:
            entry["requested_amount"] = item.requested_amount
        items.append(entry)
    return {
        "id": value.id,
        "order_id": value.order_id,
        "user_id": 0,
        "created": v3_date(value.created),
        "reason": value.reason,
        "total_amount": value.total_amount,
        "total_tax": value.total_tax,
        "uses_merchant_override_values": value.uses_merchant_override_values,
        "items": items,
        "payments": [
            {
                "id": value.id,
                "provider_id": value.payment_provider,
                "amount": value.payment_amount,
                "offline": value.payment_offline,
                "is_declined": False,
                "declined_message": "",
            }
        ],
    }
