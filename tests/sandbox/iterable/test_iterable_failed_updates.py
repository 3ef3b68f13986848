"""Every `failedUpdates` list Swagger documents for users/bulkUpdate and events/trackBulk.

Swagger (`spec/api-docs.json`): `FailedUserUpdates` (bulkUpdate) has invalid, notFound, invalidData,
conflict and forgotten lists for emails and userIds; invalid ones are "found either at the top level
of a passed-in user object, or in dataFields". `FailedEventUpdates` (trackBulk) has invalid,
notFound and forgotten lists. Each case: one refused user or event beside one accepted, in one
request; the refused identifier is listed, the other is written.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import Api, project

FAILED_USER_LISTS = {
    "invalidEmails",
    "invalidUserIds",
    "notFoundEmails",
    "notFoundUserIds",
    "invalidDataEmails",
    "invalidDataUserIds",
    "conflictEmails",
    "conflictUserIds",
    "forgottenEmails",
    "forgottenUserIds",
}
FAILED_EVENT_LISTS = {
    "invalidEmails",
    "invalidUserIds",
    "notFoundEmails",
    "notFoundUserIds",
    "forgottenEmails",
    "forgottenUserIds",
}


def _swagger_lists(iterable_swagger: Any, definition: str) -> set[str]:
    spec = json.loads(iterable_swagger.read_text())
    return set(spec["definitions"][definition]["properties"])


def test_the_lists_are_the_swagger_ones(iterable_swagger: Any) -> None:
    assert _swagger_lists(iterable_swagger, "FailedUserUpdates") == FAILED_USER_LISTS
    assert _swagger_lists(iterable_swagger, "FailedEventUpdates") == FAILED_EVENT_LISTS


def _setup_conflicts(api: Api) -> None:
    users = [{"email": "taken@example.com"}, {"userId": "taken"}]
    assert api.post("/api/users/bulkUpdate", {"users": users}).json()["successCount"] == 2


# (project type, setup, refused user, list, listed identifier)
USER_CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("email", "", {"email": "no-at-sign"}, "invalidEmails", "no-at-sign"),
    (
        "email",
        "",
        {"email": "a@example.com", "dataFields": {"email": "bad email@x.com"}},
        "invalidEmails",
        "bad email@x.com",
    ),
    ("user_id", "", {"userId": "x" * 53}, "invalidUserIds", "x" * 53),
    (
        "hybrid",
        "",
        {"email": "a@example.com", "dataFields": {"userId": "trailing "}},
        "invalidUserIds",
        "trailing ",
    ),
    ("email", "", {"userId": "nobody"}, "notFoundUserIds", "nobody"),
    (
        "email",
        "mismatch",
        {"email": "a@example.com", "dataFields": {"n": "text"}},
        "invalidDataEmails",
        "a@example.com",
    ),
    (
        "user_id",
        "mismatch",
        {"userId": "u9", "dataFields": {"n": "text"}},
        "invalidDataUserIds",
        "u9",
    ),
    (
        "hybrid",
        "conflict",
        {"email": "taken@example.com", "userId": "taken"},
        "conflictEmails",
        "taken@example.com",
    ),
    (
        "hybrid",
        "conflict",
        {"email": "a@example.com", "dataFields": {"email": "taken@example.com"}},
        "conflictEmails",
        "taken@example.com",
    ),
    (
        "hybrid",
        "conflict",
        {"email": "a@example.com", "dataFields": {"userId": "taken"}},
        "conflictUserIds",
        "taken",
    ),
    ("email", "forget", {"email": "gone@example.com"}, "forgottenEmails", "gone@example.com"),
    ("user_id", "forget", {"userId": "gone"}, "forgottenUserIds", "gone"),
]


@pytest.mark.parametrize(
    "case",
    USER_CASES,
    ids=[f"{case[0]}-{case[3]}-{i}" for i, case in enumerate(USER_CASES)],
)
def test_bulk_update_lists_the_refused_identifier(
    project_servers: dict[str, Api], case: tuple[str, str, dict[str, Any], str, str]
) -> None:
    project_type, setup, refused, list_name, listed = case
    api = project(project_servers, project_type)
    accepted = {"userId": "ok"} if project_type == "user_id" else {"email": "ok@example.com"}
    if setup == "conflict":
        _setup_conflicts(api)
    elif setup == "mismatch":
        api.emulator.configure(bulk_invalid_data_per_user=True)
        assert api.post("/api/users/bulkUpdate", {"users": [{**accepted, "dataFields": {"n": 1}}]})
    elif setup == "forget":
        api.emulator.forget(email=refused.get("email"), user_id=refused.get("userId"))
    before = len(api.emulator.users())
    answer = api.post("/api/users/bulkUpdate", {"users": [refused, accepted]}).json()
    assert answer["failedUpdates"][list_name] == [listed]
    others = {k: v for k, v in answer["failedUpdates"].items() if k != list_name}
    assert not any(others.values())
    assert (answer["successCount"], answer["failCount"]) == (1, 1)
    written = {
        u["email"] if project_type != "user_id" else u["userId"] for u in api.emulator.users()
    }
    assert next(iter(accepted.values())) in written
    assert len(api.emulator.users()) <= before + 1


def test_invalid_data_is_a_whole_request_failure_by_default(
    project_servers: dict[str, Api],
) -> None:
    api = project(project_servers, "email")
    assert api.post(
        "/api/users/bulkUpdate", {"users": [{"email": "a@example.com", "dataFields": {"n": 1}}]}
    )
    users = [{"email": "a@example.com", "dataFields": {"n": "text"}}, {"email": "b@example.com"}]
    answer = api.post("/api/users/bulkUpdate", {"users": users})
    assert answer.status_code == 400
    assert answer.json()["code"] == "RequestFieldsTypesMismatched"
    assert [u["email"] for u in api.emulator.users()] == ["a@example.com"]


def test_a_refused_user_creates_no_field_types(project_servers: dict[str, Api]) -> None:
    api = project(project_servers, "email")
    api.emulator.configure(bulk_invalid_data_per_user=True)
    assert api.post(
        "/api/users/bulkUpdate", {"users": [{"email": "a@example.com", "dataFields": {"n": 1}}]}
    )
    refused = {"email": "a@example.com", "dataFields": {"n": "text", "brandNew": True}}
    answer = api.post("/api/users/bulkUpdate", {"users": [refused]}).json()
    assert answer["failedUpdates"]["invalidDataEmails"] == ["a@example.com"]
    assert "brandNew" not in api.emulator.field_types().get("user", {})


# (project type, setup, refused event identifiers, list, listed identifier)
EVENT_CASES: list[tuple[str, str, dict[str, Any], str, str]] = [
    ("email", "", {"email": "no-at-sign"}, "invalidEmails", "no-at-sign"),
    ("user_id", "", {"userId": ""}, "invalidUserIds", ""),
    ("email", "", {"email": "nobody@example.com"}, "notFoundEmails", "nobody@example.com"),
    ("user_id", "", {"userId": "nobody"}, "notFoundUserIds", "nobody"),
    ("hybrid", "forget", {"email": "gone@example.com"}, "forgottenEmails", "gone@example.com"),
    ("hybrid", "forget", {"userId": "gone"}, "forgottenUserIds", "gone"),
]


@pytest.mark.parametrize(
    "case",
    EVENT_CASES,
    ids=[f"{case[0]}-{case[3]}" for case in EVENT_CASES],
)
def test_track_bulk_lists_the_refused_identifier(
    project_servers: dict[str, Api], case: tuple[str, str, dict[str, Any], str, str]
) -> None:
    project_type, setup, refused, list_name, listed = case
    api = project(project_servers, project_type)
    accepted = {"userId": "ok"} if project_type == "user_id" else {"email": "ok@example.com"}
    assert api.post("/api/users/bulkUpdate", {"users": [accepted]}).json()["successCount"] == 1
    if setup == "forget":
        api.emulator.forget(email=refused.get("email"), user_id=refused.get("userId"))
    events = [
        {**refused, "eventName": "viewed", "id": "refused-1"},
        {**accepted, "eventName": "viewed", "id": "accepted-1"},
    ]
    answer = api.post("/api/events/trackBulk", {"events": events}).json()
    assert answer["failedUpdates"][list_name] == [listed]
    assert (answer["successCount"], answer["failCount"]) == (1, 1)
    assert [e["id"] for e in api.emulator.events()] == ["accepted-1"]
