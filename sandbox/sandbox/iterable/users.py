"""users/update, users/bulkUpdate, user reads, deletes and GDPR forget."""

from __future__ import annotations

from typing import Any

from sandbox.iterable.errors import bad_params, too_many
from sandbox.iterable.field_types import Mismatch, mismatch_error
from sandbox.iterable.identity import IdentityProblem, check_identifiers
from sandbox.iterable.profiles import (
    PreparedUser,
    check_field_limit,
    prepare_user,
    write_user,
)
from sandbox.iterable.settings import EmulatorSettings
from sandbox.iterable.state import ProjectState

FAILED_USER_KEYS = (
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
)


def update_user(state: ProjectState, settings: EmulatorSettings, body: dict[str, Any]) -> None:
    """POST /api/users/update: one profile, created when missing (rules by project type)."""
    staged = state.registry.stage()
    prepared, mismatches = prepare_user(
        state, settings, staged, body, "obj", create_new_fields=body.get("createNewFields")
    )
    if isinstance(prepared, IdentityProblem):
        raise prepared.as_error()
    if mismatches:
        raise mismatch_error(state.registry, mismatches)
    check_field_limit(state, settings, staged)
    written = write_user(state, prepared, source="users/update")
    if isinstance(written, IdentityProblem):
        raise written.as_error()
    staged.commit()
    state.journeys.profile_fields(state.label(written), prepared.data_fields)


def bulk_update(
    state: ProjectState, settings: EmulatorSettings, body: dict[str, Any]
) -> dict[str, Any]:
    """POST /api/users/bulkUpdate: all-or-nothing on types, per-user failures in a 200 body."""
    users: list[dict[str, Any]] = body["users"]
    if len(users) > settings.max_bulk_users:
        raise too_many("users", len(users), settings.max_bulk_users)
    staged = state.registry.stage()
    failed: dict[str, list[str]] = {key: [] for key in FAILED_USER_KEYS}
    prepared_users: list[PreparedUser] = []
    mismatches: list[Mismatch] = []
    filtered: set[str] = set()
    for index, user in enumerate(users):
        per_user = settings.bulk_invalid_data_per_user
        before = {c: dict(fields) for c, fields in staged.new.items()} if per_user else {}
        prepared, found = prepare_user(
            state,
            settings,
            staged,
            user,
            f"obj.users[{index}]",
            create_new_fields=body.get("createNewFields"),
        )
        if isinstance(prepared, IdentityProblem):
            failed[prepared.kind].append(prepared.identifier)
        elif found and per_user:
            kind, identifier = _invalid_data_listing(prepared)
            failed[kind].append(identifier)
            staged.new = before  # the types a refused user would have created are not kept
        else:
            mismatches.extend(found)
            prepared_users.append(prepared)
            filtered.update(prepared.filtered_out)
    if mismatches:
        raise mismatch_error(state.registry, mismatches)
    check_field_limit(state, settings, staged)
    created_fields = staged.new_top_level("user")
    success = 0
    for prepared in prepared_users:
        written = write_user(state, prepared, source="users/bulkUpdate")
        if isinstance(written, IdentityProblem):
            failed[written.kind].append(written.identifier)
        else:
            success += 1
            state.journeys.profile_fields(state.label(written), prepared.data_fields)
    staged.commit()
    return {
        "successCount": success,
        "failCount": len(users) - success,
        "createdFields": created_fields,
        "filteredOutFields": sorted(filtered),
        # Deprecated copies Iterable still sends.
        "invalidEmails": list(failed["invalidEmails"]),
        "invalidUserIds": list(failed["invalidUserIds"]),
        "failedUpdates": failed,
    }


def _invalid_data_listing(prepared: PreparedUser) -> tuple[str, str]:
    """Where a user refused for its dataFields is listed: by the identifier it was sent with.

    Swagger `FailedUserUpdates.invalidDataEmails` / `invalidDataUserIds`: "not updated because of
    invalid data in dataFields other than an invalid email or userId".
    """
    if prepared.email is not None:
        return "invalidDataEmails", prepared.email
    assert prepared.user_id is not None
    return "invalidDataUserIds", prepared.user_id


def get_user(
    state: ProjectState, settings: EmulatorSettings, *, email: str | None, user_id: str | None
) -> dict[str, Any]:
    """GET users: `{"user": {...}}`, or `{}` (HTTP 200) when nobody matches (yet)."""
    if email is not None:
        profile = state.find_by_email(email)
    elif user_id is not None:
        holders = state.find_by_user_id(user_id)
        profile = holders[0] if holders else None
    else:
        raise bad_params("Either email or userId must be provided")
    if profile is None or not state.visible(profile.created_monotonic, settings.read_delay_seconds):
        return {}
    return {"user": profile.as_api_user()}


def delete_by_email(state: ProjectState, email: str) -> str:
    if state.project_type == "user_id":
        raise bad_params("Deleting users by email is not supported in userID-based projects")
    profile = state.find_by_email(email)
    if profile is None:
        raise bad_params(f"User does not exist. Email: {email} UserId: ")
    state.delete_user(profile)
    return f"User {email} was successfully deleted"


def delete_by_user_id(state: ProjectState, user_id: str) -> str:
    holders = state.find_by_user_id(user_id)
    if not holders:
        raise bad_params(f"User does not exist. Email:  UserId: {user_id}")
    for profile in holders:  # every user sharing the userId (email-based projects allow several)
        state.delete_user(profile)
    return f"All users associated with {user_id} were successfully deleted"


def forget(state: ProjectState, *, email: str | None, user_id: str | None) -> None:
    """Delete the user's data and block future writes for that identifier (GDPR)."""
    if state.project_type == "email" and email is None:
        raise bad_params("Email-based projects forget users by email")
    if state.project_type == "user_id" and user_id is None:
        raise bad_params("UserID-based projects forget users by userId")
    problem = check_identifiers(state, email, user_id)
    if problem is not None and problem.kind in ("invalidEmails", "invalidUserIds"):
        raise problem.as_error()
    if email is not None:
        state.forgotten_emails.add(email)
        profile = state.find_by_email(email)
        if profile is not None:
            state.delete_user(profile)
    if user_id is not None:
        state.forgotten_user_ids.add(user_id)
        for profile in state.find_by_user_id(user_id):
            state.delete_user(profile)


def unforget(state: ProjectState, *, email: str | None, user_id: str | None) -> None:
    if email is not None:
        state.forgotten_emails.discard(email)
    if user_id is not None:
        state.forgotten_user_ids.discard(user_id)
