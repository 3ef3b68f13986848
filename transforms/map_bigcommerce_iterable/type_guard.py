"""Iterable locks a field's type on first write; this guard keeps every emitted field on one type.

Normalisers already return one type per field; the guard is the safety net: a value whose JSON
type differs from the type this field had earlier in the run is dropped (with a warning) rather
than sent, because one mismatched value would make Iterable reject the whole bulk request.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

logger = logging.getLogger(__name__)


def json_type(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    msg = f"unexpected value type {type(value).__name__}"
    raise TypeError(msg)


class FieldTypeGuard:
    def __init__(self) -> None:
        self._types: dict[tuple[str, str], str] = {}
        self.dropped = 0
        # The field types the current input record taught, and the drop count before it.
        self._learned: list[tuple[str, str]] = []
        self._dropped_before = 0

    def begin_record(self) -> None:
        self._learned = []
        self._dropped_before = self.dropped

    def undo_record(self) -> None:
        """Forget what the record taught: a refused record must not fix a field's type."""
        for key in self._learned:
            del self._types[key]
        self._learned = []
        self.dropped = self._dropped_before

    def check(self, scope: str, fields: Mapping[str, Any]) -> dict[str, Any]:
        kept: dict[str, Any] = {}
        for name, value in fields.items():
            kind = json_type(value)
            if kind is not None:
                known = self._types.get((scope, name))
                if known is None:
                    known = self._types[(scope, name)] = kind
                    self._learned.append((scope, name))
                if known != kind:
                    self.dropped += 1
                    logger.warning(
                        "Dropped %s field %r: %s value where earlier values were %s",
                        scope,
                        name,
                        kind,
                        known,
                    )
                    continue
            kept[name] = value
        return kept
