"""`phoneNumber` values that are not E.164 are stored (Iterable's rejection is undocumented) and
flagged, in the handle, over `/_sandbox/non_e164_phone_numbers` and through the inspector."""

from __future__ import annotations

from conftest import Api

from sandbox.iterable.inspect import IterableInspector


def test_non_e164_phone_numbers_are_flagged_not_rejected(api: Api) -> None:
    valid = {"email": "a@example.com", "dataFields": {"phoneNumber": "+15125550123"}}
    national = {"email": "b@example.com", "dataFields": {"phoneNumber": "(512) 555-0123"}}
    erased = {"email": "c@example.com", "dataFields": {"phoneNumber": None}}
    assert api.post("/api/users/update", valid).ok
    assert api.post("/api/users/bulkUpdate", {"users": [national, erased]}).ok
    cart = {"user": {"email": "d@example.com", "dataFields": {"phoneNumber": "4915112345678"}}}
    assert api.post("/api/commerce/updateCart", {**cart, "items": []}).ok

    expected = [
        {"user": "b@example.com", "phoneNumber": "(512) 555-0123", "source": "users/bulkUpdate"},
        {"user": "d@example.com", "phoneNumber": "4915112345678", "source": "commerce/updateCart"},
    ]
    assert api.emulator.non_e164_phone_numbers() == expected
    # Stored as sent, like any other field: the emulator flags, it does not reject.
    assert api.emulator.user(email="b@example.com")["dataFields"]["phoneNumber"] == "(512) 555-0123"
    with IterableInspector(api.running.api_url) as inspector:
        assert inspector.non_e164_phone_numbers() == expected
    assert api.get("/_sandbox/non_e164_phone_numbers").json() == expected

    api.emulator.reset()
    assert api.emulator.non_e164_phone_numbers() == []
