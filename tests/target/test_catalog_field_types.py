"""Catalog field types are set before the items that carry the fields (Iterable: a type cannot
change once set, and collections only search typed fields), within the 350-field limit."""

from __future__ import annotations

from target_iterable.catalog_fields import MAX_CATALOG_FIELDS

from .helpers import record, run_target, schema

ITEM = {
    "itemId": "111",
    "value": {
        "name": "Mug",
        "price": 12.5,
        "inventoryLevel": 3,
        "inStock": True,
        "categories": ["Shop All/Kitchen"],
        "dateModified": "2024-03-01 10:00:00 +00:00",
        "dimensions": {"width": 2},
    },
}


def test_a_new_catalog_is_typed_before_its_first_item(iterable, make_config) -> None:
    run_target(make_config(iterable), [schema("catalog_items"), record("catalog_items", ITEM)])

    assert iterable.emulator.catalog_field_mappings("products") == {
        "name": "string",
        "price": "double",
        "inventoryLevel": "long",
        "inStock": "boolean",
        "categories": "string",
        "dateModified": "date",
    }
    paths = [e.path for e in iterable.emulator.request_log.entries()]
    typed = paths.index(
        "/api/catalogs/products/fieldMappings", paths.index("/api/catalogs/products")
    )
    assert typed < paths.index("/api/catalogs/products/items")


def test_later_fields_are_typed_and_existing_types_kept(iterable, make_config) -> None:
    config = make_config(iterable)
    run_target(config, [schema("catalog_items"), record("catalog_items", ITEM)])
    more = {"itemId": "112", "value": {"name": "Cup", "custom_Material": "Clay", "weightKg": 0.4}}
    run_target(config, [schema("catalog_items"), record("catalog_items", more)])

    mappings = iterable.emulator.catalog_field_mappings("products")
    assert mappings["custom_Material"] == "string"
    assert mappings["weightKg"] == "double"
    assert mappings["price"] == "double"


def test_no_more_fields_are_typed_than_iterable_allows(iterable, make_config) -> None:
    wide = {"itemId": "113", "value": {f"custom_f{i:03d}": "x" for i in range(400)}}
    run_target(make_config(iterable), [schema("catalog_items"), record("catalog_items", wide)])

    assert len(iterable.emulator.catalog_field_mappings("products")) == MAX_CATALOG_FIELDS
