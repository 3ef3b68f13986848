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
from collections.abc import Callable
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from typing import Any

_NULL_DATES = {"", "0000-00-00 00:00:00", "0000-00-00T00:00:00Z"}


class ValueFormatError(ValueError):
    """A value BigCommerce sent does not fit the declared field type; `field` is its path
    (`line_items[0].price_inc_tax`) when known."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def to_utc_datetime(value: Any) -> datetime | None:
    """Parse any timestamp BigCommerce sends into an aware UTC datetime (None for blanks)."""
    try:
        return _to_utc_datetime(value)
    except ValueFormatError:
        raise
    except (OverflowError, OSError, ValueError) as exc:  # beyond what datetime can hold
        msg = f"not a timestamp in range: {value!r}"
        raise ValueFormatError(msg) from exc


def _to_utc_datetime(value: Any) -> datetime | None:
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


Normalizer = Callable[[Any], Any]


class _FieldError(ValueFormatError):
    """A conversion failure on its way up, collecting the field path."""

    def __init__(self, message: str, path: list[str]) -> None:
        super().__init__(message)
        self.message = message
        self.path = path


def compile_normalizer(schema: dict[str, Any]) -> Normalizer:
    """A function applying the conventions above to values of `schema` (built once per stream).

    It raises ValueFormatError naming the field path when a value cannot be converted.
    """
    convert = _compile(schema)

    def run(value: Any) -> Any:
        try:
            return convert(value)
        except _FieldError as exc:
            where = "".join(exc.path).lstrip(".") or None
            msg = f"field {where or '(record)'}: {exc.message}"
            raise ValueFormatError(msg, where) from exc

    return run


def normalize(value: Any, schema: dict[str, Any]) -> Any:
    """One-off `compile_normalizer(schema)(value)`."""
    return compile_normalizer(schema)(value)


def _compile(schema: dict[str, Any]) -> Normalizer:
    types = _types(schema)
    scalar = _compile_scalar(schema, types)
    fields = {name: _compile(child) for name, child in (schema.get("properties") or {}).items()}
    # An array without an items schema holds values of any type (e.g. a checkbox form field).
    items = _compile(schema.get("items") or {}) if "array" in types else None
    is_object = "object" in types

    def convert(value: Any) -> Any:
        if value is None or (value.__class__ is str and value == ""):
            return None
        if is_object and isinstance(value, dict):
            result = {}
            for key, item in value.items():
                child = fields.get(key)
                try:
                    result[key] = item if child is None else child(item)
                except _FieldError as exc:
                    exc.path.insert(0, f".{key}")
                    raise
            return result
        if items is not None and isinstance(value, list):
            converted = []
            for index, item in enumerate(value):
                try:
                    converted.append(items(item))
                except _FieldError as exc:
                    exc.path.insert(0, f"[{index}]")
                    raise
            return converted
        try:
            return scalar(value)
        except ValueFormatError as exc:
            raise _FieldError(str(exc), []) from exc

    return convert


def _compile_scalar(schema: dict[str, Any], types: set[str]) -> Normalizer:
    """A leaf value, checked against the declared type: a value of another type is refused
    (the record is dead-lettered naming the field) rather than emitted with a type that would
    flip downstream. Lossless readings are made: integers and exact numbers sent as text, and
    whole numbers (`3.0`) for integer fields."""
    if schema.get("format") == "date-time":
        return to_utc_iso
    if not types:  # no declared type (AnyType): passed on as sent
        return lambda value: value
    keeps_text = "string" in types
    wants_int = "integer" in types
    wants_decimal = "number" in types and not wants_int
    wants_bool = "boolean" in types
    expected = "/".join(sorted(types - {"null"}))

    def refuse(value: Any) -> ValueFormatError:
        if isinstance(value, dict | list):
            kind = "an object" if isinstance(value, dict) else "an array"
        else:
            kind = repr(value)[:80]
        return ValueFormatError(f"expected {expected}, got {kind}")

    def scalar(value: Any) -> Any:
        if value.__class__ is str:
            if keeps_text:
                return value  # free-form fields (e.g. form field values) keep their text
            if wants_int and value.strip().lstrip("-").isdigit():
                return int(value)
            if wants_decimal:
                return _finite(to_decimal(value), value)
            raise refuse(value)
        if value.__class__ is bool:
            if wants_bool:
                return value
            raise refuse(value)
        if isinstance(value, int | float | decimal.Decimal):
            if wants_decimal:
                return _finite(to_decimal(value), value)
            if wants_int:
                number = _finite(to_decimal(value), value)
                if number is not None and number == number.to_integral_value():
                    return int(number)
            if "number" in types:
                return _finite(to_decimal(value), value)
        raise refuse(value)

    return scalar


def _finite(number: decimal.Decimal | None, value: Any) -> decimal.Decimal | None:
    if number is not None and not number.is_finite():
        msg = f"not a finite number: {value!r}"
        raise ValueFormatError(msg)
    return number
