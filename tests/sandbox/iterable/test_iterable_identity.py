"""Project types and their identity rules; GDPR-forgotten users."""

from __future__ import annotations

from conftest import Api, project


def test_email_project_email_wins_and_overwrites_user_id(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "email")
    assert api.post("/api/users/update", {"email": "a@example.com", "userId": "u1"}).ok
    assert api.post("/api/users/update", {"email": "a@example.com", "userId": "u2"}).ok
    user = api.emulator.user(email="a@example.com")
    assert user["userId"] == "u2"
    assert len(api.emulator.users()) == 1
    # userId alone finds the profile now.
    assert api.post("/api/users/update", {"userId": "u2", "dataFields": {"x": 1}}).ok
    assert api.emulator.user(email="a@example.com")["dataFields"] == {"x": 1}


def test_email_project_user_id_is_not_unique(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "email")
    users = [
        {"email": "a@example.com", "userId": "same"},
        {"email": "b@example.com", "userId": "same"},
    ]
    answer = api.post("/api/users/bulkUpdate", {"users": users}).json()
    assert answer["successCount"] == 2
    deleted = api.call("DELETE", "/api/users/byUserId/same")
    assert deleted.status_code == 200
    assert deleted.json()["msg"] == "All users associated with same were successfully deleted"
    assert api.emulator.users() == []


def test_email_project_prefer_user_id_creates_a_placeholder(
    project_servers: dict[str, Api],
) -> None:
    api = project(project_servers, "email")
    refused = api.post("/api/users/update", {"userId": "anon"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "UnknownUserIdError"
    assert api.post("/api/users/update", {"userId": "anon", "preferUserId": True}).ok
    (user,) = api.emulator.users()
    assert user["userId"] == "anon"
    assert user["email"].endswith("@placeholder.email")


def test_email_project_emails_are_matched_exactly(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "email")
    assert api.post("/api/users/update", {"email": "Ann@example.com"}).ok
    assert api.post("/api/users/update", {"email": "ann@example.com"}).ok
    # Case is not folded: a mapper that does not normalise emails makes duplicates.
    assert sorted(u["email"] for u in api.emulator.users()) == [
        "Ann@example.com",
        "ann@example.com",
    ]


def test_user_id_project_needs_a_user_id(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "user_id")
    refused = api.post("/api/users/update", {"email": "a@example.com"})
    assert refused.status_code == 400
    assert refused.json()["code"] == "BadParams"
    bulk = api.post("/api/users/bulkUpdate", {"users": [{"email": "a@example.com"}]})
    assert bulk.status_code == 400


def test_user_id_project_email_is_not_unique(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "user_id")
    users = [{"userId": "u1", "email": "a@example.com"}, {"userId": "u2", "email": "a@example.com"}]
    assert api.post("/api/users/bulkUpdate", {"users": users}).json()["successCount"] == 2
    assert len(api.emulator.users()) == 2
    refused = api.call("DELETE", "/api/users/a@example.com")
    assert refused.status_code == 400, "DELETE by email is not for userID-based projects"
    assert api.call("DELETE", "/api/users/byUserId/u1").ok
    assert [u["userId"] for u in api.emulator.users()] == ["u2"]


def test_hybrid_project_rejects_an_email_of_another_profile(
    project_servers: dict[str, Api],
) -> None:
    api = project(project_servers, "hybrid")
    assert api.post("/api/users/update", {"email": "a@example.com"}).ok
    assert api.post("/api/users/update", {"userId": "u1"}).ok
    conflict = api.post("/api/users/update", {"email": "a@example.com", "userId": "u1"})
    assert conflict.status_code == 409
    assert conflict.json()["code"] == "EmailAlreadyExists"
    bulk = api.post(
        "/api/users/bulkUpdate", {"users": [{"email": "a@example.com", "userId": "u1"}]}
    ).json()
    assert (bulk["successCount"], bulk["failCount"]) == (0, 1)
    assert bulk["failedUpdates"]["conflictEmails"] == ["a@example.com"]


def test_hybrid_project_attaches_an_email_to_a_user_id(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "hybrid")
    assert api.post("/api/users/update", {"userId": "u1"}).ok
    assert api.post("/api/users/update", {"userId": "u1", "email": "a@example.com"}).ok
    found = api.get("/api/users/getByEmail?email=a@example.com").json()
    assert found["user"]["userId"] == "u1"
    assert len(api.emulator.users()) == 1


def test_hybrid_changing_email_through_data_fields_checks_uniqueness(
    project_servers: dict[str, Api],
) -> None:
    api = project(project_servers, "hybrid")
    users = [{"userId": "u1", "email": "a@example.com"}, {"userId": "u2", "email": "b@example.com"}]
    assert api.post("/api/users/bulkUpdate", {"users": users}).json()["successCount"] == 2
    taken = api.post(
        "/api/users/update", {"userId": "u2", "dataFields": {"email": "a@example.com"}}
    )
    assert taken.status_code == 409
    moved = api.post(
        "/api/users/update", {"userId": "u2", "dataFields": {"email": "c@example.com"}}
    )
    assert moved.status_code == 200
    assert api.emulator.user(user_id="u2")["email"] == "c@example.com"


def test_forgotten_users_get_409_and_bulk_failures(any_project: Api) -> None:
    api = any_project
    identifier = (
        {"userId": "gone"}
        if api.emulator.project_type == "user_id"
        else {"email": "gone@example.com"}
    )
    assert api.post("/api/users/update", {**identifier, "dataFields": {"a": 1}}).ok
    api.emulator.forget(email=identifier.get("email"), user_id=identifier.get("userId"))
    assert api.emulator.users() == [], "forgetting deletes the data"
    single = api.post("/api/users/update", identifier)
    assert single.status_code == 409
    assert single.json()["code"] == "ForgottenUserError"
    bulk = api.post("/api/users/bulkUpdate", {"users": [identifier]}).json()
    kind = "forgottenUserIds" if "userId" in identifier else "forgottenEmails"
    assert bulk["failedUpdates"][kind] == list(identifier.values())
    events = api.post(
        "/api/events/trackBulk", {"events": [{**identifier, "eventName": "viewed"}]}
    ).json()
    assert events["failedUpdates"][kind] == list(identifier.values())
    assert api.emulator.events() == []
    api.emulator.unforget(email=identifier.get("email"), user_id=identifier.get("userId"))
    assert api.post("/api/users/update", identifier).ok


def test_forget_endpoint_follows_the_project_type(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "user_id")
    refused = api.post("/api/users/forget", {"email": "a@example.com"})
    assert refused.status_code == 400
    assert api.post("/api/users/forget", {"userId": "u9"}).ok
    assert api.emulator.forgotten() == {"emails": [], "userIds": ["u9"]}


def test_events_need_an_existing_user_unless_configured(any_project: Api) -> None:
    api = any_project
    identifier = (
        {"userId": "u1"} if api.emulator.project_type == "user_id" else {"email": "e@example.com"}
    )
    event = {**identifier, "eventName": "viewed", "id": "ev-1"}
    bulk = api.post("/api/events/trackBulk", {"events": [event]}).json()
    assert bulk["failCount"] == 1
    kind = "notFoundUserIds" if "userId" in identifier else "notFoundEmails"
    assert bulk["failedUpdates"][kind] == list(identifier.values())
    api.emulator.configure(events_require_existing_user=False)
    assert api.post("/api/events/trackBulk", {"events": [event]}).json()["successCount"] == 1
    assert len(api.emulator.users()) == 1


def test_inspection_labels_follow_the_project_type(project_servers: dict[str, Api]) -> None:
    item = {"id": "1", "name": "Mug", "price": 1.0, "quantity": 1}
    user_id = project(project_servers, "user_id")
    for uid in ("u1", "u2"):  # two profiles sharing one (non-unique) email
        cart = {"user": {"userId": uid, "email": "same@example.com"}, "items": [item]}
        assert user_id.post("/api/commerce/updateCart", cart).ok
    assert set(user_id.emulator.carts()) == {"u1", "u2"}
    assert user_id.emulator.write_counts("users") == {"u1": 1, "u2": 1}
    hybrid = project(project_servers, "hybrid")
    users = [{"userId": "u1"}, {"userId": "u2", "email": "b@example.com"}]
    assert hybrid.post("/api/users/bulkUpdate", {"users": users}).ok
    assert hybrid.emulator.write_counts("users") == {"userId:u1": 1, "b@example.com": 1}


def test_hybrid_event_with_identifiers_of_two_profiles(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "hybrid")
    users = [{"email": "a@example.com"}, {"userId": "u1"}]
    assert api.post("/api/users/bulkUpdate", {"users": users}).json()["successCount"] == 2
    event = {"email": "a@example.com", "userId": "u1", "eventName": "viewed"}
    bulk = api.post("/api/events/trackBulk", {"events": [event]})
    assert bulk.status_code == 200
    assert bulk.json()["failedUpdates"]["conflictEmails"] == ["a@example.com"]
    single = api.post("/api/events/track", event)
    assert single.status_code == 409
    assert api.emulator.events() == []
