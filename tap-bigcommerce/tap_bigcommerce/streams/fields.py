"""Schema building blocks shared by the stream modules."""

from __future__ import annotations

from typing import Any

from singer_sdk import typing as th

# Exact numbers (money, exchange rates): emitted as JSON numbers from Decimal, never floats.
Money = th.NumberType
Timestamp = th.DateTimeType


def prop(name: str, kind: Any, description: str | None = None) -> th.Property[Any]:
    return th.Property(name, kind, description=description)


def key(name: str = "id", kind: Any = th.IntegerType) -> th.Property[Any]:
    """A primary-key property: never null."""
    return th.Property(name, kind, required=True)


STORE_HASH = th.Property(
    "store_hash", th.StringType, required=True, description="The store the record came from."
)

FORM_FIELD = th.ObjectType(
    th.Property("name", th.StringType),
    th.Property("value", th.CustomType({"type": ["string", "number", "boolean", "array", "null"]})),
    th.Property("customer_id", th.IntegerType),
)

V2_ADDRESS_FIELDS: list[th.Property[Any]] = [
    th.Property("first_name", th.StringType),
    th.Property("last_name", th.StringType),
    th.Property("company", th.StringType),
    th.Property("street_1", th.StringType),
    th.Property("street_2", th.StringType),
    th.Property("city", th.StringType),
    th.Property("state", th.StringType),
    th.Property("zip", th.StringType),
    th.Property("country", th.StringType),
    th.Property("country_iso2", th.StringType),
    th.Property("phone", th.StringType),
    th.Property("email", th.StringType),
    th.Property("form_fields", th.ArrayType(FORM_FIELD)),
]

URL_RESOURCE = th.ObjectType(
    th.Property("url", th.StringType),
    th.Property("resource", th.StringType),
)
