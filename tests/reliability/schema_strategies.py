"""Hypothesis strategies for large JSON Schemas, with hypothesis-jsonschema doing the leaves.

`hypothesis_jsonschema.from_schema` builds the strategy of an object's property while it draws
the object (`from_object_schema` calls `merged_as_strategies` per key, per draw), canonicalising
the property's whole subschema each time. A v2 order nests addresses, consignments and line
items several levels deep, so one order cost 200-500 ms to draw (~70 ms here), 20 times the
tap's work on it or more.

Here objects, arrays, `anyOf`, `oneOf` and `allOf` of objects are assembled once into
hypothesis' own strategies (`fixed_dictionaries`, `lists`, `one_of`), with the same meaning as
JSON Schema gives them; every other node (strings, numbers, enums, formats, patterns...) is
left to `from_schema`, built once. `tests/reliability/test_schema_strategies.py` checks that
what they draw is valid against the schema.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

import jsonschema
from hypothesis import strategies as st
from hypothesis_jsonschema import from_schema

Formats = Mapping[str, st.SearchStrategy[str]]
OBJECT_KEYS = {"type", "properties", "required", "additionalProperties"}
ARRAY_KEYS = {"type", "items", "minItems", "maxItems"}
# Keywords that constrain numbers or strings only: on an array or object they constrain nothing
# (JSON Schema Validation, draft 4 §5.1-5.2 and §7: an instance of another type is valid), yet
# the spec puts some there (products_catalog.v3.yml `custom_fields`: `minimum`/`maximum` on an
# array; customers.v3.yml `store_credit_amounts`: `format: double`). Left in, they sent the
# whole node to `from_schema`, whose objects abort a draw when they offer a name already drawn
# (a page of products: 50 draws aborted for 6 kept, hypothesis' `filter_too_much`).
SCALAR_KEYWORDS = {
    "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf",
    "minLength", "maxLength", "pattern", "format",
}  # fmt: skip
EXTRA_NAMES = st.text(min_size=1, max_size=12)
# What an undocumented key (or a schema that allows anything, `{}`) holds: every JSON type, as
# hypothesis-jsonschema's own `JSON_STRATEGY` draws them, but at most a few leaves deep. The tap
# reads no undocumented key, so how deep such a value nests tests nothing; left to
# `from_schema({})` (up to 100 leaves), it was most of a raw customer's or order's choices
# (~1,400 for one record), and pages of them overran hypothesis' 8,192 choices per example, an
# overrun being the most expensive draw there is, and a wasted one.
ANY_JSON: st.SearchStrategy[Any] = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False).map(lambda x: x or 0.0)
    | st.text(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(), inner, max_size=3),
    max_leaves=4,
)
LARGE_REPR = 2_000  # characters of a subschema; see `small_repr`
MAX_EXTRA_KEYS = 3
# Items of an array without `maxItems` (any length is valid): a product's variants, their
# option values, an order's lines... nest, and hypothesis' own average (5) made a product cost
# 166 ms to draw, 103 ms at 3. Long lists are the store generator's part (sandbox/).
MAX_ITEMS = 3  # undocumented keys of an open object (hypothesis-jsonschema draws few too)


def strategy_of(schema: Any, formats: Formats) -> st.SearchStrategy[Any]:
    """Values valid against `schema` (JSON Schema; `$ref`s already inlined)."""
    return small_repr(_Builder(formats).build(schema))


def small_repr(strategy: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    """The same values behind a short repr: a filter that retries (`unique_by`, `oneOf`) puts
    the repr of what it filters in an event, and `from_schema`'s repr holds its whole schema
    (~90 kB for an order; hypothesis warns, and the warning fails the test)."""

    @st.composite
    def drawn(draw: st.DrawFn) -> Any:
        return draw(strategy)

    return drawn()


class _Builder:
    def __init__(self, formats: Formats) -> None:
        self.formats = dict(formats)
        # id -> (node, its strategy): the node is kept so that its id is never reused
        self.built: dict[int, tuple[Any, st.SearchStrategy[Any]]] = {}

    def build(self, node: Any) -> st.SearchStrategy[Any]:
        if not isinstance(node, dict):
            return self.leaf(node)
        key = id(node)  # a subschema reached twice (shared by the converter) is built once
        if key not in self.built:
            self.built[key] = (node, self._build(node))
        return self.built[key][1]

    def _build(self, node: dict[str, Any]) -> st.SearchStrategy[Any]:
        if "allOf" in node and set(node) <= {"allOf", "propertyNames"}:
            merged = self.merged_objects(node)
            if merged is not None:
                return self.build(merged)
        if set(node) == {"anyOf"}:
            return st.one_of([self.build(branch) for branch in node["anyOf"]])
        if set(node) == {"oneOf"}:
            return st.one_of(
                [
                    small_repr(self.build(b)).filter(exactly_one(node["oneOf"]))
                    for b in node["oneOf"]
                ]
            )
        types = node.get("type")
        kinds = [types] if isinstance(types, str) else list(types or [])
        shaped = [kind for kind in kinds if kind != "null"]
        if len(shaped) != 1:
            return self.leaf(node)
        nothing = [st.none()] if "null" in kinds else []
        if shaped[0] in {"array", "object"}:
            node = {key: value for key, value in node.items() if key not in SCALAR_KEYWORDS}
        if shaped == ["object"] and set(node) <= OBJECT_KEYS:
            return st.one_of([*nothing, self.object_of(node)])
        if shaped == ["array"] and set(node) <= ARRAY_KEYS and isinstance(node.get("items"), dict):
            items = self.build(node["items"])
            least = node.get("minItems", 0)
            most = node.get("maxItems", max(least, MAX_ITEMS))
            lists = st.lists(items, min_size=least, max_size=most)
            return st.one_of([*nothing, lists])
        return self.leaf(node)

    def leaf(self, node: Any) -> st.SearchStrategy[Any]:
        if node == {} or node is True:
            return ANY_JSON
        strategy = from_schema(node, custom_formats=self.formats)
        large = len(json.dumps(node, default=str)) > LARGE_REPR
        return small_repr(strategy) if large else strategy

    def object_of(self, node: dict[str, Any]) -> st.SearchStrategy[dict[str, Any]]:
        properties: dict[str, Any] = node.get("properties") or {}
        required = set(node.get("required") or [])
        anything = self.leaf({})
        fixed = st.fixed_dictionaries(
            {name: self.build(properties[name]) if name in properties else anything
             for name in sorted(required)},
            optional={name: self.build(sub) for name, sub in properties.items()
                      if name not in required},
        )  # fmt: skip
        additional = node.get("additionalProperties", True)
        if additional is False:
            return fixed
        values = anything if additional is True else self.build(additional)
        names = EXTRA_NAMES.filter(lambda name: name not in properties and name not in required)
        extras = st.dictionaries(names, values, max_size=MAX_EXTRA_KEYS)
        return st.builds(lambda known, more: {**more, **known}, fixed, extras)

    def merged_objects(self, node: dict[str, Any]) -> dict[str, Any] | None:
        """An `allOf` whose branches are all plain objects (or such `allOf`s), as one object;
        else None (left to hypothesis-jsonschema). A name several branches describe gets their
        `allOf`; a closed branch (or `propertyNames` enum) must allow every described name."""
        branches: list[Any] = []
        for given in node["allOf"]:
            is_all_of = isinstance(given, dict) and "allOf" in given
            branch = self.merged_objects(given) if is_all_of else given
            if not isinstance(branch, dict) or not set(branch) <= OBJECT_KEYS:
                return None
            if branch.get("type", "object") != "object":
                return None
            branches.append(branch)
        described: dict[str, list[Any]] = {}
        for branch in branches:
            for name, sub in (branch.get("properties") or {}).items():
                described.setdefault(name, []).append(sub)
        allowed: list[set[str]] = []
        for branch in branches:
            extra = branch.get("additionalProperties", True)
            if extra is False:
                allowed.append(set(branch.get("properties") or {}))
            elif extra is not True:
                return None  # a schema for undocumented keys: left to hypothesis-jsonschema
        if "propertyNames" in node:
            names = node["propertyNames"].get("enum")
            if set(node["propertyNames"]) != {"enum"}:
                return None
            allowed.append(set(names))
        if any(not set(described) <= names for names in allowed):
            return None
        return {
            "type": "object",
            "properties": {
                name: subs[0] if len(subs) == 1 else {"allOf": subs}
                for name, subs in described.items()
            },
            "required": sorted({name for b in branches for name in b.get("required", [])}),
            "additionalProperties": not allowed,
        }


def exactly_one(branches: list[Any]) -> Callable[[Any], bool]:
    """`oneOf`: valid against exactly one branch (as hypothesis-jsonschema filters it)."""
    validators = [jsonschema.validators.validator_for(b)(b) for b in branches]
    return lambda value: sum(v.is_valid(value) for v in validators) == 1
