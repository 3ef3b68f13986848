"""The field-type registry: the first value fixes the type; a mismatch fails the whole request."""

from __future__ import annotations

import pytest
from conftest import Api

from sandbox.iterable.field_types import is_iterable_date, value_type


@pytest.mark.parametrize(
    ("text", "is_date"),
    [
        ("2024-03-10", True),
        ("2024-03-10 02:30:00", True),
        ("2024-03-10 02:30:00 +00:00", True),
        ("2024-03-10T02:30:00.000+00:00", True),
        ("2024-03-10T02:30:00.000Z", True),
        ("2020-04-13 14:04:09.000", False),  # fractional seconds without T: a string
        ("2024-03-10T02:30:00+00:00", False),  # ISO 8601 without millis is not in Iterable's list
        ("2024-02-30", False),  # shaped like a date, but not one
        ("GGG", False),
    ],
)
def test_date_detection(text: str, is_date: bool) -> None:
    assert is_iterable_date(text) is is_date


def test_value_types() -> None:
    assert [value_type(v) for v in (True, 1, 1.0, "x", {}, None, [])] == [
        "boolean",
        "long",
        "double",
        "string",
        "object",
        None,
        None,
    ]


def test_first_value_fixes_the_type_recorded_error(api: Api) -> None:
    assert api.post(
        "/api/users/update", {"email": "a@example.com", "dataFields": {"signupDate": "2024-01-02"}}
    ).ok
    answer = api.post(
        "/api/users/update", {"email": "b@example.com", "dataFields": {"signupDate": "GGG"}}
    )
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "RequestFieldsTypesMismatched"
    assert body["params"]["validationErrors"]["signupDate"] == {
        "incomingTypes": ["string", "keyword"],
        "expectedType": "date",
        "_type": "UnexpectedType",
        "offendingValue": "GGG",
        "category": "user",
    }
    assert "Field 'signupDate' already exists for type 'user'" in body["msg"]
    assert api.emulator.user(email="b@example.com") is None


def test_one_mismatch_fails_the_whole_bulk_request(api: Api) -> None:
    assert api.post("/api/users/update", {"email": "a@example.com", "dataFields": {"ltv": 1.5}}).ok
    users = [
        {"email": "b@example.com", "dataFields": {"ltv": 2.5, "newField": 1}},
        {"email": "c@example.com", "dataFields": {"ltv": "lots"}},
    ]
    answer = api.post("/api/users/bulkUpdate", {"users": users})
    assert answer.status_code == 400
    assert answer.json()["code"] == "RequestFieldsTypesMismatched"
    assert api.emulator.user(email="b@example.com") is None, "nothing of the batch is written"
    assert "newField" not in api.emulator.field_types()["user"], "nor are its new fields typed"


def test_mismatch_inside_one_bulk_request(api: Api) -> None:
    users = [
        {"email": "a@example.com", "dataFields": {"total": 10}},
        {"email": "b@example.com", "dataFields": {"total": 10.5}},
    ]
    answer = api.post("/api/users/bulkUpdate", {"users": users})
    assert answer.status_code == 400, "10 makes `total` a long; 10.5 is then a double"
    assert answer.json()["params"]["validationErrors"]["total"]["expectedType"] == "long"


def test_long_fits_a_double_field_and_date_fits_a_string_field(api: Api) -> None:
    first = {"email": "a@example.com", "dataFields": {"price": 1.5, "note": "hello"}}
    assert api.post("/api/users/update", first).ok
    second = {"email": "a@example.com", "dataFields": {"price": 2, "note": "2024-01-01"}}
    assert api.post("/api/users/update", second).ok


def test_nested_fields_are_typed_by_path(api: Api) -> None:
    body = {
        "email": "a@example.com",
        "dataFields": {"address": {"zip": "12345", "geo": {"lat": 1.5}}},
    }
    assert api.post("/api/users/update", body).ok
    types = api.emulator.field_types()["user"]
    assert types["address"] == "object"
    assert types["address.zip"] == "string"
    assert types["address.geo.lat"] == "double"
    bad = {"email": "a@example.com", "dataFields": {"address": {"zip": 12345}}}
    answer = api.post("/api/users/update", bad)
    assert answer.status_code == 400
    assert "address.zip" in answer.json()["params"]["validationErrors"]


def test_event_fields_are_typed_per_event_name(api: Api) -> None:
    assert api.post("/api/users/update", {"email": "a@example.com"}).ok
    first = {"email": "a@example.com", "eventName": "viewed", "dataFields": {"value": 1}}
    other = {"email": "a@example.com", "eventName": "clicked", "dataFields": {"value": "x"}}
    clash = {"email": "a@example.com", "eventName": "viewed", "dataFields": {"value": "x"}}
    assert api.post("/api/events/trackBulk", {"events": [first, other]}).ok
    answer = api.post("/api/events/trackBulk", {"events": [clash]})
    assert answer.status_code == 400
    assert answer.json()["params"]["validationErrors"]["value"]["category"] == "customEvent"
    single = api.post("/api/events/track", clash)
    assert single.status_code == 400


def test_single_event_mismatch_can_be_configured_to_drop_the_field(api: Api) -> None:
    assert api.post("/api/users/update", {"email": "a@example.com"}).ok
    event = {"email": "a@example.com", "eventName": "viewed", "dataFields": {"v": 1, "w": 2}}
    assert api.post("/api/events/track", event).ok
    api.emulator.configure(reject_single_event_type_mismatch=False)
    clash = {**event, "id": "e2", "dataFields": {"v": "x", "w": 3}}
    assert api.post("/api/events/track", clash).ok
    stored = [e for e in api.emulator.events() if e["id"] == "e2"]
    assert stored[0]["dataFields"] == {"w": 3}


def test_purchase_fields_and_items_are_typed(api: Api) -> None:
    item = {"id": "1", "name": "Mug", "price": 9.5, "quantity": 1}
    purchase = {"user": {"email": "a@example.com"}, "items": [item], "total": 9.5}
    assert api.post("/api/commerce/trackPurchase", {**purchase, "dataFields": {"n": 1}}).ok
    clash = {**purchase, "dataFields": {"n": "x"}}
    answer = api.post("/api/commerce/trackPurchase", clash)
    assert answer.status_code == 400
    assert set(answer.json()["params"]["validationErrors"]) == {"n"}
    items_clash = {
        **purchase,
        "items": [{**item, "dataFields": {"c": 1}}, {**item, "dataFields": {"c": "x"}}],
    }
    assert api.post("/api/commerce/trackPurchase", items_clash).status_code == 400


def test_create_new_fields_false_filters_unknown_fields(api: Api) -> None:
    assert api.post("/api/users/update", {"email": "a@example.com", "dataFields": {"known": 1}}).ok
    body = {
        "users": [{"email": "a@example.com", "dataFields": {"known": 2, "unknown": 3}}],
        "createNewFields": False,
    }
    answer = api.post("/api/users/bulkUpdate", body).json()
    assert answer["filteredOutFields"] == ["unknown"]
    assert api.emulator.user(email="a@example.com")["dataFields"] == {"known": 2}


def test_unique_field_limit(api: Api) -> None:
    api.emulator.configure(user_field_limit=3)
    fields = {f"f{i}": i for i in range(4)}
    answer = api.post("/api/users/update", {"email": "a@example.com", "dataFields": fields})
    assert answer.status_code == 400
    body = answer.json()
    assert body["code"] == "UniqueFieldsLimitExceeded"
    assert body["params"]["limit"] == 3


def test_event_field_limit_is_per_event_name(api: Api) -> None:
    api.emulator.configure(event_field_limit=2, events_require_existing_user=False)
    small = {"email": "a@example.com", "eventName": "a", "dataFields": {"x": 1, "y": 2}}
    other = {"email": "a@example.com", "eventName": "b", "dataFields": {"x": 1, "y": 2}}
    assert api.post("/api/events/trackBulk", {"events": [small, other]}).ok
    big = {**small, "dataFields": {"z": 3}}
    answer = api.post("/api/events/track", big)
    assert answer.status_code == 400
    assert answer.json()["code"] == "UniqueFieldsLimitExceeded"
    assert answer.json()["params"]["newFields"] == ["z"]
