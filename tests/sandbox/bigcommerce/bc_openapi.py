"""OpenAPI 3.0 response schemas as JSON Schema (draft 4 semantics), for contract tests.

Handles `$ref` (inlined; a recursive reference becomes `{}`), `nullable`, `allOf`/`oneOf`/
`anyOf`, and reports keys an instance has that the schema never documents.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml

_OPENAPI_ONLY = {
    "nullable",
    "readOnly",
    "writeOnly",
    "example",
    "examples",
    "x-examples",
    "xml",
    "externalDocs",
    "deprecated",
    "discriminator",
    "x-internal",
}


@cache
def load_spec(path: Path) -> dict[str, Any]:
    with path.open(encoding="utf-8") as handle:
        spec: dict[str, Any] = yaml.safe_load(handle)
    return spec


def _lookup(spec: dict[str, Any], ref: str) -> Any:
    node: Any = spec
    for part in ref.removeprefix("#/").split("/"):
        node = node[part.replace("~1", "/").replace("~0", "~")]
    return node


def to_json_schema(
    spec: dict[str, Any], node: Any, seen: tuple[str, ...] = (), *, keep_formats: bool = False
) -> Any:
    """`keep_formats`: keep `format` (generators honour it; the contract tests check dates
    themselves)."""
    if isinstance(node, list):
        return [to_json_schema(spec, item, seen, keep_formats=keep_formats) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            return {}
        return to_json_schema(spec, _lookup(spec, ref), (*seen, ref), keep_formats=keep_formats)
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key in _OPENAPI_ONLY or key.startswith("x-"):
            continue
        if key == "properties":
            result[key] = {
                name: to_json_schema(spec, sub, seen, keep_formats=keep_formats)
                for name, sub in value.items()
            }
        elif key in {"items", "additionalProperties", "not"} and isinstance(value, dict):
            result[key] = to_json_schema(spec, value, seen, keep_formats=keep_formats)
        elif key in {"allOf", "oneOf", "anyOf"}:
            branches = [to_json_schema(spec, sub, seen, keep_formats=keep_formats) for sub in value]
            combinator = key
            if key == "oneOf" and (
                all(b.get("type") == "array" for b in branches)
                or all(_no_required_keys(b) for b in branches)
            ):
                # BigCommerce uses oneOf between shapes that no required key tells apart (arrays
                # of different items; a `{url, resource}` link or the object it links to, as
                # orders' `consignments`), so one value can match several: read it as anyOf.
                combinator = "anyOf"
            result[combinator] = branches
        elif key == "format" and not keep_formats:
            continue  # formats are not asserted by jsonschema; the tests check dates themselves
        else:
            result[key] = value
    if node.get("nullable"):
        kind = result.get("type")
        if isinstance(kind, str):
            result["type"] = [kind, "null"]
        if "enum" in result and None not in result["enum"]:
            result["enum"] = [*result["enum"], None]
        if "type" not in result:
            result = {"anyOf": [result, {"type": "null"}]}
    return result


def _no_required_keys(schema: Any) -> bool:
    if not isinstance(schema, dict) or schema.get("type") not in {None, "object"}:
        return False
    if schema.get("required"):
        return False
    return all(_no_required_keys(part) for part in schema.get("allOf", []))


def response_schema(
    spec: dict[str, Any],
    path: str,
    method: str = "get",
    status: str = "200",
    *,
    keep_formats: bool = False,
) -> dict[str, Any]:
    response = spec["paths"][path][method]["responses"][status]
    if "$ref" in response:
        response = _lookup(spec, response["$ref"])
    content = response["content"]
    media = content.get("application/json") or next(iter(content.values()))
    schema: dict[str, Any] = to_json_schema(spec, media["schema"], keep_formats=keep_formats)
    return schema


def named_response_schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    """A reusable response under components/responses, e.g. `404_Resp`."""
    media = spec["components"]["responses"][name]["content"]["application/json"]
    schema: dict[str, Any] = to_json_schema(spec, media["schema"])
    return schema


def component_schema(spec: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = to_json_schema(spec, spec["components"]["schemas"][name])
    return schema


def _documented(schema: Any) -> tuple[set[str], list[Any], list[Any], bool]:
    """Property names, their sub-schemas, the items schemas, and whether any key is allowed."""
    if not isinstance(schema, dict):
        return set(), [], [], True
    names: set[str] = set(schema.get("properties", {}))
    subs: list[Any] = list(schema.get("properties", {}).values())
    items: list[Any] = [schema["items"]] if "items" in schema else []
    open_ended = (
        not names
        and "items" not in schema
        and not any(k in schema for k in ("allOf", "oneOf", "anyOf"))
    )
    if (
        isinstance(schema.get("additionalProperties"), dict)
        or schema.get("additionalProperties") is True
    ):
        open_ended = True
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(key, []):
            branch_names, branch_subs, branch_items, branch_open = _documented(branch)
            names |= branch_names
            subs += branch_subs
            items += branch_items
            open_ended = open_ended or branch_open
    return names, subs, items, open_ended


def _property_schemas(schema: Any, name: str) -> list[Any]:
    found: list[Any] = []
    if not isinstance(schema, dict):
        return found
    if name in schema.get("properties", {}):
        found.append(schema["properties"][name])
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(key, []):
            found += _property_schemas(branch, name)
    return found


def undocumented_keys(instance: Any, schema: Any, where: str = "$") -> list[str]:
    """Paths of object keys in `instance` that no branch of `schema` documents."""
    problems: list[str] = []
    names, _, items, open_ended = _documented(schema)
    if isinstance(instance, dict):
        if open_ended:
            return problems
        for key, value in instance.items():
            if key not in names:
                problems.append(f"{where}.{key}")
                continue
            branches = _property_schemas(schema, key)
            problems += undocumented_keys(value, {"anyOf": branches}, f"{where}.{key}")
    elif isinstance(instance, list) and items:
        for value in instance:
            problems += undocumented_keys(value, {"anyOf": items}, f"{where}[]")
    return sorted(set(problems))
