"""Normalise BigCommerce values to the tap's output conventions, driven by each stream's schema.

- Timestamps (schema `format: date-time`) become ISO 8601 UTC strings, whatever BigCommerce sent:
  RFC 2822 (v2), ISO 8601 with or without offset (v3), `YYYY-MM-DD HH:MM:SS` (v2 customer
  groups) or Unix seconds (webhooks). Naive values are UTC: BigCommerce documents v2 dates as
  "always in UTC".
- Numbers (schema type `number`) become `Decimal`: v2 sends money as strings like `"336.3200"`,
  v3 as JSON numbers (already parsed as `Decimal` by the SDK), and neither may drift.
- Integers sent as strings become ints; empty strings become null everywhere.
"""

from __future__ import annotations

import decimal
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_NULL_DATES = {"", "0000-00-00 00:00:00", "0000-00-00T00:00:00Z"}


class ValueFormatError(ValueError):
    """A value BigCommerce sent does not fit the declared field type."""


def to_utc_datetime(value: Any) -> datetime | None:
    """Parse any timestamp BigCommerce sends into an aware UTC datetime (None for blanks)."""
    if value is None:
        return None
    if isinstance(value, datetime):
        parsed = value
    elif isinstance(value, int | float | decimal.Decimal) and not isinstance(value, bool):
        parsed = datetime.fromtimestamp(float(value), tz=UTC)
    elif isinstance(value, str):
        text = value.strip()
        if text in _NULL_DATES:
            return None
        parsed = _parse_text_timestamp(text)
    else:
        msg = f"not a timestamp: {value!r}"
        raise ValueFormatError(msg)
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _parse_text_timestamp(text: str) -> datetime:
    if text.isdigit():
        return datetime.fromtimestamp(int(text), tz=UTC)
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError) as exc:
        msg = f"not an ISO 8601 or RFC 2822 timestamp: {text!r}"
        raise ValueFormatError(msg) from exc


def to_utc_iso(value: Any) -> str | None:
    """`2024-03-10T02:30:00+00:00` (microseconds kept when present), or None for blanks."""
    parsed = to_utc_datetime(value)
    return None if parsed is None else parsed.isoformat()


def to_decimal(value: Any) -> decimal.Decimal | None:
    """An exact number from a BigCommerce money/rate string or JSON number."""
    if value is None or isinstance(value, decimal.Decimal):
        return value
    if isinstance(value, bool):
        msg = f"not a number: {value!r}"
        raise ValueFormatError(msg)
    if isinstance(value, int):
        return decimal.Decimal(value)
    if isinstance(value, float):
        # repr() is the shortest string that round-trips, so no binary noise is added.
        return decimal.Decimal(repr(value))
    text = str(value).strip()
    if not text:
        return None
    try:
        return decimal.Decimal(text)
    except decimal.InvalidOperation as exc:
        msg = f"not a number: {value!r}"
        raise ValueFormatError(msg) from exc


def _types(schema: dict[str, Any]) -> set[str]:
    declared = schema.get("type", [])
    if isinstance(declared, str):
        return {declared}
    if declared:
        return set(declared)
    types: set[str] = set()
    for option in schema.get("anyOf", []):
        types |= _types(option)
    return types


def normalize(value: Any, schema: dict[str, Any], path: str = "") -> Any:
    """Return `value` converted to the conventions above, following `schema` recursively.

    Raises ValueFormatError naming the field path when a value cannot be converted.
    """
    if value is None:
        return None
    if isinstance(value, str) and value == "":
        return None
    types = _types(schema)
    if isinstance(value, dict) and "object" in types:
        return _normalize_object(value, schema, path)
    if isinstance(value, list) and "array" in types:
        items = schema.get("items", {})
        return [normalize(item, items, f"{path}[{i}]") for i, item in enumerate(value)]
    try:
        return _normalize_scalar(value, schema, types)
    except ValueFormatError as exc:
        msg = f"field {path or '(record)'}: {exc}"
        raise ValueFormatError(msg) from exc


def _normalize_scalar(value: Any, schema: dict[str, Any], types: set[str]) -> Any:
    if schema.get("format") == "date-time":
        return to_utc_iso(value)
    if "string" in types and isinstance(value, str):
        return value  # free-form fields (e.g. form field values) keep their text
    if "integer" in types and isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if "number" in types and "integer" not in types and not isinstance(value, bool):
        return to_decimal(value)
    return value


def _normalize_object(record: dict[str, Any], schema: dict[str, Any], path: str) -> dict[str, Any]:
    properties: dict[str, Any] = schema.get("properties", {})
    result: dict[str, Any] = {}
    for key, item in record.items():
        child = properties.get(key)
        child_path = f"{path}.{key}" if path else key
        result[key] = item if child is None else normalize(item, child, child_path)
    return result
