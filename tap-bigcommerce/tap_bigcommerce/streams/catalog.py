"""Catalog: `categories` (with their tree path), `brands` (full table), `products` (incremental)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_bigcommerce.client import BigCommerceStream, KeysetStream
from tap_bigcommerce.streams.fields import STORE_HASH, Money, Timestamp, key

CUSTOM_URL = th.ObjectType(
    th.Property("url", th.StringType),
    th.Property("is_customized", th.BooleanType),
    th.Property("create_redirect", th.BooleanType),
)


def _hashable_id(record: Any) -> Any:
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, int | str) else None


def category_paths(categories: Iterable[Any]) -> dict[Any, list[str]]:
    """id -> names from the root down to the category (cycles and orphans are cut short).

    Records that are not objects, or whose id is not a number or text, are left out here (their
    stream dead-letters them)."""
    by_id = {
        category_id: category
        for category in categories
        if (category_id := _hashable_id(category)) is not None
    }
    paths: dict[Any, list[str]] = {}
    for category_id in by_id:
        names: list[str] = []
        seen: set[Any] = set()
        current = by_id.get(category_id)
        while current is not None and current.get("id") not in seen:
            seen.add(current.get("id"))
            names.append(str(current.get("name") or ""))
            parent_id = current.get("parent_id")
            current = by_id.get(parent_id) if isinstance(parent_id, int | str) else None
        paths[category_id] = list(reversed(names))
    return paths


class CategoriesStream(BigCommerceStream):
    """Full table (no date filter exists); the whole tree is read before emitting its paths."""

    name = "categories"
    path = "/catalog/categories"
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("parent_id", th.IntegerType),
        th.Property("name", th.StringType),
        th.Property("description", th.StringType),
        th.Property("url", th.StringType, description="The category page path (custom_url.url)."),
        th.Property("custom_url", CUSTOM_URL),
        th.Property("is_visible", th.BooleanType),
        th.Property("sort_order", th.IntegerType),
        th.Property("image_url", th.StringType),
        th.Property("page_title", th.StringType),
        th.Property(
            "path_names",
            th.ArrayType(th.StringType),
            description="Category names from the root to this category, for breadcrumbs.",
        ),
    ).to_dict()

    _paths: dict[Any, list[str]]  # id -> path names, for the categories being emitted

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        # Categories are few (a tree, not a log), so holding them to resolve parents is bounded.
        categories = list(self.request_records(context))
        self._paths = category_paths(categories)
        # The SDK post-processes each one; `transform` adds its path there, so that a dead
        # letter keeps the record as BigCommerce sent it.
        yield from categories

    def transform(self, record: dict[str, Any], context: Context | None) -> dict[str, Any] | None:
        record["path_names"] = self._paths.get(_hashable_id(record), [])
        custom_url = record.get("custom_url")
        if not record.get("url") and isinstance(custom_url, dict):
            record["url"] = custom_url.get("url")
        return record


class BrandsStream(BigCommerceStream):
    name = "brands"
    path = "/catalog/brands"
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("name", th.StringType),
        th.Property("page_title", th.StringType),
        th.Property("image_url", th.StringType),
        th.Property("custom_url", CUSTOM_URL),
    ).to_dict()


VARIANT = th.ObjectType(
    key(),
    th.Property("product_id", th.IntegerType),
    th.Property("sku", th.StringType),
    th.Property("sku_id", th.IntegerType),
    th.Property("price", Money),
    th.Property("sale_price", Money),
    th.Property("retail_price", Money),
    th.Property("calculated_price", Money),
    th.Property("cost_price", Money),
    th.Property("inventory_level", th.IntegerType),
    th.Property("purchasing_disabled", th.BooleanType),
    th.Property("image_url", th.StringType),
    th.Property("upc", th.StringType),
    th.Property("mpn", th.StringType),
    th.Property("gtin", th.StringType),
    th.Property(
        "option_values",
        th.ArrayType(
            th.ObjectType(
                th.Property("id", th.IntegerType),
                th.Property("label", th.StringType),
                th.Property("option_id", th.IntegerType),
                th.Property("option_display_name", th.StringType),
            )
        ),
    ),
)

IMAGE = th.ObjectType(
    key(),
    th.Property("product_id", th.IntegerType),
    th.Property("is_thumbnail", th.BooleanType),
    th.Property("sort_order", th.IntegerType),
    th.Property("description", th.StringType),
    th.Property("image_url", th.StringType),
    th.Property("url_zoom", th.StringType),
    th.Property("url_standard", th.StringType),
    th.Property("url_thumbnail", th.StringType),
    th.Property("url_tiny", th.StringType),
    th.Property("date_modified", Timestamp),
)


class ProductsStream(KeysetStream):
    name = "products"
    path = "/catalog/products"
    sort_params: ClassVar[dict[str, str]] = {"sort": "date_modified", "direction": "asc"}
    extra_params: ClassVar[dict[str, str]] = {"include": "variants,images,custom_fields"}
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("name", th.StringType),
        th.Property("type", th.StringType),
        th.Property("sku", th.StringType),
        th.Property("description", th.StringType),
        th.Property("price", Money),
        th.Property("sale_price", Money),
        th.Property("retail_price", Money),
        th.Property("cost_price", Money),
        th.Property("map_price", Money),
        th.Property("calculated_price", Money),
        th.Property("categories", th.ArrayType(th.IntegerType)),
        th.Property("brand_id", th.IntegerType),
        th.Property("inventory_level", th.IntegerType),
        th.Property("inventory_tracking", th.StringType),
        th.Property("is_visible", th.BooleanType),
        th.Property("is_featured", th.BooleanType),
        th.Property("availability", th.StringType),
        th.Property("condition", th.StringType),
        th.Property("upc", th.StringType),
        th.Property("mpn", th.StringType),
        th.Property("gtin", th.StringType),
        th.Property("search_keywords", th.StringType),
        th.Property("page_title", th.StringType),
        th.Property("total_sold", th.IntegerType),
        th.Property("base_variant_id", th.IntegerType),
        th.Property("custom_url", CUSTOM_URL),
        th.Property("date_created", Timestamp),
        th.Property("date_modified", Timestamp),
        th.Property("variants", th.ArrayType(VARIANT)),
        th.Property("images", th.ArrayType(IMAGE)),
        th.Property(
            "custom_fields",
            th.ArrayType(
                th.ObjectType(
                    th.Property("id", th.IntegerType),
                    th.Property("name", th.StringType),
                    th.Property("value", th.StringType),
                )
            ),
        ),
    ).to_dict()
