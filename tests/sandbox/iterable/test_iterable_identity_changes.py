"""users/updateEmail and users/merge, as Swagger and Iterable KB "Merging User Profiles" say."""

from __future__ import annotations

from conftest import Api, project


def _seed(api: Api) -> None:
    users = [
        {"email": "old@example.com", "dataFields": {"firstName": "Ann", "visits": 1}},
        {"email": "guest@example.com", "dataFields": {"visits": 5, "tags": ["a"]}},
    ]
    assert api.post("/api/users/bulkUpdate", {"users": users}).json()["successCount"] == 2
    events = [{"email": "old@example.com", "eventName": "viewed", "id": "e1"}]
    assert api.post("/api/events/trackBulk", {"events": events}).json()["successCount"] == 1
    purchase = {
        "id": "p1",
        "user": {"email": "old@example.com"},
        "items": [{"id": "1", "name": "Mug", "price": 10.0, "quantity": 1}],
        "total": 10.0,
    }
    assert api.post("/api/commerce/trackPurchase", purchase).ok


def test_update_email_moves_the_profile_and_its_history(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "email")
    _seed(api)
    answer = api.post(
        "/api/users/updateEmail", {"currentEmail": "old@example.com", "newEmail": "new@example.com"}
    )
    assert answer.status_code == 200, answer.text
    assert api.emulator.user(email="old@example.com") is None
    moved = api.emulator.user(email="new@example.com")
    assert moved["dataFields"] == {"firstName": "Ann", "visits": 1}
    assert [e["email"] for e in api.emulator.events()] == ["new@example.com"]
    assert [p["email"] for p in api.emulator.purchases()] == ["new@example.com"]
    assert len(api.emulator.users()) == 2


def test_update_email_refusals(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "email")
    _seed(api)
    taken = api.post(
        "/api/users/updateEmail",
        {"currentEmail": "old@example.com", "newEmail": "guest@example.com"},
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "EmailAlreadyExists")
    unknown = api.post(
        "/api/users/updateEmail",
        {"currentEmail": "nobody@example.com", "newEmail": "n@example.com"},
    )
    assert (unknown.status_code, unknown.json()["code"]) == (400, "BadParams")
    assert "User does not exist" in unknown.json()["msg"]
    api.emulator.forget(email="gone@example.com")
    forgotten = api.post(
        "/api/users/updateEmail",
        {"currentEmail": "old@example.com", "newEmail": "gone@example.com"},
    )
    assert (forgotten.status_code, forgotten.json()["code"]) == (409, "ForgottenUserError")
    assert api.emulator.user(email="old@example.com") is not None  # nothing changed
    hybrid = project(project_servers, "hybrid")
    other = hybrid.post(
        "/api/users/updateEmail", {"currentEmail": "a@example.com", "newEmail": "b@example.com"}
    )
    assert other.status_code == 400, "Swagger: updateEmail is for email-based projects"


def test_merge_into_an_existing_destination_keeps_its_values(
    project_servers: dict[str, Api],
) -> None:
    api = project(project_servers, "email")
    _seed(api)
    body = {
        "sourceEmail": "old@example.com",
        "destinationEmail": "guest@example.com",
        "arrayMerge": [{"field": "tags"}],
    }
    assert api.post("/api/users/merge", body).ok
    assert api.emulator.user(email="old@example.com") is None  # the source is deleted
    merged = api.emulator.user(email="guest@example.com")
    # Fields the destination lacks are copied; on a conflict the destination wins.
    assert merged["dataFields"] == {"visits": 5, "tags": ["a"], "firstName": "Ann"}
    assert [e["email"] for e in api.emulator.events()] == ["guest@example.com"]
    assert [p["email"] for p in api.emulator.purchases()] == ["guest@example.com"]
    assert len(api.emulator.users()) == 1


def test_merge_into_a_new_destination_renames_the_source(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "hybrid")
    assert api.post("/api/users/update", {"email": "anon@example.com", "dataFields": {"n": 1}}).ok
    body = {"sourceEmail": "anon@example.com", "destinationUserId": "bc-1"}
    assert api.post("/api/users/merge", body).ok
    (user,) = api.emulator.users()
    assert (user["email"], user["userId"], user["dataFields"]) == (
        "anon@example.com",
        "bc-1",
        {"n": 1},
    )
    missing = api.post(
        "/api/users/merge", {"sourceEmail": "nobody@example.com", "destinationUserId": "bc-2"}
    )
    assert (missing.status_code, missing.json()["code"]) == (400, "BadParams")
    both = api.post(
        "/api/users/merge",
        {"sourceEmail": "anon@example.com", "sourceUserId": "bc-1", "destinationUserId": "bc-2"},
    )
    assert both.status_code == 400


def test_users_update_moves_a_user_id_profiles_email_with_its_history(
    project_servers: dict[str, Api],
) -> None:
    """KB "Updating a User's Email Address or User ID": userID-based and hybrid projects change
    the email with users/update by userId; the profile (and its purchases) stays the same."""
    for project_type in ("hybrid", "user_id"):
        api = project(project_servers, project_type)
        assert api.post("/api/users/update", {"userId": "u1", "dataFields": {"email": "a@x.io"}}).ok
        purchase = {
            "id": "p1",
            "user": {"userId": "u1"},
            "items": [{"id": "1", "name": "Mug", "price": 10.0, "quantity": 1}],
            "total": 10.0,
        }
        assert api.post("/api/commerce/trackPurchase", purchase).ok
        change = {"userId": "u1", "dataFields": {"email": "b@x.io"}, "mergeNestedObjects": True}
        assert api.post("/api/users/update", change).ok
        (user,) = api.emulator.users()
        assert (user["email"], user["userId"]) == ("b@x.io", "u1")
        assert [(p["email"], p["userId"]) for p in api.emulator.purchases()] == [("b@x.io", "u1")]


def test_an_email_another_profile_holds_is_a_conflict_where_emails_are_unique(
    project_servers: dict[str, Api],
) -> None:
    """Hybrid: email and userId both unique (KB "Project Types"): 409 on users/update (Swagger
    "Email/userId conflict"), `conflictEmails` in bulk; userID-based: emails are not unique."""
    change = {"userId": "u1", "dataFields": {"email": "guest@x.io"}}
    for project_type, refused in (("hybrid", True), ("user_id", False)):
        api = project(project_servers, project_type)
        guest = (
            {"userId": "g1", "dataFields": {"email": "guest@x.io"}}  # userId is the key there
            if project_type == "user_id"
            else {"email": "guest@x.io"}
        )
        assert api.post("/api/users/update", guest).ok
        assert api.post("/api/users/update", {"userId": "u1", "dataFields": {"email": "a@x.io"}}).ok
        answer = api.post("/api/users/update", change)
        bulk = api.post("/api/users/bulkUpdate", {"users": [change]}).json()
        if refused:
            assert (answer.status_code, answer.json()["code"]) == (409, "EmailAlreadyExists")
            assert bulk["failedUpdates"]["conflictEmails"] == ["guest@x.io"]
            assert api.emulator.user(user_id="u1")["email"] == "a@x.io"
        else:
            assert answer.ok
            assert bulk["successCount"] == 1
            assert [u["email"] for u in api.emulator.users()] == ["guest@x.io", "guest@x.io"]
