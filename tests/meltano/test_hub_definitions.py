"""The Meltano Hub definitions validate against the Hub's schemas and match each CLI's --about."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import plugin_definitions  # noqa: E402

PLUGINS = {plugin.name: plugin for plugin in plugin_definitions.PLUGINS}


def _hub_validator(meltano_hub_specs: Path, plugin_type: str) -> jsonschema.Draft7Validator:
    # As the Hub's CI does: every schema registered by its $id, validated with draft-07.
    schemas_dir = meltano_hub_specs / "schemas"
    resources = []
    for path in schemas_dir.rglob("*.schema.json"):
        schema = json.loads(path.read_text())
        resource = Resource.from_contents(schema, default_specification=DRAFT7)
        resources.append((path.relative_to(schemas_dir).as_posix(), resource))
        resources.append((schema.get("$id", path.name), resource))
    registry: Registry[Any] = Registry().with_resources(resources)
    schema = json.loads(
        (schemas_dir / "plugin_definitions" / f"{plugin_type}.schema.json").read_text()
    )
    return jsonschema.Draft7Validator(schema, registry=registry)


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_definition_validates_against_hub_schema(name: str, meltano_hub_specs: Path) -> None:
    plugin = PLUGINS[name]
    body = yaml.safe_load(plugin.path.read_text())
    errors = sorted(
        _hub_validator(meltano_hub_specs, plugin.plugin_type).iter_errors(body), key=str
    )
    assert not errors, "\n".join(e.message for e in errors)
    assert body["name"] == plugin.path.parent.name


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_definition_keys_are_sorted(name: str) -> None:
    def check(node: object) -> None:
        if isinstance(node, dict):
            assert list(node) == sorted(node), f"unsorted keys {list(node)}"
            for value in node.values():
                check(value)
        elif isinstance(node, list):
            for value in node:
                check(value)

    check(yaml.safe_load(PLUGINS[name].path.read_text()))


def test_definitions_are_fresh() -> None:
    assert plugin_definitions.main(["--check"]) == 0


@pytest.mark.parametrize("name", sorted(PLUGINS))
def test_markdown_about_lists_the_definition_settings(name: str) -> None:
    markdown = subprocess.run(
        [name, "--about", "--format=markdown"], capture_output=True, text=True, check=True
    ).stdout
    rows = re.findall(r"^\| ([A-Za-z_][\w.]*)\s*\|", markdown, flags=re.MULTILINE)
    documented = set(rows) - {"Setting"}  # the table's header row
    defined = {s["name"] for s in yaml.safe_load(PLUGINS[name].path.read_text())["settings"]}
    # The markdown table lists objects and their dotted children; the Hub lists one or the other.
    assert defined <= documented
    for setting in documented:
        assert any(
            setting == d or d.startswith(f"{setting}.") or setting.startswith(f"{d}.")
            for d in defined
        ), f"{setting} is documented by --about but missing from the Hub definition"
