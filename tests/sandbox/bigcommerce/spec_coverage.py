"""Which `oneOf`/`anyOf` branches and `enum` values of a spec schema some served body reaches.

Only fields the tap emits count: the walk follows a spec schema and the tap's stream schema
side by side and descends into a property only when both have it, so a branch of a field the
tap drops (a link object, a field it never declares) is not required of the generator.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import jsonschema


@dataclass
class Coverage:
    """Spec sites (e.g. `orders[].payment_status = 'void'`) seen and not seen."""

    reached: set[str] = field(default_factory=set)
    missed: set[str] = field(default_factory=set)

    def add(self, site: str, hit: bool) -> None:
        (self.reached if hit else self.missed).add(site)

    def unreached(self) -> list[str]:
        return sorted(self.missed - self.reached)


def _branch_label(branch: dict[str, Any], index: int) -> str:
    kind = branch.get("type")
    if isinstance(kind, list):
        kind = "|".join(str(k) for k in kind)
    if kind == "array" and isinstance(branch.get("items"), dict):
        props = sorted(branch["items"].get("properties", {}))[:2]
        kind = f"array of {{{','.join(props)}...}}" if props else "array"
    return f"branch {index} ({kind or 'object'})"


def _tap_properties(tap: dict[str, Any]) -> dict[str, Any]:
    properties: dict[str, Any] = dict(tap.get("properties") or {})
    for option in tap.get("anyOf", []):
        properties.update(_tap_properties(option))
    return properties


def _tap_items(tap: dict[str, Any]) -> dict[str, Any] | None:
    if isinstance(tap.get("items"), dict):
        items: dict[str, Any] = tap["items"]
        return items
    for option in tap.get("anyOf", []):
        found = _tap_items(option)
        if found is not None:
            return found
    return None


def walk(
    spec: dict[str, Any],
    tap: dict[str, Any],
    values: Iterable[Any],
    where: str,
    coverage: Coverage,
) -> None:
    """Record into `coverage` every branch and enum value under `spec` that `values` reach."""
    values = list(values)
    if "enum" in spec:
        for option in spec["enum"]:
            if option is None:
                continue
            coverage.add(f"{where} = {option!r}", any(v == option for v in values))
    for combinator in ("oneOf", "anyOf"):
        for index, branch in enumerate(spec.get(combinator, [])):
            validator = jsonschema.Draft4Validator(branch)
            matching = [v for v in values if validator.is_valid(v)]
            coverage.add(f"{where} {combinator} {_branch_label(branch, index)}", bool(matching))
            walk(branch, tap, matching, where, coverage)
    for branch in spec.get("allOf", []):
        walk(branch, tap, values, where, coverage)
    tap_properties = _tap_properties(tap)
    for name, child in (spec.get("properties") or {}).items():
        if name not in tap_properties:
            continue
        present = [v[name] for v in values if isinstance(v, dict) and name in v]
        walk(child, tap_properties[name], present, f"{where}.{name}", coverage)
    tap_items = _tap_items(tap)
    if isinstance(spec.get("items"), dict) and tap_items is not None:
        members = [item for v in values if isinstance(v, list) for item in v]
        walk(spec["items"], tap_items, members, f"{where}[]", coverage)
