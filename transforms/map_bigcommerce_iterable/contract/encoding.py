"""JSON encoding of records as Iterable receives them.

The SDK reads decimals as `Decimal` (exact money), so they are written back as exact JSON numbers.
"""

from __future__ import annotations

import datetime
from typing import Any

import simplejson


def _fallback(value: Any) -> str:
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    msg = f"Value of type {type(value).__name__} is not JSON serialisable"
    raise TypeError(msg)


def dumps(value: Any, *, allow_nan: bool = False, sort_keys: bool = False) -> str:
    """Compact JSON, decimals exact; NaN/Infinity refused unless allowed (Iterable rejects them,
    dead letters keep the record as received); `sort_keys` for a stable fingerprint."""
    text: str = simplejson.dumps(
        value,
        use_decimal=True,
        default=_fallback,
        separators=(",", ":"),
        allow_nan=allow_nan,
        sort_keys=sort_keys,
    )
    return text


def size_in_bytes(value: Any) -> int:
    return len(dumps(value).encode())
