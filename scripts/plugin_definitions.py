"""Meltano Hub plugin definitions, generated from each plugin's own `--about --format=json`.

    python scripts/plugin_definitions.py          # (re)write the Hub files and meltano.yml settings
    python scripts/plugin_definitions.py --check  # exit 1 if a committed file is stale

Writes hub/<type>/<name>/<variant>.yml and the marked `settings:` blocks of meltano.yml.
The settings are exactly what each CLI reports, so they cannot drift from the code (and Meltano
only passes `<PLUGIN>_<SETTING>` environment variables for settings it knows about).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

REPO_ROOT = Path(__file__).resolve().parent.parent
HUB_DIR = REPO_ROOT / "hub"
VARIANT = "bigcommerce-iterable"
# Where the repository is published; the Hub installs each plugin from its subdirectory.
REPO_URL = "https://github.com/bigcommerce-iterable/bigcommerce-iterable"


@dataclass(frozen=True)
class Plugin:
    plugin_type: str  # Hub folder: extractors, loaders, mappers
    name: str
    namespace: str
    subdirectory: str
    label: str
    description: str
    domain_url: str
    keywords: tuple[str, ...]
    extra: tuple[tuple[str, Any], ...] = ()

    @property
    def path(self) -> Path:
        return HUB_DIR / self.plugin_type / self.name / f"{VARIANT}.yml"


PLUGINS = (
    Plugin(
        "extractors",
        "tap-bigcommerce",
        "tap_bigcommerce",
        "tap-bigcommerce",
        "BigCommerce",
        "BigCommerce customers, orders with every line item, refunds, catalog and cart events",
        "https://www.bigcommerce.com",
        ("api", "bigcommerce", "ecommerce", "meltano_sdk"),
        (("quality", "silver"),),
    ),
    Plugin(
        "mappers",
        "map-bigcommerce-iterable",
        "map_bigcommerce_iterable",
        "transforms",
        "BigCommerce to Iterable",
        "Identity, ownership and normalisation rules from BigCommerce records to Iterable",
        "https://www.iterable.com",
        ("bigcommerce", "iterable", "meltano_sdk"),
        # Meltano refuses a mapping named like its mapper ("Expected unique mappings name not the
        # mapper plugin name"), and `meltano add` leaves `mappings` out of meltano.yml: this is the
        # entry the README asks Hub users to add, as tests/distribution does.
        (("mappings", [{"name": "bigcommerce-to-iterable", "config": {}}]),),
    ),
    Plugin(
        "loaders",
        "target-iterable",
        "target_iterable",
        "target-iterable",
        "Iterable",
        "Iterable users, events, purchases, carts and catalog items, validated and idempotent",
        "https://www.iterable.com",
        ("api", "iterable", "marketing", "meltano_sdk"),
        (("quality", "silver"),),
    ),
)

_KIND_BY_TYPE = {
    "boolean": "boolean",
    "integer": "integer",
    "number": "decimal",
    "array": "array",
    "object": "object",
    "string": "string",
}


def about(executable: str) -> dict[str, Any]:
    """The plugin's `--about --format=json`, from its real CLI."""
    result = subprocess.run(
        [executable, "--about", "--format=json"], capture_output=True, text=True, check=True
    )
    info: dict[str, Any] = json.loads(result.stdout)
    return info


def _json_types(prop: dict[str, Any]) -> list[str]:
    types = prop.get("type", [])
    if isinstance(types, str):
        types = [types]
    if not types and "anyOf" in prop:
        types = [
            t for option in prop["anyOf"] if isinstance(option, dict) for t in _json_types(option)
        ]
    return [t for t in types if t != "null"]


def _setting(name: str, prop: dict[str, Any]) -> dict[str, Any]:
    setting: dict[str, Any] = {"name": name, "label": prop.get("title") or _label(name)}
    if prop.get("description"):
        setting["description"] = prop["description"]
    types = _json_types(prop)
    if prop.get("secret"):
        setting["kind"] = "password"
        setting["sensitive"] = True
    elif prop.get("enum") or prop.get("allowed_values"):
        setting["kind"] = "options"
        values = prop.get("enum") or prop["allowed_values"]
        setting["options"] = [
            {"label": _label(str(v)), "value": v} for v in values if v is not None
        ]
    elif prop.get("format") == "date-time":
        setting["kind"] = "date_iso8601"
    else:
        setting["kind"] = _KIND_BY_TYPE.get(types[0] if types else "string", "string")
    if "default" in prop and prop["default"] is not None:
        setting["value"] = prop["default"]
    return setting


def _label(name: str) -> str:
    words = name.replace(".", " ").replace("_", " ").split()
    return " ".join(word.capitalize() for word in words)


def settings(info: dict[str, Any]) -> list[dict[str, Any]]:
    """Hub settings for every property in the plugin's config schema, nested objects dotted."""
    out: list[dict[str, Any]] = []

    def visit(prefix: str, properties: dict[str, Any]) -> None:
        for name, prop in properties.items():
            full = f"{prefix}{name}"
            nested = prop.get("properties")
            if "object" in _json_types(prop) and nested and not prop.get("additionalProperties"):
                visit(f"{full}.", nested)
            else:
                out.append(_setting(full, prop))

    visit("", info["settings"]["properties"])
    return sorted(out, key=lambda s: s["name"])


def meltano_settings(info: dict[str, Any]) -> list[dict[str, Any]]:
    """The settings as meltano.yml declares them.

    Defaults stay in the plugin (one source of truth): Meltano would pass a `value` as config.
    Meltano 4.4.1 turns a `decimal` setting read from the environment into a Python Decimal and
    then cannot write the plugin's config ("Object of type Decimal is not JSON serializable"),
    so numbers are declared `integer` here: whole numbers work from the environment, fractions
    from meltano.yml's `config:` (a YAML number is passed through as it is).
    """
    declared = []
    for setting in settings(info):
        without_default = {k: v for k, v in setting.items() if k != "value"}
        if without_default.get("kind") == "decimal":
            without_default["kind"] = "integer"
        declared.append(without_default)
    return declared


def definition(plugin: Plugin, info: dict[str, Any]) -> dict[str, Any]:
    required = info["settings"].get("required", [])
    body: dict[str, Any] = {
        "capabilities": sorted(info["capabilities"]),
        "description": plugin.description,
        "domain_url": plugin.domain_url,
        "executable": plugin.name,
        "keywords": list(plugin.keywords),
        "label": plugin.label,
        "logo_url": f"/assets/logos/{plugin.plugin_type}/{plugin.name}.png",
        "maintenance_status": "active",
        "name": plugin.name,
        "namespace": plugin.namespace,
        "pip_url": f"git+{REPO_URL}.git#subdirectory={plugin.subdirectory}",
        "repo": REPO_URL,
        "settings": settings(info),
        "variant": VARIANT,
        **dict(plugin.extra),
    }
    if required:
        body["settings_group_validation"] = [sorted(required)]
    if plugin.plugin_type == "mappers":
        # The Hub's mapper schema has no `supported_python_versions`.
        body["capabilities"] = [c for c in body["capabilities"] if c != "validate-records"]
    else:
        body["supported_python_versions"] = info.get("supported_python_versions", [])
    return body


def render(body: dict[str, Any]) -> str:
    # Keys sorted and sequences not indented, as the Hub's yamllint requires.
    return yaml.safe_dump(body, sort_keys=True, allow_unicode=True, width=100)


MELTANO_YML = REPO_ROOT / "meltano.yml"
_BLOCK_INDENT = "    "


def _marker(name: str, end: bool = False) -> str:
    return f"{_BLOCK_INDENT}# {'end of ' if end else ''}generated from `{name} --about`\n"


def meltano_yml_with_settings(text: str, name: str, plugin: dict[str, Any]) -> str:
    """Replace the marked capabilities and settings block of one plugin in meltano.yml's text."""
    start, end = _marker(name), _marker(name, end=True)
    if start not in text or end not in text:
        msg = f"meltano.yml has no generated settings block for {name}"
        raise ValueError(msg)
    block = yaml.safe_dump(plugin, sort_keys=False, width=100)
    indented = "".join(f"{_BLOCK_INDENT}{line}\n" for line in block.splitlines())
    before, rest = text.split(start, 1)
    _, after = rest.split(end, 1)
    return f"{before}{start}{indented}{end}{after}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if a committed file is stale")
    args = parser.parse_args(argv)
    stale = []
    meltano_yml = MELTANO_YML.read_text()
    for plugin in PLUGINS:
        info = about(plugin.name)
        generated = {"capabilities": info["capabilities"], "settings": meltano_settings(info)}
        meltano_yml = meltano_yml_with_settings(meltano_yml, plugin.name, generated)
        text = render(definition(plugin, info))
        if args.check:
            if not plugin.path.exists() or plugin.path.read_text() != text:
                stale.append(str(plugin.path.relative_to(REPO_ROOT)))
        else:
            plugin.path.parent.mkdir(parents=True, exist_ok=True)
            plugin.path.write_text(text)
    if args.check and meltano_yml != MELTANO_YML.read_text():
        stale.append("meltano.yml")
    elif not args.check:
        MELTANO_YML.write_text(meltano_yml)
    if stale:
        print("Stale Hub definitions (run scripts/plugin_definitions.py):", *stale, sep="\n  ")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
