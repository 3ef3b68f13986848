"""Catalogs: create/delete/list, bulk item upload, single item PUT/PATCH/GET/DELETE, field mappings.

Catalog names are case-insensitive (stored lower-case); item ids are case-sensitive. Writes are
asynchronous at Iterable (200/202); here they are visible at once.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

from sandbox.iterable.errors import (
    IterableError,
    bad_params,
    catalog_item_not_found,
    catalog_not_found,
    too_many,
)
from sandbox.iterable.field_types import compatible, flatten, value_type
from sandbox.iterable.settings import EmulatorSettings
from sandbox.iterable.state import Catalog, ProjectState

_NAME = re.compile(r"[A-Za-z0-9-]{1,255}")
MAPPING_TYPES = ("boolean", "date", "geo_location", "long", "double", "object", "string")


def _check_name(kind: str, value: str) -> None:
    if not _NAME.fullmatch(value):
        raise bad_params(
            f"Invalid {kind} {value!r}: only letters, digits and dashes, at most 255 characters",
            {"field": kind, "value": value},
        )


def get_catalog(state: ProjectState, name: str) -> Catalog:
    catalog = state.catalogs.get(name.lower())
    if catalog is None:
        raise catalog_not_found(name)
    return catalog


def create_catalog(state: ProjectState, name: str) -> dict[str, Any]:
    _check_name("catalogName", name)
    if name.lower() in state.catalogs:
        raise bad_params(f"Catalog {name} already exists", {"catalogName": name})
    state.catalogs[name.lower()] = Catalog(name=name)
    return {"name": name}


def delete_catalog(state: ProjectState, name: str) -> None:
    get_catalog(state, name)
    del state.catalogs[name.lower()]


def list_catalogs(state: ProjectState) -> dict[str, Any]:
    names = [{"name": catalog.name} for catalog in state.catalogs.values()]
    return {"catalogNames": names, "totalCatalogsCount": len(names)}


def _check_value(
    settings: EmulatorSettings, catalog: Catalog, item_id: str, value: dict[str, Any]
) -> None:
    _check_name("itemId", item_id)
    size = len(json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode())
    if size > settings.max_catalog_document_bytes:
        raise bad_params(
            f"Catalog item {item_id} is {size} bytes; the maximum is "
            f"{settings.max_catalog_document_bytes} bytes",
            {"itemId": item_id, "size": size, "limit": settings.max_catalog_document_bytes},
        )
    for name in _field_names(value):
        if "." in name:
            raise bad_params(
                f"Catalog item {item_id}: field names may not contain periods ({name!r})",
                {"itemId": item_id, "field": name},
            )
    for path, field_value in flatten(value):
        expected = catalog.field_mappings.get(path)
        incoming = value_type(field_value)
        if expected and incoming and not compatible(expected, incoming):
            raise IterableError(
                400,
                "RequestFieldsTypesMismatched",
                f"Catalog item {item_id}: field '{path}' has type '{expected}' but the value is "
                f"'{incoming}'",
                {"itemId": item_id, "field": path, "expectedType": expected},
            )


def _field_names(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for name, child in value.items():
            yield name
            yield from _field_names(child)
    elif isinstance(value, list):
        for child in value:
            yield from _field_names(child)


def _store(state: ProjectState, catalog: Catalog, item_id: str, value: dict[str, Any]) -> None:
    catalog.items[item_id] = value
    catalog.last_modified[item_id] = datetime.now(UTC).isoformat(timespec="milliseconds")
    state.writes["catalog_items"][f"{catalog.name.lower()}/{item_id}"] += 1


def bulk_upload(
    state: ProjectState, settings: EmulatorSettings, name: str, body: dict[str, Any]
) -> str:
    catalog = get_catalog(state, name)
    documents: dict[str, Any] = body["documents"]
    if len(documents) > settings.max_catalog_documents:
        raise too_many("catalog documents", len(documents), settings.max_catalog_documents)
    for item_id, value in documents.items():
        if not isinstance(value, dict):
            raise bad_params(f"Catalog item {item_id} must be a JSON object", {"itemId": item_id})
        _check_value(settings, catalog, item_id, value)
    partial = body["replaceUploadedFieldsOnly"]
    for item_id, value in documents.items():
        current = catalog.items.get(item_id, {}) if partial else {}
        _store(state, catalog, item_id, {**current, **value})
    return f"Request to bulk-upload documents into {catalog.name} processed successfully"


def put_item(
    state: ProjectState, settings: EmulatorSettings, name: str, item_id: str, value: dict[str, Any]
) -> None:
    """Create or replace one item."""
    catalog = get_catalog(state, name)
    _check_value(settings, catalog, item_id, value)
    _store(state, catalog, item_id, dict(value))


def patch_item(
    state: ProjectState,
    settings: EmulatorSettings,
    name: str,
    item_id: str,
    update: dict[str, Any],
) -> None:
    """Create or update one item; fields not sent are kept."""
    catalog = get_catalog(state, name)
    merged = {**catalog.items.get(item_id, {}), **update}
    _check_value(settings, catalog, item_id, merged)
    _store(state, catalog, item_id, merged)


def get_item(state: ProjectState, name: str, item_id: str) -> dict[str, Any]:
    catalog = get_catalog(state, name)
    if item_id not in catalog.items:
        raise catalog_item_not_found(name, item_id)
    return _item_with_properties(catalog, item_id)


def _item_with_properties(catalog: Catalog, item_id: str) -> dict[str, Any]:
    value = catalog.items[item_id]
    return {
        "catalogName": catalog.name,
        "itemId": item_id,
        "lastModified": catalog.last_modified[item_id],
        "size": len(json.dumps(value, separators=(",", ":")).encode()),
        "value": value,
    }


def delete_items(state: ProjectState, name: str, item_ids: list[str]) -> None:
    catalog = get_catalog(state, name)
    for item_id in item_ids:
        catalog.items.pop(item_id, None)
        catalog.last_modified.pop(item_id, None)


def list_items(state: ProjectState, name: str, page: int, page_size: int) -> dict[str, Any]:
    catalog = get_catalog(state, name)
    ids = sorted(catalog.items)
    start = (page - 1) * page_size
    chosen = ids[start : start + page_size]
    return {
        "catalogItemsWithProperties": [_item_with_properties(catalog, i) for i in chosen],
        "totalItemsCount": len(ids),
    }


def field_mappings(state: ProjectState, name: str) -> dict[str, Any]:
    catalog = get_catalog(state, name)
    seen = {path for value in catalog.items.values() for path, _ in flatten(value)}
    return {
        "definedMappings": dict(sorted(catalog.field_mappings.items())),
        "undefinedFields": sorted(seen - set(catalog.field_mappings)),
    }


def update_field_mappings(
    state: ProjectState, name: str, updates: list[dict[str, Any]], prefix: str = ""
) -> None:
    """Set field types; a type once set may not change."""
    catalog = get_catalog(state, name)
    for update in updates:
        path = f"{prefix}{update['fieldName']}"
        field_type = update["fieldType"]
        if field_type not in MAPPING_TYPES:
            raise bad_params(
                f"Invalid fieldType {field_type!r} for {path}; expected one of "
                f"{', '.join(MAPPING_TYPES)}",
                {"fieldName": path},
            )
        existing = catalog.field_mappings.get(path)
        if existing is not None and existing != field_type:
            raise bad_params(
                f"Field {path} already has type {existing}; a field's type cannot be changed",
                {"fieldName": path, "existingType": existing},
            )
        catalog.field_mappings[path] = field_type
        if update.get("children"):
            update_field_mappings(state, name, update["children"], prefix=f"{path}.")
