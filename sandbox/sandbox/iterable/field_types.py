"""The field-type registry: the first value sent for a field fixes its type for good.

User profile fields share one project-wide namespace (category `user`); purchase fields another
(`purchase`); custom-event fields one per event name (`customEvent`). Nested objects register every
path (`address.city`), arrays register the type of their elements. A later value of another type is
Iterable's 400 `RequestFieldsTypesMismatched`; in a bulk request one such value fails the whole
request.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from typing import Any

from sandbox.iterable.errors import IterableError

# The only strings Iterable types as `date` (KB "Field Data Types"); anything else is a string,
# e.g. "2020-04-13 14:04:09.000" (fractional seconds without `T`) or ISO 8601 without millis.
_DATE_FORMATS = (
    (re.compile(r"\d{4}-\d{2}-\d{2}"), "%Y-%m-%d"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}"), "%Y-%m-%d %H:%M:%S"),
    (re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} [+-]\d{2}:\d{2}"), "%Y-%m-%d %H:%M:%S %z"),
    (
        re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}[+-]\d{2}:\d{2}"),
        "%Y-%m-%dT%H:%M:%S.%f%z",
    ),
    (re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z"), "%Y-%m-%dT%H:%M:%S.%fZ"),
)


@lru_cache(maxsize=65536)  # the same date strings recur across records
def is_iterable_date(value: str) -> bool:
    for pattern, layout in _DATE_FORMATS:
        if pattern.fullmatch(value):
            try:
                datetime.strptime(value, layout)
            except ValueError:
                return False
            return True
    return False


def value_type(value: Any) -> str | None:
    """Iterable's type for one JSON value (None for null and empty arrays: they fix nothing)."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "date" if is_iterable_date(value) else "string"
    if isinstance(value, dict):
        return "object"
    return None


def flatten(fields: Mapping[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    """(path, scalar-or-object value) pairs for every field, nested paths joined with dots."""
    for name, value in fields.items():
        path = f"{prefix}{name}"
        values = value if isinstance(value, list) else [value]
        for item in values:
            yield path, item
            if isinstance(item, dict):
                yield from flatten(item, f"{path}.")


def _incoming_types(kind: str) -> list[str]:
    # How Iterable spells the types it inferred for the offending value.
    return ["string", "keyword"] if kind == "string" else [kind]


def compatible(expected: str, incoming: str) -> bool:
    if expected == incoming:
        return True
    # A long fits a double field, and a date-looking string is still a string.
    return (expected, incoming) in {("double", "long"), ("string", "date")}


@dataclass
class FieldTypeRegistry:
    """Types per category (`user`, `purchase`, `customEvent:<name>`), with staged changes."""

    project_id: int = 1
    types: dict[str, dict[str, str]] = field(default_factory=dict)

    def stage(self) -> StagedTypes:
        return StagedTypes(self)

    def known(self, category: str) -> dict[str, str]:
        return dict(self.types.get(category, {}))


@dataclass
class Mismatch:
    field: str
    expected: str
    incoming: str
    value: Any
    category: str


class StagedTypes:
    """Types first seen in the current request: committed only if the whole request succeeds."""

    def __init__(self, registry: FieldTypeRegistry) -> None:
        self.registry = registry
        self.new: dict[str, dict[str, str]] = {}

    def type_of(self, category: str, path: str) -> str | None:
        return self.new.get(category, {}).get(path) or self.registry.types.get(category, {}).get(
            path
        )

    def check(self, category: str, fields: Mapping[str, Any]) -> list[Mismatch]:
        """Register unseen fields; return the values whose type contradicts a known one."""
        mismatches: list[Mismatch] = []
        for path, value in flatten(fields):
            incoming = value_type(value)
            if incoming is None:
                continue
            expected = self.type_of(category, path)
            if expected is None:
                self.new.setdefault(category, {})[path] = incoming
            elif not compatible(expected, incoming):
                mismatches.append(Mismatch(path, expected, incoming, value, category))
        return mismatches

    def new_top_level(self, category: str) -> list[str]:
        return sorted({path.split(".")[0] for path in self.new.get(category, {})})

    def count_after(self, category: str) -> int:
        return len(self.registry.types.get(category, {})) + len(self.new.get(category, {}))

    def enforce_limit(self, category: str, limit: int) -> None:
        """Iterable's 400 when new fields would take a category past its (soft) field limit."""
        total = self.count_after(category)
        if total <= limit:
            return
        new_fields = sorted(self.new.get(category, {}))
        msg = (
            f"Project {self.registry.project_id}: The request would increase the number of object "
            f"fields to {total} by adding {new_fields}, which exceeds the limit of {limit}"
        )
        raise IterableError(
            400,
            "UniqueFieldsLimitExceeded",
            msg,
            {"limit": limit, "requestedTotal": total, "newFields": new_fields},
        )

    def commit(self) -> None:
        for category, fields in self.new.items():
            self.registry.types.setdefault(category, {}).update(fields)
        self.new.clear()


def mismatch_error(registry: FieldTypeRegistry, mismatches: list[Mismatch]) -> IterableError:
    """Iterable's recorded 400 for a field sent with a type other than the one it has."""
    first = mismatches[0]
    public_category = first.category.split(":")[0]
    incoming = _incoming_types(first.incoming)
    msg = (
        f"Project {registry.project_id}: The request does not have the same data types as the data "
        f"previously submitted. Field '{first.field}' already exists for type '{public_category}' "
        f"and has a data type of '{first.expected}' but possible types '{', '.join(incoming)}' "
        "in the request."
    )
    errors = {
        m.field: {
            "incomingTypes": _incoming_types(m.incoming),
            "expectedType": m.expected,
            "_type": "UnexpectedType",
            "offendingValue": m.value if not isinstance(m.value, dict) else "{...}",
            "category": m.category.split(":")[0],
        }
        for m in mismatches
    }
    return IterableError(400, "RequestFieldsTypesMismatched", msg, {"validationErrors": errors})
