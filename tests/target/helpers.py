"""Helpers for target-iterable tests: Singer messages, records and in-process runs."""

from __future__ import annotations

import io
import json
from contextlib import redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from target_iterable.contract.state_marker import MARKER_BOOKMARK
from target_iterable.target import TargetIterable

DATA_DIR = Path(__file__).parent / "data"
# Emulator and target both paced far above what tests send, unless a test is about rate limits.
FAST_LIMITS_EMULATOR = {
    "users/bulkUpdate": 1000.0,
    "events/trackBulk": 1000.0,
    "commerce/trackPurchase": 1000.0,
    "commerce/updateCart": 1000.0,
}
FAST_LIMITS_TARGET = {
    "users_bulk_update": 1000.0,
    "events_track_bulk": 1000.0,
    "track_purchase": 1000.0,
    "update_cart": 1000.0,
}


def schema(stream: str, key_properties: list[str] | None = None) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": {}},
        "key_properties": key_properties or [],
    }


def record(stream: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": value}


def state(value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "STATE", "value": value}


def singer_lines(messages: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(message) + "\n" for message in messages)


def user(i: int, **data: Any) -> dict[str, Any]:
    return {"email": f"user{i}@example.com", "dataFields": {"n": i, **data}}


def event(i: int, user_index: int | None = None) -> dict[str, Any]:
    who = i if user_index is None else user_index
    return {
        "email": f"user{who}@example.com",
        "eventName": "productViewed",
        "id": f"event-{i}",
        "createdAt": 1_700_000_000 + i,
        "dataFields": {"productId": i},
    }


def purchase(i: int) -> dict[str, Any]:
    return {
        "id": f"order-{i}",
        "user": {"email": f"user{i}@example.com"},
        "items": [{"id": "111", "name": "Mug", "price": 12.5, "quantity": 2}],
        "total": 25.0,
        "createdAt": 1_700_000_000 + i,
    }


@dataclass
class TargetRun:
    states: list[dict[str, Any]]  # as received: without the ledger id the target adds
    marked_states: list[dict[str, Any]]  # as written
    dead_letters: list[dict[str, Any]]
    dead_letter_path: Path


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def run_target(config: dict[str, Any], messages: list[dict[str, Any]] | str) -> TargetRun:
    """Run the target in-process on the messages; STATE lines are read from its stdout."""
    text = messages if isinstance(messages, str) else singer_lines(messages)
    stdout = io.StringIO()
    target = TargetIterable(config=config)
    with redirect_stdout(stdout):
        target.listen(io.StringIO(text))
    path = Path(config["dead_letter_path"])
    marked = [json.loads(line) for line in stdout.getvalue().splitlines() if line.strip()]
    return TargetRun(
        states=[without_marker(state) for state in marked],
        marked_states=marked,
        dead_letters=read_jsonl(path),
        dead_letter_path=path,
    )


def without_marker(state: dict[str, Any]) -> dict[str, Any]:
    """A STATE without the ledger id the target adds (see `contract/state_marker.py`)."""
    bookmarks = {k: v for k, v in state.get("bookmarks", {}).items() if k != MARKER_BOOKMARK}
    rest = {k: v for k, v in state.items() if k != "bookmarks"}
    return {**rest, "bookmarks": bookmarks} if bookmarks else rest
