"""The state a run starts from, checked first: a damaged state file fails naming what is wrong.

Without this, a state file that is not JSON fails with a bare JSON error, one of the wrong shape
with an AttributeError from deep in the SDK, and a bookmark that is not a timestamp is silently
dropped (a full re-sync nobody asked for).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any


class InvalidStateError(ValueError):
    """The state cannot be used; the message names the part at fault."""


def parse_state(text: str, source: str) -> dict[str, Any]:
    try:
        state = json.loads(text)
    except json.JSONDecodeError as exc:
        msg = f"{source} is not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        raise InvalidStateError(msg) from exc
    return check_state(state, source)


def check_state(state: Any, source: str = "state") -> dict[str, Any]:
    if not isinstance(state, dict):
        msg = f'{source} must be a JSON object like {{"bookmarks": {{...}}}}, got {_kind(state)}'
        raise InvalidStateError(msg)
    bookmarks = state.get("bookmarks", {})
    if not isinstance(bookmarks, dict):
        msg = f"{source}: bookmarks must be an object of streams, got {_kind(bookmarks)}"
        raise InvalidStateError(msg)
    for stream, bookmark in bookmarks.items():
        where = f"{source}: bookmarks.{stream}"
        if not isinstance(bookmark, dict):
            msg = f"{where} must be an object, got {_kind(bookmark)}"
            raise InvalidStateError(msg)
        partitions = bookmark.get("partitions", [])
        if not isinstance(partitions, list) or not all(isinstance(p, dict) for p in partitions):
            msg = f"{where}.partitions must be a list of objects"
            raise InvalidStateError(msg)
        _check_position(bookmark, where)
        for index, partition in enumerate(partitions):
            _check_position(partition, f"{where}.partitions[{index}]")
    return state


def _check_position(entry: dict[str, Any], where: str) -> None:
    value = entry.get("replication_key_value")
    if value is None or (isinstance(value, int) and not isinstance(value, bool)):
        return  # no position yet, or an inbox position (cart_events, customer_deletions)
    if isinstance(value, str):
        try:
            datetime.fromisoformat(value)
        except ValueError:
            pass
        else:
            return
    msg = f"{where}.replication_key_value must be an ISO 8601 timestamp, got {value!r}"
    raise InvalidStateError(msg)


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__
