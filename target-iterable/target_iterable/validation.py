"""Fast validation of records against their operation's JSON Schema (fastjsonschema).

Returns a `Problem` naming the failing field and rule instead of raising, so that an invalid record
is dead-lettered and the run goes on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import fastjsonschema

from target_iterable.contract import operation_schema


@dataclass(frozen=True)
class Problem:
    """Why a record cannot be sent: the field (dotted path), the rule it broke, and a message."""

    field: str | None
    rule: str
    reason: str


def _field_path(name: str) -> str | None:
    path = name.removeprefix("data").lstrip(".")
    return path or None


class RecordValidator:
    """Compiled validator for one operation's schema."""

    def __init__(self, operation: str) -> None:
        self.operation = operation
        self._validate: Callable[[Any], Any] = fastjsonschema.compile(operation_schema(operation))

    def problem(self, record: dict[str, Any]) -> Problem | None:
        try:
            self._validate(record)
        except fastjsonschema.JsonSchemaValueException as error:
            return self._describe(error)
        return None

    @staticmethod
    def _describe(error: fastjsonschema.JsonSchemaValueException) -> Problem:
        field = _field_path(error.name or "")
        rule = error.rule or "schema"
        reason = error.message.replace(error.name or "data", field or "record", 1)
        if rule == "required" and isinstance(error.value, dict):
            missing = [name for name in error.rule_definition or [] if name not in error.value]
            if missing:
                field = ".".join(filter(None, [field, missing[0]]))
                reason = f"{field} is required"
        elif rule == "anyOf":
            where = f"{field}." if field else ""
            reason = f"{where}email or {where}userId is required (one identifier per user)"
            field = f"{where}email/{where}userId"
        elif rule == "additionalProperties" and isinstance(error.value, dict):
            reason = f"{field or 'record'} has a property the {rule} rule does not allow: {reason}"
        return Problem(field=field, rule=rule, reason=reason)


# What the senders rely on even when `validate_records` is off.
_STRUCTURE: dict[str, tuple[tuple[str, type], ...]] = {
    "purchases": (("user", dict),),
    "carts": (("user", dict),),
    "catalog_items": (("itemId", str), ("value", dict)),
}


def structure_problem(operation: str, record: dict[str, Any]) -> Problem | None:
    """The minimum a record needs to be sent at all (the check kept with validation off)."""
    if operation in ("user_deletions", "user_forgets") and not any(
        isinstance(record.get(key), str) and record.get(key) for key in ("email", "userId")
    ):
        return Problem(field="email/userId", rule="anyOf", reason="email or userId is required")
    for field, kind in _STRUCTURE.get(operation, ()):
        if not isinstance(record.get(field), kind):
            return Problem(field=field, rule="type", reason=f"{field} must be a {kind.__name__}")
    return None
