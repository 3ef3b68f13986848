"""The generated store reaches every `oneOf`/`anyOf` branch and `enum` value that BigCommerce's
OpenAPI files allow in a field the tap emits.

A real store holds years of data typed in by people and written by apps, so every branch the
spec permits turns up somewhere; a generator that never produces one hides the tap's bugs on it
(issue 15). Bodies are read over HTTP from the emulator, as the tap reads them.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from bc_openapi import component_schema, load_spec, response_schema
from spec_coverage import Coverage, walk

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce
from tap_bigcommerce.streams.catalog import VARIANT, ProductsStream
from tap_bigcommerce.streams.customers import (
    CustomerGroupsStream,
    CustomersStream,
    SubscribersStream,
)
from tap_bigcommerce.streams.order_schema import (
    COUPON,
    LINE_ITEM,
    ORDER_SCHEMA,
    SHIPPING_ADDRESS,
)
from tap_bigcommerce.streams.refunds import RefundsStream

# Large enough for the rarer shapes drawn at realistic rates; the first orders of every store
# are the forced awkward cases, so this is about the draws' tails.
ORDERS = 400
ORDERS_SPEC = "orders.v2.oas2.yml"


@pytest.fixture(scope="module")
def bc() -> Iterator[RunningBigCommerce]:
    """This module's store (conftest's `http` session talks to it)."""
    with running_bigcommerce(seed=1, orders=ORDERS, rate_limit_quota=1_000_000) as running:
        yield running


def _v2_list(http: requests.Session, url: str, **params: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = http.get(url, params={**params, "page": page, "limit": 250}, timeout=30)
        if answer.status_code == 204:
            return records
        answer.raise_for_status()
        records += answer.json()
        page += 1


def _v3_list(http: requests.Session, url: str, **params: Any) -> list[dict[str, Any]]:
    records: list[dict[str, Any]] = []
    page = 1
    while True:
        body = http.get(url, params={**params, "page": page, "limit": 250}, timeout=30).json()
        records += body["data"]
        if page >= body["meta"]["pagination"]["total_pages"]:
            return records
        page += 1


@pytest.fixture(scope="module")
def orders(bc: RunningBigCommerce, http: requests.Session) -> list[dict[str, Any]]:
    """Every order as the tap asks for it, archived and incomplete ones included."""
    include = {"include": "consignments.line_items", "consignment_structure": "object"}
    url = f"{bc.v2_url}/orders"
    listed = {o["id"]: o for o in _v2_list(http, url, **include)}
    listed.update({o["id"]: o for o in _v2_list(http, url, is_deleted="true", **include)})
    listed.update({o["id"]: o for o in _v2_list(http, url, status_id=0, **include)})
    return list(listed.values())


def _consignments(order: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    groups = order.get("consignments") or {}
    for kind in ("shipping", "pickups", "downloads"):
        for consignment in groups.get(kind) or []:
            yield kind, consignment
    for consignment in (groups.get("email") or {}).get("gift_certificates") or []:
        yield "gift_certificates", consignment


def _line_items(
    bc: RunningBigCommerce, http: requests.Session, orders: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Embedded line items, and the order products of orders that embed only links."""
    items: dict[int, dict[str, Any]] = {}
    for order in orders:
        linked = False
        for _, consignment in _consignments(order):
            embedded = consignment.get("line_items")
            for item in embedded if isinstance(embedded, list) else [embedded]:
                if isinstance(item, dict) and "product_id" in item:
                    items[item["id"]] = item
                else:
                    linked = True
        if linked or "__warning__" in str(order.get("consignments")):
            for item in _v2_list(http, f"{bc.v2_url}/orders/{order['id']}/products"):
                items[item["id"]] = item
    return list(items.values())


def _coverage(
    bigcommerce_specs: Path,
    bc: RunningBigCommerce,
    http: requests.Session,
    orders: list[dict[str, Any]],
) -> Coverage:
    specs = bigcommerce_specs
    orders_spec = load_spec(specs / ORDERS_SPEC)
    coverage = Coverage()

    def check(spec_file: str, where: str, schema: dict[str, Any], tap: Any, values: Any) -> None:
        walk(schema, tap, values, f"{spec_file} {where}", coverage)

    check(
        ORDERS_SPEC,
        "GET /orders",
        response_schema(orders_spec, "/orders"),
        {"type": "array", "items": ORDER_SCHEMA},
        [orders],
    )
    check(
        ORDERS_SPEC,
        "#/components/schemas/orderProducts",
        component_schema(orders_spec, "orderProducts"),
        LINE_ITEM.to_dict(),
        _line_items(bc, http, orders),
    )
    check(
        ORDERS_SPEC,
        "#/components/schemas/shippingConsignment_Get",
        component_schema(orders_spec, "shippingConsignment_Get"),
        SHIPPING_ADDRESS.to_dict(),
        [c for order in orders for kind, c in _consignments(order) if kind == "shipping"],
    )
    coupons = [
        coupon
        for order in orders
        if float(order["coupon_discount"]) or order["id"] % 7 == 0
        for coupon in _v2_list(http, f"{bc.v2_url}/orders/{order['id']}/coupons")
    ]
    check(
        ORDERS_SPEC,
        "GET /orders/{order_id}/coupons",
        response_schema(orders_spec, "/orders/{order_id}/coupons"),
        {"type": "array", "items": COUPON.to_dict()},
        [coupons],
    )
    check(
        "customers.v2.yml",
        "GET /customer_groups",
        response_schema(load_spec(specs / "customers.v2.yml"), "/customer_groups"),
        {"type": "array", "items": CustomerGroupsStream.schema},
        [_v2_list(http, f"{bc.v2_url}/customer_groups")],
    )
    products = _v3_list(
        http, f"{bc.v3_url}/catalog/products", include="variants,images,custom_fields"
    )
    include = "addresses,storecredit,attributes,formfields"
    # v3 lists: (spec file, path, the tap's record schema, the records served).
    v3_lists = [
        (
            "customers.v3.yml",
            "/customers",
            CustomersStream.schema,
            _v3_list(http, f"{bc.v3_url}/customers", include=include),
        ),
        (
            "subscribers.v3.yml",
            "/customers/subscribers",
            SubscribersStream.schema,
            _v3_list(http, f"{bc.v3_url}/customers/subscribers"),
        ),
        ("products_catalog.v3.yml", "/catalog/products", ProductsStream.schema, products),
        (
            "product-variants_catalog.v3.yml",
            "/catalog/products/{product_id}/variants",
            VARIANT.to_dict(),
            [v for p in products for v in p["variants"]],
        ),
        (
            "orders.v3.yml",
            "/orders/payment_actions/refunds",
            RefundsStream.schema,
            _v3_list(http, f"{bc.v3_url}/orders/payment_actions/refunds"),
        ),
    ]
    for spec_file, path, tap_schema, records in v3_lists:
        check(
            spec_file,
            f"GET {path}",
            response_schema(load_spec(specs / spec_file), path),
            {"type": "object", "properties": {"data": {"type": "array", "items": tap_schema}}},
            [{"data": records}],
        )
    return coverage


def test_every_branch_and_enum_value_of_an_emitted_field_is_generated(
    bigcommerce_specs: Path,
    bc: RunningBigCommerce,
    http: requests.Session,
    orders: list[dict[str, Any]],
) -> None:
    coverage = _coverage(bigcommerce_specs, bc, http, orders)
    assert coverage.reached, "the walk reached nothing: the spec or the tap schemas moved"
    missing = coverage.unreached()
    assert not missing, "never generated:\n" + "\n".join(missing)
