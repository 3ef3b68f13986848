"""The README documents the rules as they are in the code."""

from __future__ import annotations

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
