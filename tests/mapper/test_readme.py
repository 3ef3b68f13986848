"""The README documents the rules as they are in the code."""

from __future__ import annotations

import json
from pathlib import Path

from map_bigcommerce_iterable.ownership import DEFAULT_OWNERSHIP
from map_bigcommerce_iterable.settings import CONFIG_JSONSCHEMA, EVENT_KEYS

README = (Path(__file__).parents[2] / "transforms" / "README.md").read_text()


def test_ownership_table_matches_the_defaults() -> None:
    for field, (owner, source) in DEFAULT_OWNERSHIP.items():
        assert f"| `{field}` | {owner.value} | {source} |" in README, field


def test_every_setting_and_event_is_documented() -> None:
    for setting in CONFIG_JSONSCHEMA["properties"]:
        assert f"`{setting}`" in README, setting
    for key in EVENT_KEYS:
        assert f"| `{key}` | `bc_{key}` |" in README, key


def _field_names(value: object) -> set[str]:
    """Names of the fields of output records (item lists and catalog values included)."""
    names: set[str] = set()
    if isinstance(value, dict):
        for key, inner in value.items():
            names.add(key)
            names |= _field_names(inner)
    elif isinstance(value, list):
        for inner in value:
            names |= _field_names(inner)
    return names


def test_every_field_of_the_golden_outputs_is_in_the_field_reference() -> None:
    reference = README.split("## Field reference", 1)[1].split("\n## ", 1)[0]
    data = Path(__file__).parent / "data"
    for path in sorted(data.glob("*.expected.singer")):
        for line in path.read_text().splitlines():
            message = json.loads(line)
            if message["type"] != "RECORD":
                continue
            for name in _field_names(message["record"]):
                if name.startswith(("attribute_", "custom_")) or name in ("dataFields", "value"):
                    continue
                assert f"`{name}`" in reference, f"{name} ({path.name}) not in Field reference"
