"""Every body the emulator serves validates against the response schema in BigCommerce's OpenAPI
files, and carries no field those schemas don't document."""

from __future__ import annotations

from pathlib import Path
from typing import Any, NamedTuple

import jsonschema
import pytest
import requests
from bc_openapi import (
    component_schema,
    load_spec,
    named_response_schema,
    response_schema,
    undocumented_keys,
)

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce


class SpecRef(NamedTuple):
    file: str
    path: str
    method: str = "get"
    status: str = "200"


class Case(NamedTuple):
    spec: SpecRef
    path: str
    query: dict[str, Any]

    @property
    def label(self) -> str:
        return f"{self.path}?{'&'.join(f'{k}={v}' for k, v in self.query.items())}"


# Fields BigCommerce really sends that its OpenAPI file leaves out (see sandbox/README.md).
KNOWN_UNDOCUMENTED = {
    # bigcommerce/docs#960: the 50-line-item cap on embedded consignment line items.
    "__warning__",
    # GET /catalog/products documents include=variants but not the `variants` it adds; the
    # variants themselves are checked against the variants endpoint's schema below.
    "variants",
}

# Each case: where the schema is, then what to request under /stores/{hash}.
CASES = [
    Case(SpecRef("store_information.v2.yml", "/store"), "/v2/store", {}),
    Case(SpecRef("store_information.v2.yml", "/time"), "/v2/time", {}),
    Case(SpecRef("orders.v2.oas2.yml", "/orders"), "/v2/orders", {"limit": 50}),
    Case(
        SpecRef("orders.v2.oas2.yml", "/orders"),
        "/v2/orders",
        {
            "limit": 15,
            "sort": "date_modified:asc",
            "include": "consignments.line_items",
            "consignment_structure": "object",
        },
    ),
    Case(
        SpecRef("orders.v2.oas2.yml", "/orders"),
        "/v2/orders",
        {"include": "consignments", "consignment_structure": "object", "is_deleted": "true"},
    ),
    Case(
        SpecRef("orders.v2.oas2.yml", "/orders/{order_id}"),
        "/v2/orders/7",
        {"include": "consignments.line_items", "consignment_structure": "object"},
    ),
    Case(SpecRef("orders.v2.oas2.yml", "/orders/count"), "/v2/orders/count", {}),
    Case(SpecRef("orders.v2.oas2.yml", "/orders/{order_id}/products"), "/v2/orders/7/products", {}),
    Case(SpecRef("orders.v2.oas2.yml", "/orders/{order_id}/products"), "/v2/orders/9/products", {}),
    Case(SpecRef("orders.v2.oas2.yml", "/orders/{order_id}/coupons"), "/v2/orders/10/coupons", {}),
    Case(
        SpecRef("orders.v2.oas2.yml", "/orders/{order_id}/shipping_addresses"),
        "/v2/orders/12/shipping_addresses",
        {},
    ),
    Case(SpecRef("orders.v2.oas2.yml", "/order_statuses"), "/v2/order_statuses", {}),
    Case(SpecRef("currencies.v2.yml", "/currencies"), "/v2/currencies", {}),
    Case(SpecRef("customers.v2.yml", "/customer_groups"), "/v2/customer_groups", {}),
    Case(
        SpecRef("customers.v3.yml", "/customers"),
        "/v3/customers",
        {"include": "addresses,storecredit,attributes,formfields", "limit": 30},
    ),
    Case(
        SpecRef("customers.v3.yml", "/customers"),
        "/v3/customers",
        {
            "sort": "date_modified:asc",
            "date_modified:min": "2023-09-01T00:00:00",
            "page": 2,
            "limit": 5,
        },
    ),
    Case(SpecRef("customers.v3.yml", "/customers/attributes"), "/v3/customers/attributes", {}),
    Case(SpecRef("subscribers.v3.yml", "/customers/subscribers"), "/v3/customers/subscribers", {}),
    Case(
        SpecRef("orders.v3.yml", "/orders/payment_actions/refunds"),
        "/v3/orders/payment_actions/refunds",
        {},
    ),
    Case(
        SpecRef("products_catalog.v3.yml", "/catalog/products"),
        "/v3/catalog/products",
        {"include": "variants,images,custom_fields,primary_image", "limit": 20},
    ),
    Case(
        SpecRef("products_catalog.v3.yml", "/catalog/products/{product_id}"),
        "/v3/catalog/products/3",
        {"include": "variants,images,custom_fields"},
    ),
    Case(SpecRef("categories_catalog.v3.yml", "/catalog/categories"), "/v3/catalog/categories", {}),
    Case(SpecRef("category-trees_catalog.v3.yml", "/catalog/trees"), "/v3/catalog/trees", {}),
    Case(
        SpecRef("category-trees_catalog.v3.yml", "/catalog/trees/categories"),
        "/v3/catalog/trees/categories",
        {},
    ),
    Case(
        SpecRef("category-trees_catalog.v3.yml", "/catalog/trees/{tree_id}/categories"),
        "/v3/catalog/trees/1/categories",
        {},
    ),
    Case(SpecRef("brands_catalog.v3.yml", "/catalog/brands"), "/v3/catalog/brands", {}),
    Case(SpecRef("channels.v3.yml", "/channels"), "/v3/channels", {}),
    Case(SpecRef("settings.v3.yml", "/settings/store/locale"), "/v3/settings/store/locale", {}),
    Case(SpecRef("webhooks.v3.yml", "/hooks"), "/v3/hooks", {}),
    Case(SpecRef("webhooks.v3.yml", "/hooks/{webhook_id}"), "/v3/hooks/1", {}),
]


def _check(bigcommerce_specs: Path, ref: SpecRef, response: requests.Response) -> None:
    assert response.status_code == int(ref.status), response.text
    spec = load_spec(bigcommerce_specs / ref.file)
    schema = response_schema(spec, ref.path, ref.method, ref.status)
    body = response.json()
    jsonschema.Draft4Validator(schema).validate(body)
    extra = [
        p for p in undocumented_keys(body, schema) if p.rsplit(".", 1)[-1] not in KNOWN_UNDOCUMENTED
    ]
    assert not extra, f"fields the spec does not document: {extra}"


@pytest.fixture(scope="module")
def hook_and_carts(bc: RunningBigCommerce, http: requests.Session) -> dict[str, str]:
    created = http.post(
        f"{bc.v3_url}/hooks",
        json={
            "scope": "store/cart/*",
            "destination": "http://127.0.0.1:9/hook",
            "is_active": False,
            "headers": {"X-Receiver-Key": "k"},
        },
        timeout=5,
    )
    assert created.status_code == 200, created.text
    activity = bc.emulator.simulate_cart_activity(["active", "abandoned"])
    abandoned = activity.by_outcome["abandoned"][0]
    token = bc.emulator.store.carts[abandoned].abandoned_token
    assert token is not None
    return {
        "cart": activity.by_outcome["active"][0],
        "token": token,
        "hook": str(created.json()["data"]["id"]),
    }


@pytest.mark.parametrize("case", CASES, ids=[c.label for c in CASES])
def test_response_matches_spec(
    bc: RunningBigCommerce,
    http: requests.Session,
    bigcommerce_specs: Path,
    hook_and_carts: dict[str, str],
    case: Case,
) -> None:
    url = f"{bc.api_url}/stores/{bc.store_hash}{case.path}"
    _check(bigcommerce_specs, case.spec, http.get(url, params=case.query, timeout=10))


def test_cart_checkout_and_abandoned_token_match_spec(
    bc: RunningBigCommerce,
    http: requests.Session,
    bigcommerce_specs: Path,
    hook_and_carts: dict[str, str],
) -> None:
    cart_id, token = hook_and_carts["cart"], hook_and_carts["token"]
    _check(
        bigcommerce_specs,
        SpecRef("carts.v3.yml", "/carts/{cartId}", "get", "200"),
        http.get(f"{bc.v3_url}/carts/{cart_id}", timeout=5),
    )
    _check(
        bigcommerce_specs,
        SpecRef("checkouts.v3.yml", "/checkouts/{checkoutId}", "get", "200"),
        http.get(f"{bc.v3_url}/checkouts/{cart_id}", timeout=5),
    )
    _check(
        bigcommerce_specs,
        SpecRef("abandoned_carts.v3.yml", "/abandoned-carts/{token}", "get", "200"),
        http.get(f"{bc.v3_url}/abandoned-carts/{token}", timeout=5),
    )


def test_hook_creation_matches_spec(
    bc: RunningBigCommerce, http: requests.Session, bigcommerce_specs: Path
) -> None:
    response = http.post(
        f"{bc.v3_url}/hooks",
        json={"scope": "store/order/created", "destination": "http://127.0.0.1:9/orders"},
        timeout=5,
    )
    _check(bigcommerce_specs, SpecRef("webhooks.v3.yml", "/hooks", "post"), response)
    assert response.json()["data"]["is_active"] is True


def test_v2_not_found_matches_spec(
    bc: RunningBigCommerce, http: requests.Session, bigcommerce_specs: Path
) -> None:
    response = http.get(f"{bc.v2_url}/orders/999999/products", timeout=5)
    assert response.status_code == 404
    spec = load_spec(bigcommerce_specs / "orders.v2.oas2.yml")
    jsonschema.Draft4Validator(named_response_schema(spec, "404_Resp")).validate(response.json())


def test_embedded_variants_match_variant_spec(
    bc: RunningBigCommerce, http: requests.Session, bigcommerce_specs: Path
) -> None:
    products = http.get(
        f"{bc.v3_url}/catalog/products", params={"include": "variants", "limit": 10}, timeout=5
    ).json()["data"]
    spec = load_spec(bigcommerce_specs / "product-variants_catalog.v3.yml")
    schema = response_schema(spec, "/catalog/products/{product_id}/variants")
    body = {"data": [v for p in products for v in p["variants"]], "meta": {}}
    assert len(body["data"]) > len(products), "some products must have several variants"
    jsonschema.Draft4Validator(schema).validate(body)
    assert not undocumented_keys(body, schema)


def test_consignments_match_the_consignment_schema(
    bc: RunningBigCommerce, http: requests.Session, bigcommerce_specs: Path
) -> None:
    """An order's `consignments` is oneOf [a link, the consignment object]; a consignment object
    of wrong types still validates as a link (whose keys are not required), so the order check
    above cannot see it: each is checked against `orderConsignment_Get` itself."""
    orders = http.get(
        f"{bc.v2_url}/orders",
        params={"include": "consignments.line_items", "consignment_structure": "object"},
        timeout=10,
    ).json()
    spec = load_spec(bigcommerce_specs / "orders.v2.oas2.yml")
    validator = jsonschema.Draft4Validator(component_schema(spec, "orderConsignment_Get"))
    shipping = [c for order in orders for c in order["consignments"]["shipping"]]
    assert shipping, "some orders must ship"
    for order in orders:
        validator.validate(order["consignments"])
    # orders.v2.oas2.yml line 5520: `shippingConsignment_Get.base_cost` is `type: number`
    assert all(isinstance(c["base_cost"], int | float) for c in shipping)


# The carts spec documents its 404 without a body schema, so it is not listed here.
ERROR_CASES = [
    Case(
        SpecRef("customers.v3.yml", "/customers", status="422"),
        "/v3/customers",
        {"date_modified:min": "not-a-date"},
    ),
    Case(
        SpecRef("products_catalog.v3.yml", "/catalog/products/{product_id}", status="404"),
        "/v3/catalog/products/999999",
        {},
    ),
    Case(
        SpecRef("checkouts.v3.yml", "/checkouts/{checkoutId}", status="404"),
        "/v3/checkouts/00000000-0000-4000-8000-000000000000",
        {},
    ),
    Case(SpecRef("webhooks.v3.yml", "/hooks/{webhook_id}", status="404"), "/v3/hooks/999", {}),
    Case(
        SpecRef("abandoned_carts.v3.yml", "/abandoned-carts/{token}", status="404"),
        "/v3/abandoned-carts/0123456789abcdef",
        {},
    ),
]


@pytest.mark.parametrize("case", ERROR_CASES, ids=[c.label for c in ERROR_CASES])
def test_error_matches_spec(
    bc: RunningBigCommerce, http: requests.Session, bigcommerce_specs: Path, case: Case
) -> None:
    url = f"{bc.api_url}/stores/{bc.store_hash}{case.path}"
    _check(bigcommerce_specs, case.spec, http.get(url, params=case.query, timeout=10))


def test_hook_errors_match_spec(
    bc: RunningBigCommerce, http: requests.Session, bigcommerce_specs: Path
) -> None:
    invalid = http.post(f"{bc.v3_url}/hooks", json={"scope": "store/order/*"}, timeout=5)
    _check(bigcommerce_specs, SpecRef("webhooks.v3.yml", "/hooks", "post", "422"), invalid)
    anonymous = requests.get(f"{bc.v3_url}/hooks", timeout=5)
    _check(bigcommerce_specs, SpecRef("webhooks.v3.yml", "/hooks", "get", "401"), anonymous)


def test_scope_error_matches_spec(bigcommerce_specs: Path) -> None:
    with running_bigcommerce(orders=10, token_scopes=frozenset()) as store:
        answer = requests.get(
            f"{store.v3_url}/catalog/trees/1/categories", headers=store.headers, timeout=5
        )
        ref = SpecRef("category-trees_catalog.v3.yml", "/catalog/trees/{tree_id}/categories")
        _check(bigcommerce_specs, ref._replace(status="403"), answer)
