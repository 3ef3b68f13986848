"""Journey entries, counted as Iterable's "Journey Setup: The Start Tile" describes them.

Events and purchases enter journeys when *added to or updated on* a profile; a User Profile Update
journey fires for any users/update or bulkUpdate that *contains* the field, changed or not; a
purchase clears the shopper's cart.
"""

from __future__ import annotations

from conftest import Api

from sandbox.iterable.inspect import IterableInspector

ITEM = {"id": "sku-1", "name": "Mug", "price": 9.5, "quantity": 2}
EMAIL = "a@example.com"


def _entries(api: Api) -> dict[str, dict[str, int]]:
    by_trigger: dict[str, dict[str, int]] = api.emulator.journey_entries()["by_trigger"]
    return by_trigger


def test_a_new_user_enters_once_and_each_field_sent_enters_even_unchanged(api: Api) -> None:
    user = {"email": EMAIL, "dataFields": {"firstName": "Ada", "city": "Paris"}}
    assert api.post("/api/users/update", user).ok
    assert api.post("/api/users/bulkUpdate", {"users": [user]}).ok  # same values again
    assert api.post("/api/users/bulkUpdate", {"users": [{"email": EMAIL}]}).ok  # no field

    entries = _entries(api)
    assert entries["newUserCreated"] == {EMAIL: 1}
    assert entries["userProfileUpdate:firstName"] == {EMAIL: 2}
    assert entries["userProfileUpdate:city"] == {EMAIL: 2}
    assert api.emulator.journey_entries()["total"] == 5


def test_an_event_enters_when_added_and_again_when_updated_with_its_id(api: Api) -> None:
    assert api.post("/api/users/update", {"email": EMAIL}).ok
    event = {"email": EMAIL, "eventName": "order_shipped", "id": "ev-1", "dataFields": {"n": 1}}
    assert api.post("/api/events/trackBulk", {"events": [event]}).ok
    assert api.post("/api/events/trackBulk", {"events": [event]}).ok  # same id: an update

    assert _entries(api)["customEvent:order_shipped"] == {"ev-1": 2}
    assert len(api.emulator.events()) == 1  # the data stays free of duplicates


def test_a_resent_purchase_enters_again_and_empties_a_cart_started_since(api: Api) -> None:
    purchase = {"id": "order-1", "user": {"email": EMAIL}, "items": [ITEM], "total": 19.0}
    assert api.post("/api/commerce/trackPurchase", purchase).ok
    cart = {"user": {"email": EMAIL}, "items": [{**ITEM, "id": "sku-2"}]}
    assert api.post("/api/commerce/updateCart", cart).ok
    assert api.post("/api/commerce/trackPurchase", purchase).ok  # the same order, re-sent

    journeys = api.emulator.journey_entries()
    assert journeys["by_trigger"]["purchase"] == {"order-1": 2}
    assert journeys["by_trigger"]["shoppingCartUpdate"] == {EMAIL: 1}
    assert journeys["carts_cleared_by_purchase"] == {EMAIL: 1}
    assert api.emulator.carts() == {}
    # trackPurchase's profile data is not a users/update call: no profile-update entry.
    assert not any(t.startswith("userProfileUpdate:") for t in journeys["by_trigger"])


def test_refused_writes_enter_no_journey(api: Api) -> None:
    # events/trackBulk does not create users: an event of an unknown user is refused.
    event = {"email": "nobody@example.com", "eventName": "x", "id": "ev-9"}
    answer = api.post("/api/events/trackBulk", {"events": [event]}).json()
    assert answer["failCount"] == 1
    assert api.emulator.journey_entries() == {
        "total": 0,
        "by_trigger": {},
        "carts_cleared_by_purchase": {},
    }


def test_the_counts_are_read_over_http_and_reset(api: Api) -> None:
    assert api.post("/api/users/update", {"email": EMAIL, "dataFields": {"a": 1}}).ok
    inspector = IterableInspector(api.running.api_url)
    assert inspector.journey_entries() == api.emulator.journey_entries()
    inspector.reset()
    assert inspector.journey_entries()["total"] == 0
