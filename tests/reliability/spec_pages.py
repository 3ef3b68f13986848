"""BigCommerce answers generated from BigCommerce's own OpenAPI files, for every endpoint (and
`include=`) the tap reads, with hypothesis-jsonschema.

Response schemas are converted to JSON Schema by `tests/sandbox/bigcommerce/bc_openapi.py` (the
contract tests' converter: `$ref`s inlined, `nullable` → a `null` type, `allOf`/`oneOf`/`anyOf`,
enums and `additionalProperties` kept) with formats kept, so `date-time` fields are RFC 3339.

Two readings of each schema:

- `raw`: the schema exactly as the spec states it. Most leaves are bare `type: string` (v2 money
  too), so most records hold text the tap cannot read as a number or a date: this reading checks
  that such records are dead-lettered, never a crash, and nothing else of the page is lost.
- `documented`: the same schema where the spec's prose pins a string's shape (see `refine`):
  money documented as "(Float, Float-As-String, Integer)" is any of the three; dates documented
  as "RFC-2822" are RFC 2822 dates; a string whose `example` is a decimal is a decimal. The
  record's `id` is present (a response always carries the read-only id), and objects hold only
  documented keys (`close_objects`: an undocumented key may hold anything, which the raw reading
  covers). Every record of such a page must be extracted, none dead-lettered.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

from hypothesis import strategies as st

from .schema_strategies import strategy_of

_CONVERTER = Path(__file__).resolve().parents[1] / "sandbox" / "bigcommerce" / "bc_openapi.py"
DECIMAL_TEXT = r"^-?[0-9]{1,9}\.[0-9]{4}$"  # "0.0000": the v2 spec's money examples
# orders.v2.oas2.yml, e.g. `components.schemas.order_Put.properties.subtotal_tax.description`.
FLOAT_AS_STRING = re.compile(r"Float-As-String|decimal places in string format")
RFC_2822 = re.compile(r"RFC.?2822")  # orders.v2.oas2.yml `...order_RespOnly...date_modified`


def _converter() -> ModuleType:
    """The contract tests' OpenAPI → JSON Schema converter (one converter, not a second)."""
    spec = importlib.util.spec_from_file_location("bc_openapi", _CONVERTER)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bc_openapi = _converter()


@dataclass(frozen=True)
class Endpoint:
    """One answer the tap reads: where its schema is, and where the page server serves it."""

    stream: str
    route: str  # PageServer route; `*` stands for an order id
    spec_file: str
    spec_path: str  # paths.<spec_path>.get.responses.200
    kind: str = "list"  # "list" (v2 array / v3 {data: [...]}) or "object"
    # What a record carries in the documented reading besides its id (see `_with_keys`).
    references: tuple[str, ...] = ()
    # Records of hundreds of choices each (many fields, arrays of objects nested in them): a
    # page holds fewer (`page_size`), so that it stays within hypothesis' 8,192 choices.
    heavy: bool = False


# Every request the tap makes (tap_bigcommerce/streams/*.py), with its spec.
ENDPOINTS = [
    Endpoint("store_settings", "v2/store", "store_information.v2.yml", "/store", "object"),
    Endpoint("store_settings", "v3/settings/store/locale", "settings.v3.yml",
             "/settings/store/locale", "object"),
    Endpoint("currencies", "v2/currencies", "currencies.v2.yml", "/currencies"),
    Endpoint("channels", "v3/channels", "channels.v3.yml", "/channels"),
    Endpoint("customer_groups", "v2/customer_groups", "customers.v2.yml", "/customer_groups"),
    Endpoint("categories", "v3/catalog/categories", "categories_catalog.v3.yml",
             "/catalog/categories"),
    Endpoint("brands", "v3/catalog/brands", "brands_catalog.v3.yml", "/catalog/brands"),
    # include=variants,images,custom_fields
    Endpoint("products", "v3/catalog/products", "products_catalog.v3.yml", "/catalog/products",
             heavy=True),
    # include=addresses,storecredit,attributes,formfields
    Endpoint("customers", "v3/customers", "customers.v3.yml", "/customers", heavy=True),
    Endpoint("customers", "v3/customers/attributes", "customers.v3.yml", "/customers/attributes"),
    Endpoint("subscribers", "v3/customers/subscribers", "subscribers.v3.yml",
             "/customers/subscribers"),
    # include=consignments.line_items&consignment_structure=object: the spec's order schema has
    # `consignments` as oneOf [link, consignment object whose line_items are anyOf [links,
    # orderProducts]] (orders.v2.oas2.yml `components.parameters.consignment_structure`).
    Endpoint("orders", "v2/orders", "orders.v2.oas2.yml", "/orders",
             references=("total_inc_tax",), heavy=True),
    Endpoint("orders", "v2/orders/*/products", "orders.v2.oas2.yml",
             "/orders/{order_id}/products"),
    Endpoint("orders", "v2/orders/*/coupons", "orders.v2.oas2.yml", "/orders/{order_id}/coupons"),
    # A refund is of an order (`/orders/{order_id}/payment_actions/refunds`) and of an amount,
    # though the list's schema requires neither `order_id` nor `total_amount`.
    # cart_events hydrates each webhook's cart: GET /carts/{id}?include=line_items.*.options.
    Endpoint("cart_events", "v3/carts/*", "carts.v3.yml", "/carts/{cartId}", "object",
             heavy=True),
    Endpoint("refunds", "v3/orders/payment_actions/refunds", "orders.v3.yml",
             "/orders/payment_actions/refunds", references=("order_id", "total_amount")),
]  # fmt: skip
STREAMS = sorted({endpoint.stream for endpoint in ENDPOINTS})


def refine(node: Any) -> Any:
    """The `documented` reading of a raw OpenAPI node (before conversion), recursively."""
    if isinstance(node, list):
        return [refine(item) for item in node]
    if not isinstance(node, dict):
        return node
    refined = _bounded({key: refine(value) for key, value in node.items()})
    if isinstance(refined.get("properties"), dict):
        refined["properties"] = {
            name: _whole_id(name, _dated(name, sub)) for name, sub in refined["properties"].items()
        }
    if _is_id_list(refined):
        refined["items"] = _bounded({**refined["items"], "type": "integer"})
    if isinstance(refined.get("anyOf"), list) and _numeric_example(refined):
        # orders.v2.oas2.yml `components.schemas.orderCoupons_Base.properties.amount`: anyOf
        # string/number/integer, "returned as an integer" (example 5): the text is a number.
        refined["anyOf"] = [
            {**b, "pattern": DECIMAL_TEXT} if b.get("type") == "string" else b
            for b in refined["anyOf"]
        ]
    if isinstance(refined.get("oneOf"), list) and FLOAT_AS_STRING.search(
        str(refined.get("description") or "")
    ):
        # orders.v2.oas2.yml, an order product's `base_wrapping_cost` (line 3142): oneOf
        # string/number, "(Float, Float-As-String, Integer)": the text is a number.
        refined["oneOf"] = [
            {**b, "pattern": DECIMAL_TEXT} if b.get("type") == "string" else b
            for b in refined["oneOf"]
        ]
    if refined.get("type") != "string" or "enum" in refined or "format" in refined:
        return refined
    description = str(refined.get("description") or "")
    example = refined.get("example")
    nullable = bool(refined.get("nullable"))
    if FLOAT_AS_STRING.search(description) or (
        isinstance(example, str) and re.fullmatch(r"-?[0-9]+\.[0-9]+", example)
    ):
        branches: list[dict[str, Any]] = [
            {"type": "string", "pattern": DECIMAL_TEXT},
            {"type": "number", "minimum": -1e9, "maximum": 1e9},
            {"type": "integer", "minimum": -(10**9), "maximum": 10**9},
        ]
        if nullable:
            branches.append({"type": "null"})
        return {"anyOf": branches} if "Float" in description else branches[0]
    if RFC_2822.search(description):
        return {"type": ["string", "null"] if nullable else "string", "format": "rfc2822"}
    return refined


INT64 = {"minimum": -(2**63), "maximum": 2**63 - 1}
# Amounts a double holds to the cent (Iterable stores numbers as doubles; the mapper refuses
# larger ones, as "too large an amount").
AMOUNTS = {"minimum": -(10**15), "maximum": 10**15}


def _bounded(node: dict[str, Any]) -> dict[str, Any]:
    """Integers within 64 bits and numbers within 10^15: the documented reading's assumptions the
    spec does not state (its numbers have no bounds); the raw reading keeps them unbounded."""
    if node.get("type") == "integer":
        return {**INT64, **node}
    if node.get("type") == "number":
        return {**AMOUNTS, **node}
    return node


def _is_id_list(node: dict[str, Any]) -> bool:
    """products_catalog.v3.yml `...product_Base.properties.categories` ("An array of IDs",
    items `type: number`) and customers.v3.yml `components.schemas.customerChannelIds` ("Array
    of channel ids", items untyped, example `[1, 2]`): ids are whole numbers."""
    items = node.get("items")
    return (
        node.get("type") == "array"
        and isinstance(items, dict)
        and items.get("type") in (None, "number")
        and re.search(r"array of (channel )?ids", str(node.get("description") or ""), re.I)
        is not None
    )


def _numeric_example(node: dict[str, Any]) -> bool:
    return isinstance(node.get("example"), int | float) and not isinstance(node["example"], bool)


def _whole_id(name: str, node: Any) -> Any:
    """An id typed `number` is a whole number (orders.v2.oas2.yml
    `components.schemas.order_Shared.properties.customer_id`: `type: number`, where the same
    file's `order_RespOnly` examples show `customer_id: 11`)."""
    if not isinstance(node, dict) or node.get("type") != "number":
        return node
    counts = re.search(
        r"\bnumber of\b|\bcount\b|\bquantity\b", str(node.get("description") or ""), re.I
    )
    if name == "id" or name.endswith("_id") or counts:
        # Counts too: orders.v2.oas2.yml `components.schemas.order_Shared.properties.items_total`
        # ("The total number of items in the order", type number, example 1).
        return _bounded({**node, "type": "integer"})
    return node


def _dated(name: str, node: Any) -> Any:
    """A `date_*` string without a documented shape (customers.v2.yml
    `components.schemas.customerGroup_Full.properties.date_created`: "Date on which the customer
    group was created.") holds a date as the same file's filters show them
    (`paths./customer_groups.get.parameters` `date_created=2018-09-05T13:43:54`)."""
    if (
        name.startswith("date_")
        and isinstance(node, dict)
        and node.get("type") == "string"
        and "format" not in node
        and "enum" not in node
    ):
        return {**node, "format": "bigcommerce-date"}
    return node


@cache
def refined_spec(specs_dir: Path, file: str, documented: bool) -> dict[str, Any]:
    spec: dict[str, Any] = bc_openapi.load_spec(specs_dir / file)
    return refine(copy.deepcopy(spec)) if documented else spec


def _record_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema of one record of a list: v2 array items, or v3 `data` items."""
    if schema.get("type") == "array":
        items: dict[str, Any] = schema["items"]
        return items
    for branch in [schema, *schema.get("allOf", [])]:
        data = branch.get("properties", {}).get("data")
        if data is not None and "items" in data:
            record: dict[str, Any] = data["items"]
            return record
    msg = f"no list of records in {schema}"
    raise AssertionError(msg)


def _with_variants(specs_dir: Path, record: dict[str, Any], documented: bool) -> dict[str, Any]:
    """`include=variants` adds `variants`, which products_catalog.v3.yml does not document; its
    items are product-variants_catalog.v3.yml `paths./catalog/products/{product_id}/variants`."""
    spec = refined_spec(specs_dir, "product-variants_catalog.v3.yml", documented)
    variants = bc_openapi.response_schema(
        spec, "/catalog/products/{product_id}/variants", keep_formats=True
    )
    variant = _record_schema(variants)
    return {"allOf": [record, {"properties": {"variants": {"type": "array", "items": variant}}}]}


def close_objects(node: Any, *, all_of_branch: bool = False) -> Any:
    """`additionalProperties: false` on every object that lists its properties, except the
    branches of an `allOf` (that would forbid the other branches' properties)."""
    if isinstance(node, list):
        return [close_objects(item) for item in node]
    if not isinstance(node, dict):
        return node
    closed: dict[str, Any] = {}
    for key, value in node.items():
        if key == "allOf":
            closed[key] = [close_objects(branch, all_of_branch=True) for branch in value]
        elif key == "properties":
            closed[key] = {name: close_objects(sub) for name, sub in value.items()}
        elif key in {"items", "anyOf", "oneOf", "additionalProperties", "not"}:
            closed[key] = close_objects(value)
        else:
            closed[key] = value
    if "additionalProperties" in node or all_of_branch:
        return closed
    if "properties" in node:
        closed["additionalProperties"] = False
    elif "allOf" in node:  # the merged object: only its branches' names
        closed["propertyNames"] = {"enum": sorted(_all_of_names(node))}
    return closed


def _all_of_names(node: dict[str, Any]) -> set[str]:
    names = set(node.get("properties", {}))
    for branch in node.get("allOf", []):
        names |= _all_of_names(branch)
    return names


PROSE = {"description", "title", "example", "examples"}


def without_prose(node: Any) -> Any:
    """The schema less its prose (used by `refine` already): hypothesis-jsonschema re-encodes
    and re-validates subschemas many times while it canonicalises, and the order schema's
    descriptions made that ~20 s."""
    if isinstance(node, list):
        return [without_prose(item) for item in node]
    if not isinstance(node, dict):
        return node
    lean: dict[str, Any] = {}
    for key, value in node.items():
        if key in PROSE:
            continue
        if key == "properties":
            lean[key] = {name: without_prose(sub) for name, sub in value.items()}
        elif key in {"items", "allOf", "anyOf", "oneOf", "additionalProperties", "not"}:
            lean[key] = without_prose(value)
        else:
            lean[key] = value
    return lean


def _with_keys(record: dict[str, Any], references: tuple[str, ...] = ()) -> dict[str, Any]:
    """A response record carries its (read-only) id, and a string id is not blank
    (store_information.v2.yml `components.schemas.StoreInformation.properties.id`: "The store
    hash, a unique store identifier")."""
    keys = {"required": ["id", *references], "properties": {"id": {"minLength": 1}}}
    return {"allOf": [record, keys]}


@cache
def record_schema(specs_dir: Path, endpoint: Endpoint, documented: bool) -> dict[str, Any]:
    """A list's record, or an object endpoint's whole answer (`/v2/store`; v3 `{data, meta}`)."""
    spec = refined_spec(specs_dir, endpoint.spec_file, documented)
    answer = bc_openapi.response_schema(spec, endpoint.spec_path, keep_formats=True)
    if endpoint.kind == "object":
        if not documented:
            return answer
        answer = close_objects(answer)
        return _with_keys(answer) if endpoint.route == "v2/store" else answer
    record = _record_schema(answer)
    if endpoint.route == "v3/catalog/products":
        record = _with_variants(specs_dir, record, documented)
    return _with_keys(close_objects(record), endpoint.references) if documented else record


MOMENTS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
).map(lambda moment: moment.replace(microsecond=0))


def rfc2822_dates() -> st.SearchStrategy[str]:
    return MOMENTS.map(format_datetime)


def bigcommerce_dates() -> st.SearchStrategy[str]:
    """ISO 8601 as the filters document it, with or without the `T` and the offset."""
    return (
        MOMENTS.map(lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%S"))
        | MOMENTS.map(lambda moment: moment.strftime("%Y-%m-%d %H:%M:%S"))
        | MOMENTS.map(lambda moment: moment.isoformat())
    )


@cache
def records(specs_dir: Path, endpoint: Endpoint, documented: bool) -> st.SearchStrategy[Any]:
    """One record of the endpoint, as its spec allows."""
    schema = without_prose(record_schema(specs_dir, endpoint, documented))
    formats = {
        "rfc2822": rfc2822_dates(),
        "bigcommerce-date": bigcommerce_dates(),
        # carts.v3.yml `...properties.created_time`: `format: ISO-8601`, a name JSON Schema does
        # not define (hypothesis-jsonschema would otherwise generate any text).
        "ISO-8601": MOMENTS.map(lambda moment: moment.isoformat()),
    }
    return strategy_of(schema, formats)


def page_size(endpoint: Endpoint, documented: bool, page_records: int) -> int:
    """The most records a page of the endpoint holds: `page_records`; a heavy endpoint's half
    (a quarter in the raw reading, whose records also hold undocumented keys and unbounded
    text). Measured: a page of 5-10 raw products overran 8,192 choices in 56 of 82 draws, an
    overrun being a whole page drawn and thrown away."""
    if not endpoint.heavy:
        return page_records
    return max(page_records // (2 if documented else 4), 1)


def least_records(most: int) -> int:
    """Records a page of at most `most` holds at least: two thirds of it. One tap run reads a
    whole page, so an example of many records costs little more than their drawing, and a
    property's examples can be counted to read a given number of records."""
    return math.ceil(most * 2 / 3)


def answers(
    specs_dir: Path, endpoint: Endpoint, documented: bool, page_records: int
) -> st.SearchStrategy[Any]:
    """What the page server serves for the endpoint: one object, or a list of `least_records`
    to `page_size` records (sub-resources: 0 to 2, the same for every order).

    An order draws ~400 hypothesis choices, so 10 orders and their sub-resources stay within
    hypothesis' 8,192 choices per example (an example beyond it is thrown away, its drawing
    wasted)."""
    one = records(specs_dir, endpoint, documented)
    if endpoint.kind == "object":
        return one
    if "*" in endpoint.route:
        return st.lists(one, max_size=2, unique_by=_identity)
    # Ids are unique in a listing (a keyset re-read skips a record it already emitted).
    most = page_size(endpoint, documented, page_records)
    return st.lists(one, min_size=least_records(most), max_size=most, unique_by=_identity)


def _identity(record: Any) -> str:
    """A record is the one of its id; one without an id (the raw reading: no list schema
    requires it) is the one of its content. Keyed on the id alone, every record without one
    was a duplicate of the first: hypothesis drew it again, and again (each of a raw order's or
    product's ~500 choices wasted), until the page overran its 8,192 choices; pages of those
    streams held 1-2 records."""
    if isinstance(record, dict) and record.get("id") is not None:
        return json.dumps(["id", record["id"]], sort_keys=True, default=str)
    return json.dumps(["record", record], sort_keys=True, default=str)
