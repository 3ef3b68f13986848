"""Upsert by id, write counts, carts, partial failures, catalogs and export."""

from __future__ import annotations

import json
import time

from conftest import Api

ITEM = {"id": "sku-1", "name": "Mug", "price": 9.5, "quantity": 2}


def _user(api: Api, email: str = "a@example.com") -> None:
    assert api.post("/api/users/update", {"email": email}).ok


def test_events_upsert_by_id(api: Api) -> None:
    _user(api)
    event = {"email": "a@example.com", "eventName": "viewed", "id": "ev-1", "dataFields": {"n": 1}}
    assert api.post("/api/events/trackBulk", {"events": [event]}).ok
    assert api.post("/api/events/track", {**event, "dataFields": {"n": 2}}).ok
    (stored,) = api.emulator.events()
    assert stored["dataFields"] == {"n": 2}
    assert api.emulator.write_counts("events") == {"ev-1": 2}


def test_events_without_id_are_all_kept(api: Api) -> None:
    _user(api)
    event = {"email": "a@example.com", "eventName": "viewed"}
    first = api.post("/api/events/track", event).json()["params"]["id"]
    second = api.post("/api/events/track", event).json()["params"]["id"]
    assert first != second
    assert len(api.emulator.events("viewed")) == 2


def test_purchases_upsert_by_id_and_clear_the_cart(api: Api) -> None:
    cart = {"user": {"email": "a@example.com"}, "items": [ITEM]}
    assert api.post("/api/commerce/updateCart", cart).ok
    assert api.emulator.carts() == {"a@example.com": [ITEM]}
    assert api.emulator.user(email="a@example.com")["dataFields"]["shoppingCartItems"] == [ITEM]
    purchase = {"id": "order-1", "user": {"email": "a@example.com"}, "items": [ITEM], "total": 19.0}
    assert api.post("/api/commerce/trackPurchase", purchase).ok
    assert api.post("/api/commerce/trackPurchase", {**purchase, "total": 17.0}).ok
    (stored,) = api.emulator.purchases()
    assert stored["total"] == 17.0
    assert api.emulator.write_counts("purchases") == {"order-1": 2}
    assert api.emulator.carts() == {}
    assert "shoppingCartItems" not in api.emulator.user(email="a@example.com")["dataFields"]


def test_update_cart_replaces_the_whole_cart(api: Api) -> None:
    other = {**ITEM, "id": "sku-2"}
    assert api.post(
        "/api/commerce/updateCart", {"user": {"email": "a@example.com"}, "items": [ITEM, other]}
    ).ok
    assert api.post(
        "/api/commerce/updateCart", {"user": {"email": "a@example.com"}, "items": [other]}
    ).ok
    assert api.emulator.carts()["a@example.com"] == [other]
    assert api.emulator.write_counts("carts") == {"a@example.com": 2}


def test_user_writes_merge_and_are_counted(api: Api) -> None:
    first = {"email": "a@example.com", "dataFields": {"a": 1, "prefs": {"email": True}}}
    second = {"email": "a@example.com", "dataFields": {"b": 2, "prefs": {"sms": False}}}
    assert api.post("/api/users/update", first).ok
    assert api.post("/api/users/bulkUpdate", {"users": [second]}).ok
    fields = api.emulator.user(email="a@example.com")["dataFields"]
    assert fields == {"a": 1, "b": 2, "prefs": {"sms": False}}, "objects overwrite by default"
    third = {
        "email": "a@example.com",
        "dataFields": {"prefs": {"email": True}},
        "mergeNestedObjects": True,
    }
    assert api.post("/api/users/update", third).ok
    assert api.emulator.user(email="a@example.com")["dataFields"]["prefs"] == {
        "sms": False,
        "email": True,
    }
    assert api.emulator.write_counts("users") == {"a@example.com": 3}


def test_bulk_partial_failures_list_identifiers(api: Api) -> None:
    api.emulator.forget(email="gone@example.com")
    users = [
        {"email": "ok@example.com"},
        {"email": "not an email"},
        {"email": "x@example.com", "userId": "bad\u00e9"},
        {"email": "gone@example.com"},
        {"userId": "unknown"},
    ]
    answer = api.post("/api/users/bulkUpdate", {"users": users}).json()
    assert (answer["successCount"], answer["failCount"]) == (1, 4)
    failed = answer["failedUpdates"]
    assert failed["invalidEmails"] == ["not an email"]
    assert failed["invalidUserIds"] == ["bad\u00e9"]
    assert failed["forgottenEmails"] == ["gone@example.com"]
    assert failed["notFoundUserIds"] == ["unknown"]
    assert answer["invalidEmails"] == ["not an email"], "the deprecated copy is still sent"


def test_catalog_item_writes(api: Api) -> None:
    assert api.post("/api/catalogs/Products").status_code == 201
    upload = {"documents": {"1": {"a": 1, "b": 2}}, "replaceUploadedFieldsOnly": False}
    assert api.post("/api/catalogs/products/items", upload).ok, "names are case-insensitive"
    partial = {"documents": {"1": {"b": 3}}, "replaceUploadedFieldsOnly": True}
    assert api.post("/api/catalogs/products/items", partial).ok
    assert api.emulator.catalog_items("products") == {"1": {"a": 1, "b": 3}}
    replace = {"documents": {"1": {"c": 4}}, "replaceUploadedFieldsOnly": False}
    assert api.post("/api/catalogs/products/items", replace).ok
    assert api.emulator.catalog_items("products") == {"1": {"c": 4}}
    assert (
        api.call("PATCH", "/api/catalogs/products/items/1", {"update": {"d": 5}}).status_code == 202
    )
    assert api.emulator.catalog_items("products") == {"1": {"c": 4, "d": 5}}
    assert api.call("PUT", "/api/catalogs/products/items/1", {"value": {"e": 6}}).status_code == 202
    assert api.emulator.catalog_items("products") == {"1": {"e": 6}}
    assert api.emulator.write_counts("catalog_items") == {"products/1": 5}
    assert api.call("DELETE", "/api/catalogs/products/items/1").status_code == 202
    assert api.emulator.catalog_items("products") == {}


def test_catalog_listing_and_field_mappings(api: Api) -> None:
    assert api.post("/api/catalogs/products").status_code == 201
    documents = {str(i): {"price": float(i), "name": f"n{i}"} for i in range(1, 26)}
    assert api.post(
        "/api/catalogs/products/items", {"documents": documents, "replaceUploadedFieldsOnly": False}
    ).ok
    page = api.get("/api/catalogs/products/items?page=2&pageSize=10").json()["params"]
    assert page["totalItemsCount"] == 25
    assert len(page["catalogItemsWithProperties"]) == 10
    mapping = {"mappingsUpdates": [{"fieldName": "price", "fieldType": "double"}]}
    assert api.call("PUT", "/api/catalogs/products/fieldMappings", mapping).ok
    mappings = api.get("/api/catalogs/products/fieldMappings").json()["params"]
    assert mappings == {"definedMappings": {"price": "double"}, "undefinedFields": ["name"]}
    assert api.emulator.catalog_field_mappings("products") == {"price": "double"}
    change = {"mappingsUpdates": [{"fieldName": "price", "fieldType": "string"}]}
    assert api.call("PUT", "/api/catalogs/products/fieldMappings", change).status_code == 400
    wrong = {"documents": {"99": {"price": "cheap"}}, "replaceUploadedFieldsOnly": False}
    answer = api.post("/api/catalogs/products/items", wrong)
    assert answer.status_code == 400
    assert answer.json()["code"] == "RequestFieldsTypesMismatched"
    listed = api.get("/api/catalogs").json()["params"]
    assert listed == {"catalogNames": [{"name": "products"}], "totalCatalogsCount": 1}


def test_export_data_json(api: Api) -> None:
    assert api.post(
        "/api/users/update", {"email": "a@example.com", "dataFields": {"tier": "gold"}}
    ).ok
    events = [
        {"email": "a@example.com", "eventName": "old", "id": "e1", "createdAt": 1_600_000_000},
        {"email": "a@example.com", "eventName": "new", "id": "e2", "createdAt": 1_700_000_000},
    ]
    assert api.post("/api/events/trackBulk", {"events": events}).ok
    users = api.get("/api/export/data.json?dataTypeName=user&range=Today")
    assert users.status_code == 200
    (row,) = [json.loads(line) for line in users.text.splitlines()]
    assert (row["email"], row["tier"]) == ("a@example.com", "gold")
    window = "startDateTime=2023-01-01 00:00:00 %2B00:00&endDateTime=2024-01-01 00:00:00"
    rows = api.get(f"/api/export/data.json?dataTypeName=customEvent&{window}").text.splitlines()
    assert [json.loads(line)["id"] for line in rows] == ["e2"]
    assert json.loads(rows[0])["createdAt"] == "2023-11-14 22:13:20 +00:00"
    only = api.get(
        "/api/export/data.json?dataTypeName=customEvent&range=All&onlyFields=id&onlyFields=eventName"
    )
    assert [json.loads(line) for line in only.text.splitlines()] == [
        {"id": "e1", "eventName": "old"},
        {"id": "e2", "eventName": "new"},
    ]
    omitted = api.get(
        "/api/export/data.json?dataTypeName=customEvent&range=All&omitFields=dataFields,email"
    )
    assert all("email" not in json.loads(line) for line in omitted.text.splitlines())


def test_export_survives_any_int64_created_at(api: Api) -> None:
    api.emulator.configure(reject_millisecond_created_at=False)
    _user(api)
    events = [
        {"email": "a@example.com", "eventName": "far", "id": "past", "createdAt": -(2**62)},
        {"email": "a@example.com", "eventName": "far", "id": "ms", "createdAt": 1_700_000_000_000},
    ]
    assert api.post("/api/events/trackBulk", {"events": events}).json()["successCount"] == 2
    rows = api.get("/api/export/data.json?dataTypeName=customEvent&range=All").text.splitlines()
    assert [json.loads(line)["createdAt"][:4] for line in rows] == ["0001", "9999"]


def test_new_event_names_can_be_disallowed(api: Api) -> None:
    _user(api)
    known = {"email": "a@example.com", "eventName": "viewed"}
    assert api.post("/api/events/track", known).ok
    api.emulator.configure(allow_new_event_names=False)
    single = api.post("/api/events/track", {**known, "eventName": "brandNew"})
    assert single.status_code == 200, "Iterable answers 200 and stores nothing"
    assert "is disallowed from tracking" in single.json()["msg"]
    bulk = api.post(
        "/api/events/trackBulk", {"events": [known, {**known, "eventName": "brandNew"}]}
    ).json()
    assert (bulk["successCount"], bulk["failCount"]) == (1, 1)
    assert bulk["disallowedEventNames"] == ["brandNew"]
    assert {e["eventName"] for e in api.emulator.events()} == {"viewed"}


def test_user_write_sources_show_bulk_and_single_writes(api: Api) -> None:
    assert api.post("/api/users/bulkUpdate", {"users": [{"email": "a@example.com"}]}).ok
    purchase = {"user": {"email": "a@example.com"}, "items": [ITEM], "total": 19.0}
    assert api.post("/api/commerce/trackPurchase", purchase).ok
    assert api.post(
        "/api/commerce/updateCart", {"user": {"email": "b@example.com"}, "items": []}
    ).ok
    assert api.emulator.user_write_sources() == {
        "a@example.com": {"users/bulkUpdate": 1, "commerce/trackPurchase": 1},
        "b@example.com": {"commerce/updateCart": 1},
    }


def test_reads_can_lag_behind_writes(api: Api) -> None:
    api.emulator.configure(read_delay_seconds=0.3)
    _user(api)
    event = {
        "email": "a@example.com",
        "eventName": "viewed",
        "id": "e1",
        "createdAt": 1_700_000_000,
    }
    assert api.post("/api/events/track", event).ok
    assert api.get("/api/users/getByEmail?email=a@example.com").json() == {}, "not readable yet"
    export = "/api/export/data.json?dataTypeName=customEvent&range=All"
    assert api.get(export).text == ""
    assert api.emulator.user(email="a@example.com") is not None, "inspection sees it at once"
    deadline = time.monotonic() + 5
    while api.get("/api/users/getByEmail?email=a@example.com").json() == {}:
        assert time.monotonic() < deadline, "the write never became readable"
        time.sleep(0.05)
    assert [json.loads(line)["id"] for line in api.get(export).text.splitlines()] == ["e1"]
