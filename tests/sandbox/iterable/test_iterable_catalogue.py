"""A catalogue of good and bad requests and the answers Iterable's Swagger file and notes describe.

Each case: optional setup calls, one request, the expected HTTP status and `code`, and (for
successes) the Swagger response definition the body must match.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pytest
from conftest import Api

from sandbox.iterable.validation import swagger_errors

KEY = "sandbox-iterable-key"
USER = {"email": "known@example.com", "dataFields": {"firstName": "Ana"}}
ITEM = {"id": "sku-1", "name": "Mug", "price": 9.5, "quantity": 1}
PURCHASE = {"id": "order-1", "user": {"email": "known@example.com"}, "items": [ITEM], "total": 9.5}
EVENT = {"email": "known@example.com", "eventName": "viewed", "id": "ev-1", "createdAt": 1700000000}
CREATE_USER = ("POST", "/api/users/update", USER)
CREATE_CATALOG = ("POST", "/api/catalogs/products", None)
NO_KEY = ""


@dataclass
class Case:
    method: str
    path: str
    body: Any = None
    status: int = 200
    code: str | None = "Success"
    setup: list[tuple[str, str, Any]] = field(default_factory=list)
    key: str = KEY
    raw: bytes | None = None
    response_definition: str | None = None
    # Expected (key, value) pairs in `params`, or a callable check of the whole body.
    params: dict[str, Any] = field(default_factory=dict)


CASES = {
    # Auth ---------------------------------------------------------------------------------
    "no api key": Case("POST", "/api/users/update", USER, 401, "BadApiKey", key=NO_KEY),
    "wrong api key": Case("POST", "/api/users/update", USER, 401, "BadApiKey", key="nope"),
    # users/update -------------------------------------------------------------------------
    "update by email": Case(
        "POST", "/api/users/update", USER, response_definition="IterableApiResponse"
    ),
    "update invalid email": Case(
        "POST", "/api/users/update", {"email": "user @example.com"}, 400, "InvalidEmailAddressError"
    ),
    "update without identifier": Case(
        "POST", "/api/users/update", {"dataFields": {"a": 1}}, 400, "BadParams"
    ),
    "update dataFields not an object": Case(
        "POST",
        "/api/users/update",
        {"email": "a@example.com", "dataFields": "x"},
        400,
        "BadJsonBody",
        params={"obj.dataFields": "Object value expected"},
    ),
    "update preferUserId not boolean": Case(
        "POST",
        "/api/users/update",
        {"userId": "u1", "preferUserId": "yes"},
        400,
        "BadJsonBody",
        params={"obj.preferUserId": "Boolean value expected"},
    ),
    "update body not json": Case(
        "POST", "/api/users/update", status=400, code="BadJsonBody", raw=b"{not json"
    ),
    "update body is an array": Case(
        "POST",
        "/api/users/update",
        [USER],
        400,
        "BadJsonBody",
        params={"obj": "Object value expected"},
    ),
    "update unknown userId only (email project)": Case(
        "POST", "/api/users/update", {"userId": "nobody"}, 400, "UnknownUserIdError"
    ),
    "update unknown userId with preferUserId": Case(
        "POST", "/api/users/update", {"userId": "anon-1", "preferUserId": True}
    ),
    "update userId of 53 characters": Case(
        "POST",
        "/api/users/update",
        {"email": "a@example.com", "userId": "u" * 53},
        400,
        "InvalidUserIdError",
    ),
    "update userId with trailing space": Case(
        "POST",
        "/api/users/update",
        {"email": "a@example.com", "userId": "u1 "},
        400,
        "InvalidUserIdError",
    ),
    "update forgotten user": Case(
        "POST",
        "/api/users/update",
        USER,
        409,
        "ForgottenUserError",
        setup=[("POST", "/api/users/forget", {"email": "known@example.com"})],
    ),
    # users/bulkUpdate ---------------------------------------------------------------------
    "bulk without users": Case(
        "POST",
        "/api/users/bulkUpdate",
        {},
        400,
        "BadJsonBody",
        params={"obj.users": "Missing required field"},
    ),
    "bulk with preferUserId not boolean (recorded)": Case(
        "POST",
        "/api/users/bulkUpdate",
        {"users": [USER, {"userId": "u1", "preferUserId": "true"}]},
        400,
        "BadJsonBody",
        params={"obj.users[1].preferUserId": "Boolean value expected"},
    ),
    "bulk partial failure is a 200": Case(
        "POST",
        "/api/users/bulkUpdate",
        {"users": [USER, {"email": "shrouti"}]},
        response_definition="UserBulkUpdateListResponse",
        code=None,
    ),
    "bulk of 1001 users": Case(
        "POST",
        "/api/users/bulkUpdate",
        {"users": [{"email": f"u{i}@example.com"} for i in range(1001)]},
        413,
        "BatchTooLarge",
    ),
    # User reads and deletes ----------------------------------------------------------------
    "get unknown user is 200 {}": Case(
        "GET", "/api/users/getByEmail?email=nobody@example.com", code=None
    ),
    "get known user": Case(
        "GET",
        "/api/users/getByEmail?email=known@example.com",
        code=None,
        setup=[CREATE_USER],
        response_definition="UserResponse",
    ),
    "get known user by path": Case(
        "GET",
        "/api/users/known@example.com",
        code=None,
        setup=[CREATE_USER],
        response_definition="UserResponse",
    ),
    "delete unknown email": Case("DELETE", "/api/users/nobody@example.com", None, 400, "BadParams"),
    "delete known email": Case("DELETE", "/api/users/known@example.com", setup=[CREATE_USER]),
    "delete unknown userId": Case("DELETE", "/api/users/byUserId/nobody", None, 400, "BadParams"),
    # events -------------------------------------------------------------------------------
    "track": Case(
        "POST",
        "/api/events/track",
        EVENT,
        setup=[CREATE_USER],
        response_definition="IterableApiResponse",
        params={"id": "ev-1"},
    ),
    "track without eventName": Case(
        "POST",
        "/api/events/track",
        {"email": "known@example.com"},
        400,
        "BadJsonBody",
        params={"obj.eventName": "Missing required field"},
    ),
    "track createdAt as a string": Case(
        "POST",
        "/api/events/track",
        {**EVENT, "createdAt": "2024-01-01"},
        400,
        "BadJsonBody",
        params={"obj.createdAt": "Number value expected"},
    ),
    "track createdAt in milliseconds": Case(
        "POST",
        "/api/events/track",
        {**EVENT, "createdAt": 1700000000000},
        400,
        "BadParams",
        setup=[CREATE_USER],
    ),
    "track createdAt fractional": Case(
        "POST", "/api/events/track", {**EVENT, "createdAt": 1700000000.5}, 400, "BadJsonBody"
    ),
    "track id over 512 bytes": Case(
        "POST", "/api/events/track", {**EVENT, "id": "x" * 513}, 400, "BadParams"
    ),
    "track unknown user": Case("POST", "/api/events/track", EVENT, 400, "UnknownEmailError"),
    "trackBulk createdAt as a string (recorded)": Case(
        "POST",
        "/api/events/trackBulk",
        {"events": [EVENT, {**EVENT, "createdAt": "x"}]},
        400,
        "BadJsonBody",
        params={"obj.events[1].createdAt": "Number value expected"},
    ),
    "trackBulk": Case(
        "POST",
        "/api/events/trackBulk",
        {"events": [EVENT, {**EVENT, "id": "ev-2"}]},
        code=None,
        setup=[CREATE_USER],
        response_definition="BulkTrackResponse",
    ),
    "trackBulk of 1001 events": Case(
        "POST",
        "/api/events/trackBulk",
        {"events": [{**EVENT, "id": f"e{i}"} for i in range(1001)]},
        413,
        "BatchTooLarge",
    ),
    # commerce -----------------------------------------------------------------------------
    "trackPurchase creates the user": Case(
        "POST",
        "/api/commerce/trackPurchase",
        PURCHASE,
        response_definition="IterableApiResponse",
        params={"id": "order-1"},
    ),
    "trackPurchase without total": Case(
        "POST",
        "/api/commerce/trackPurchase",
        {k: v for k, v in PURCHASE.items() if k != "total"},
        400,
        "BadJsonBody",
        params={"obj.total": "Missing required field"},
    ),
    "trackPurchase fractional quantity": Case(
        "POST",
        "/api/commerce/trackPurchase",
        {**PURCHASE, "items": [{**ITEM, "quantity": 1.5}]},
        400,
        "BadJsonBody",
    ),
    "trackPurchase item without price": Case(
        "POST",
        "/api/commerce/trackPurchase",
        {**PURCHASE, "items": [{k: v for k, v in ITEM.items() if k != "price"}]},
        400,
        "BadJsonBody",
        params={"obj.items[0].price": "Missing required field"},
    ),
    "trackPurchase total as a string": Case(
        "POST",
        "/api/commerce/trackPurchase",
        {**PURCHASE, "total": "9.50"},
        400,
        "BadJsonBody",
        params={"obj.total": "Number value expected"},
    ),
    "trackPurchase for a forgotten user": Case(
        "POST",
        "/api/commerce/trackPurchase",
        PURCHASE,
        409,
        "ForgottenUserError",
        setup=[("POST", "/api/users/forget", {"email": "known@example.com"})],
    ),
    "updateCart": Case(
        "POST",
        "/api/commerce/updateCart",
        {"user": {"email": "cart@example.com"}, "items": [ITEM]},
        response_definition="IterableApiResponse",
    ),
    "updateCart without user": Case(
        "POST", "/api/commerce/updateCart", {"items": [ITEM]}, 400, "BadJsonBody"
    ),
    # catalogs -----------------------------------------------------------------------------
    "create catalog": Case("POST", "/api/catalogs/products", status=201),
    "create catalog with a period": Case("POST", "/api/catalogs/bad.name", None, 400, "BadParams"),
    "create catalog twice": Case(
        "POST", "/api/catalogs/products", None, 400, "BadParams", setup=[CREATE_CATALOG]
    ),
    "bulk items into unknown catalog": Case(
        "POST",
        "/api/catalogs/nope/items",
        {"documents": {"1": {"a": 1}}, "replaceUploadedFieldsOnly": False},
        404,
        code=None,
    ),
    "bulk items without replaceUploadedFieldsOnly": Case(
        "POST",
        "/api/catalogs/products/items",
        {"documents": {"1": {"a": 1}}},
        400,
        "BadJsonBody",
        setup=[CREATE_CATALOG],
    ),
    "bulk items with an invalid item id": Case(
        "POST",
        "/api/catalogs/products/items",
        {"documents": {"a.b": {"a": 1}}, "replaceUploadedFieldsOnly": False},
        400,
        "BadParams",
        setup=[CREATE_CATALOG],
    ),
    "bulk items with a period in a field name": Case(
        "POST",
        "/api/catalogs/products/items",
        {"documents": {"1": {"a.b": 1}}, "replaceUploadedFieldsOnly": False},
        400,
        "BadParams",
        setup=[CREATE_CATALOG],
    ),
    "bulk items": Case(
        "POST",
        "/api/catalogs/products/items",
        {"documents": {"1": {"a": 1}, "2": {"a": 2}}, "replaceUploadedFieldsOnly": False},
        setup=[CREATE_CATALOG],
        response_definition="IterableApiResponse",
    ),
    "put item": Case(
        "PUT", "/api/catalogs/products/items/1", {"value": {"a": 1}}, 202, setup=[CREATE_CATALOG]
    ),
    "put item without value": Case(
        "PUT",
        "/api/catalogs/products/items/1",
        {"a": 1},
        400,
        "BadJsonBody",
        setup=[CREATE_CATALOG],
    ),
    "patch item": Case(
        "PATCH", "/api/catalogs/products/items/1", {"update": {"a": 1}}, 202, setup=[CREATE_CATALOG]
    ),
    "get unknown item": Case(
        "GET", "/api/catalogs/products/items/9", None, 404, None, setup=[CREATE_CATALOG]
    ),
    "get item": Case(
        "GET",
        "/api/catalogs/products/items/1",
        code=None,
        setup=[CREATE_CATALOG, ("PUT", "/api/catalogs/products/items/1", {"value": {"a": 1}})],
        # Not checked against CatalogItemWithProperties: its `value` is Play's JsObject wrapper
        # (`{"underlying": ...}`), a serialisation artefact; the item value is sent plain.
    ),
    "field mappings with an invalid type": Case(
        "PUT",
        "/api/catalogs/products/fieldMappings",
        {"mappingsUpdates": [{"fieldName": "price", "fieldType": "money"}]},
        400,
        "BadParams",
        setup=[CREATE_CATALOG],
    ),
    "field mappings": Case(
        "PUT",
        "/api/catalogs/products/fieldMappings",
        {"mappingsUpdates": [{"fieldName": "price", "fieldType": "double"}]},
        setup=[CREATE_CATALOG],
    ),
    "field mappings of an unknown catalog": Case(
        "GET", "/api/catalogs/nope/fieldMappings", None, 404, None
    ),
    # export -------------------------------------------------------------------------------
    "export without dataTypeName": Case(
        "GET", "/api/export/data.json?range=All", None, 400, "BadParams"
    ),
    "export without range or dates": Case(
        "GET", "/api/export/data.json?dataTypeName=user", None, 400, "BadParams"
    ),
    "export with an unknown dataTypeName": Case(
        "GET", "/api/export/data.json?dataTypeName=orders&range=All", None, 400, "BadParams"
    ),
}


@pytest.mark.parametrize("case", list(CASES.values()), ids=list(CASES))
def test_catalogue(api: Api, case: Case) -> None:
    for method, path, body in case.setup:
        answer = api.call(method, path, body)
        assert answer.status_code < 300, f"setup {method} {path}: {answer.text}"
    if case.raw is not None:
        response = api.session.request(
            case.method,
            f"{api.running.api_url}{case.path}",
            data=case.raw,
            headers={"Api-Key": case.key, "Content-Type": "application/json"},
            timeout=10,
        )
    else:
        response = api.call(case.method, case.path, case.body, key=case.key)
    assert response.status_code == case.status, response.text
    assert response.headers["content-type"].startswith("application/json")
    body = response.json()
    if case.code is not None:
        assert body["code"] == case.code, body
        assert isinstance(body["msg"], str)
    for name, value in case.params.items():
        assert body["params"][name] == value, body
    if case.response_definition is not None:
        # Recorded real answers carry `"params": null`, which the Swagger model does not allow.
        checked = {k: v for k, v in body.items() if not (k == "params" and v is None)}
        assert swagger_errors(case.response_definition, checked) == {}, body
    assert KEY not in response.text, "the API key must never be echoed"


def test_unknown_catalog_uses_the_catalog_error_envelope(api: Api) -> None:
    response = api.post(
        "/api/catalogs/rudder-test/items",
        {"documents": {"1": {"a": 1}}, "replaceUploadedFieldsOnly": False},
    )
    assert response.status_code == 404
    assert response.json() == {
        "error": "NotFound",
        "message": "Catalog not found: rudder-test",
        "code": "error.catalogs.notFound",
        "data": {"args": ["rudder-test"]},
    }


def test_underscore_api_key_header_is_accepted(api: Api) -> None:
    response = api.session.post(
        f"{api.running.api_url}/api/users/update",
        json=USER,
        headers={"Api_Key": KEY},
        timeout=10,
    )
    assert response.status_code == 200, response.text


def test_query_string_key_is_not_auth(api: Api) -> None:
    response = api.session.post(
        f"{api.running.api_url}/api/users/update?api_key={KEY}", json=USER, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["params"] == {"ip": "127.0.0.1", "endpoint": "/api/users/update"}
