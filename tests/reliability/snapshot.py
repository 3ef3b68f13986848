"""What a run left in Iterable, and the invariants a faulted run must keep against a clean one.

Invariants: the same users (with the same lifetime value), purchases, events, carts and catalog
items; no record that the clean run does not have (a duplicate would be one: a new id for the
same fact); whatever the clean run has and the faulted run lacks is in the dead-letter log.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sandbox.iterable.testing import RunningIterable

KINDS = ("users", "purchases", "events", "carts", "catalog_items")
# Dead letters name their record; these give the key the snapshot uses for it.
_DEAD_LETTER_KEYS = {
    "users": lambda r: r.get("email") or r.get("userId"),
    "purchases": lambda r: r.get("id"),
    "events": lambda r: r.get("id"),
    "carts": lambda r: (r.get("user") or {}).get("email") or (r.get("user") or {}).get("userId"),
    "catalog_items": lambda r: r.get("itemId"),
}


@dataclass
class Snapshot:
    records: dict[str, dict[str, Any]]
    # Writes per id beyond the first: retried requests Iterable had already applied (upserts).
    rewrites: Counter[str] = field(default_factory=Counter)

    def counts(self) -> dict[str, int]:
        return {kind: len(items) for kind, items in self.records.items()}


def snapshot(iterable: RunningIterable, catalog: str = "products") -> Snapshot:
    emulator = iterable.emulator
    users = {
        str(user.get("email") or user.get("userId")): user.get("dataFields", {})
        for user in emulator.users()
    }
    purchases = {str(p["id"]): p for p in emulator.purchases()}
    events = {}
    for event in emulator.events():
        assert event.get("id"), f"an event without an id duplicates on every retry: {event}"
        events[str(event["id"])] = event
    records = {
        "users": users,
        "purchases": purchases,
        "events": events,
        "carts": emulator.carts(),
        "catalog_items": emulator.catalog_items(catalog),
    }
    rewrites: Counter[str] = Counter()
    for kind in ("purchases", "events", "catalog_items"):
        rewrites[kind] = sum(n - 1 for n in emulator.write_counts(kind).values() if n > 1)
    return Snapshot(records, rewrites)


def dead_lettered_keys(letters: list[dict[str, Any]]) -> dict[str, set[str]]:
    keys: dict[str, set[str]] = {kind: set() for kind in KINDS}
    for letter in letters:
        stream, record = letter.get("stream"), letter.get("record")
        if stream in keys and isinstance(record, dict):
            keys[stream].add(str(_DEAD_LETTER_KEYS[stream](record)))
    return keys


def differences(
    baseline: Snapshot, run: Snapshot, letters: list[dict[str, Any]]
) -> dict[str, list[str]]:
    """Per kind, what breaks the invariants (empty lists when nothing does)."""
    dead = dead_lettered_keys(letters)
    problems: dict[str, list[str]] = {}
    for kind in KINDS:
        expected, actual = baseline.records[kind], run.records[kind]
        found = []
        found += [f"extra {kind} {key}" for key in sorted(actual.keys() - expected.keys())]
        found += [
            f"lost {kind} {key} (not dead-lettered)"
            for key in sorted(expected.keys() - actual.keys())
            if key not in dead[kind]
        ]
        found += [
            f"changed {kind} {key}: {_diff(expected[key], actual[key])}"
            for key in sorted(expected.keys() & actual.keys())
            if expected[key] != actual[key]
        ]
        problems[kind] = found
    return problems


def _diff(expected: Any, actual: Any) -> str:
    if isinstance(expected, dict) and isinstance(actual, dict):
        keys = sorted(
            k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k)
        )
        return ", ".join(f"{k}: {expected.get(k)!r} -> {actual.get(k)!r}" for k in keys[:5])
    return f"{str(expected)[:200]} -> {str(actual)[:200]}"


def assert_same_state(baseline: Snapshot, run: Snapshot, letters: list[dict[str, Any]]) -> None:
    problems = [p for found in differences(baseline, run, letters).values() for p in found]
    assert not problems, f"{len(problems)} difference(s) from the clean run:\n" + "\n".join(
        problems[:30]
    )
