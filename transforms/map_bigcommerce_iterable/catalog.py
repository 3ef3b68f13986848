"""Store facts and catalog: store settings, currencies, groups, categories, brands, products.

Each is remembered in the embedded store (later records and later runs are enriched from it);
products also become catalog items.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from map_bigcommerce_iterable.context import MapperContext, require_id, require_store_hash
from map_bigcommerce_iterable.normalise import (
    boolean,
    field_name,
    integer,
    iterable_date,
    money,
    text,
    to_decimal,
)

MAX_CATALOG_ITEM_BYTES = 30_000
MAX_VARIANT_SKUS = 100
# Iterable, "Catalog Limitations": "In a given catalog, there can be no more than 350 unique catalog
# item fields/columns." The fixed fields below take their share; products' custom fields get the
# rest, first come first served (remembered in the store, so the same ones every run).
MAX_CATALOG_FIELDS = 350
FIXED_CATALOG_FIELDS = 22  # the keys of `_catalog_value` other than `custom_*`
CUSTOM_FIELD_PREFIX = "custom_"


def handle_store_settings(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("store_settings", record)
    currency = text(record.get("currency"))
    locale_settings = record.get("locale")
    locale = None
    if isinstance(locale_settings, dict):
        locale = text(locale_settings.get("default_shopper_language"))
    elif isinstance(locale_settings, str):
        locale = text(locale_settings)
    locale = locale or text(record.get("language"))
    base_url = text(record.get("secure_url"))
    if not base_url and text(record.get("domain")):
        base_url = f"https://{text(record.get('domain'))}"
    timezone = record.get("timezone")
    time_zone = text(timezone.get("name")) if isinstance(timezone, dict) else None
    facts = {
        "currency": currency,
        "locale": locale,
        "base_url": base_url,
        "country_code": text(record.get("country_code")),
        "time_zone": time_zone,
    }
    for kind, value in facts.items():
        if value:
            ctx.store.put_lookup(store_hash, "store", kind, value)


def handle_currencies(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("currencies", record)
    code = text(record.get("currency_code"))
    rate = to_decimal(record.get("currency_exchange_rate"), "currencies.currency_exchange_rate")
    if code and rate:
        ctx.store.put_lookup(store_hash, "currency_rate", code.upper(), str(rate))


def handle_customer_groups(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("customer_groups", record)
    name = text(record.get("name"))
    if name:
        ctx.store.put_lookup(
            store_hash, "customer_group", str(require_id("customer_groups", record)), name
        )


def handle_categories(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("categories", record)
    category_id = require_id("categories", record)
    names = [text(name) for name in record.get("path_names") or []]
    breadcrumb = "/".join(name for name in names if name) or text(record.get("name"))
    if breadcrumb:
        ctx.store.put_lookup(store_hash, "category", str(category_id), breadcrumb)


def handle_brands(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("brands", record)
    name = text(record.get("name"))
    if name:
        ctx.store.put_lookup(store_hash, "brand", str(require_id("brands", record)), name)


def breadcrumbs(ctx: MapperContext, store_hash: str, category_ids: Any) -> list[str]:
    crumbs = []
    for category_id in category_ids or []:
        crumb = ctx.store.lookup(store_hash, "category", str(category_id))
        if crumb and crumb not in crumbs:
            crumbs.append(crumb)
    return crumbs


def product_image(record: dict[str, Any]) -> str | None:
    images = [image for image in record.get("images") or [] if isinstance(image, dict)]
    images.sort(key=lambda image: (not image.get("is_thumbnail"), image.get("sort_order") or 0))
    for image in images:
        url = text(image.get("url_standard")) or text(image.get("image_url"))
        if url:
            return url
    primary = record.get("primary_image")
    if isinstance(primary, dict):
        return text(primary.get("url_standard")) or text(primary.get("image_url"))
    return None


def handle_products(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("products", record)
    product_id = require_id("products", record)
    facts = ctx.store_facts(store_hash)
    custom_url = record.get("custom_url")
    path = text(custom_url.get("url")) if isinstance(custom_url, dict) else None
    url = ctx.absolute_url(store_hash, path)
    image = product_image(record)
    crumbs = breadcrumbs(ctx, store_hash, record.get("categories"))
    brand_id = integer(record.get("brand_id"), "products.brand_id")
    brand = ctx.store.lookup(store_hash, "brand", str(brand_id)) if brand_id else None
    name = text(record.get("name"))
    sku = text(record.get("sku"))
    ctx.store.put_product(
        store_hash,
        product_id,
        {
            "name": name,
            "sku": sku,
            "url": url,
            "image_url": image,
            "categories": crumbs,
            "brand": brand,
        },
    )
    ctx.emit(
        "catalog_items",
        {
            "itemId": ctx.item_id(store_hash, product_id),
            "value": ctx.guard.check(
                "catalog_items",
                _within_field_limit(
                    ctx,
                    _catalog_value(
                        record,
                        product_id=product_id,
                        currency=facts.currency,
                        url=url,
                        image=image,
                        crumbs=crumbs,
                        brand=brand,
                        store_hash=store_hash,
                    ),
                ),
            ),
        },
    )


def _catalog_value(
    record: dict[str, Any],
    *,
    product_id: int,
    currency: str | None,
    url: str | None,
    image: str | None,
    crumbs: list[str],
    brand: str | None,
    store_hash: str,
) -> dict[str, Any]:
    variants = [variant for variant in record.get("variants") or [] if isinstance(variant, dict)]
    variant_prices = [
        price
        for variant in variants
        if (
            price := to_decimal(
                variant.get("calculated_price", variant.get("price")), "products.variants.price"
            )
        )
        is not None
    ]
    sale_price = to_decimal(record.get("sale_price"), "products.sale_price")
    inventory = integer(record.get("inventory_level"), "products.inventory_level")
    tracking = text(record.get("inventory_tracking")) or "none"
    value: dict[str, Any] = {
        "productId": product_id,
        "storeHash": store_hash,
        "name": text(record.get("name")),
        "sku": text(record.get("sku")),
        "type": text(record.get("type")),
        "url": url,
        "imageUrl": image,
        "currency": currency,
        "price": money(record.get("price"), currency, "products.price"),
        # BigCommerce uses 0 for "no sale price"; absent is clearer than a 0.0 price.
        "salePrice": money(sale_price, currency, "products.sale_price") if sale_price else None,
        "calculatedPrice": money(
            record.get("calculated_price"), currency, "products.calculated_price"
        ),
        "categories": crumbs,
        "brand": brand,
        "inventoryLevel": inventory,
        "inStock": tracking == "none" or (inventory or 0) > 0,
        "isVisible": boolean(record.get("is_visible"), "products.is_visible"),
        "availability": text(record.get("availability")),
        "variantCount": len(variants),
        "variantSkus": [sku for v in variants if (sku := text(v.get("sku")))][:MAX_VARIANT_SKUS],
        "minVariantPrice": money(min(variant_prices), currency, "products.variants.price")
        if variant_prices
        else None,
        "maxVariantPrice": money(max(variant_prices), currency, "products.variants.price")
        if variant_prices
        else None,
        "dateModified": iterable_date(record.get("date_modified"), "products.date_modified"),
    }
    for custom in record.get("custom_fields") or []:
        if isinstance(custom, dict) and text(custom.get("name")) and text(custom.get("value")):
            value[f"custom_{field_name(str(custom['name']))}"] = text(custom.get("value"))
    value = {k: v for k, v in value.items() if v is not None and v != []}
    return _within_size(value)


def _within_field_limit(ctx: MapperContext, value: dict[str, Any]) -> dict[str, Any]:
    """Custom fields beyond the catalog's field limit are left out (and counted)."""
    for name in [k for k in value if k.startswith(CUSTOM_FIELD_PREFIX)]:
        key = hashlib.sha256(name.encode()).hexdigest()[:64]  # lookup keys hold 64 characters
        if ctx.store.lookup("", "catalog_field", key) is not None:
            continue
        admitted = int(ctx.store.lookup("", "catalog_field_count", "custom") or 0)
        if FIXED_CATALOG_FIELDS + admitted >= MAX_CATALOG_FIELDS:
            del value[name]
            ctx.skip(f"product custom field beyond Iterable's {MAX_CATALOG_FIELDS} catalog fields")
            continue
        ctx.store.put_lookup("", "catalog_field", key, name)
        ctx.store.put_lookup("", "catalog_field_count", "custom", str(admitted + 1))
    return value


def _within_size(value: dict[str, Any]) -> dict[str, Any]:
    """Iterable rejects catalog items over 30 KB: shed the optional bulky fields first."""
    for bulky in ("variantSkus", *sorted(k for k in value if k.startswith("custom_"))):
        if len(json.dumps(value, default=str).encode()) <= MAX_CATALOG_ITEM_BYTES:
            break
        value.pop(bulky, None)
    return value
