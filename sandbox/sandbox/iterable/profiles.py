"""Writing user profiles: shared by users/update, users/bulkUpdate, trackPurchase and updateCart."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from sandbox.iterable.field_types import Mismatch, StagedTypes
from sandbox.iterable.identity import (
    IdentityProblem,
    apply_resolution,
    check_identifiers,
    required_identifier_error,
    resolve,
)
from sandbox.iterable.identity_changes import move_history
from sandbox.iterable.settings import EmulatorSettings
from sandbox.iterable.state import ProjectState, UserProfile

USER_CATEGORY = "user"
# E.164: `+`, a country code not starting with 0, at most 15 digits in all.
E164 = re.compile(r"^\+[1-9]\d{1,14}$")


@dataclass
class PreparedUser:
    """One user update that passed the checks that do not depend on other updates."""

    email: str | None
    user_id: str | None
    data_fields: dict[str, Any]
    prefer_user_id: bool
    merge_nested: bool
    filtered_out: list[str] = field(default_factory=list)


def prepare_user(
    state: ProjectState,
    settings: EmulatorSettings,
    staged: StagedTypes,
    body: dict[str, Any],
    location: str,
    *,
    create_new_fields: bool | None,
) -> tuple[PreparedUser | IdentityProblem, list[Mismatch]]:
    """Identifier rules, GDPR blocks and field types for one user object of a request."""
    email, user_id = body.get("email"), body.get("userId")
    data_fields: dict[str, Any] = dict(body.get("dataFields") or {})
    required = required_identifier_error(state, email, user_id, location)
    if required is not None:
        raise required
    problem = check_identifiers(state, email, user_id)
    if problem is None:
        problem = _data_identifier_problem(state, data_fields)
    if problem is not None:
        return problem, []
    allow_new = settings.allow_new_fields if create_new_fields is None else create_new_fields
    filtered_out: list[str] = []
    if not allow_new:
        known = state.registry.known(USER_CATEGORY)
        filtered_out = sorted(name for name in data_fields if name not in known)
        for name in filtered_out:
            del data_fields[name]
    mismatches = staged.check(USER_CATEGORY, data_fields)
    prepared = PreparedUser(
        email=email,
        user_id=user_id,
        data_fields=data_fields,
        prefer_user_id=bool(body.get("preferUserId", False)),
        merge_nested=bool(body.get("mergeNestedObjects", False)),
        filtered_out=filtered_out,
    )
    return prepared, mismatches


def _data_identifier_problem(
    state: ProjectState, data_fields: dict[str, Any]
) -> IdentityProblem | None:
    """`dataFields.email` / `dataFields.userId` are identifiers too: they must be valid strings."""
    email, user_id = data_fields.get("email"), data_fields.get("userId")
    if email is not None and not isinstance(email, str):
        return IdentityProblem("invalidEmails", json.dumps(email))
    if user_id is not None and not isinstance(user_id, str):
        return IdentityProblem("invalidUserIds", json.dumps(user_id))
    return check_identifiers(state, email, user_id)


def check_field_limit(state: ProjectState, settings: EmulatorSettings, staged: StagedTypes) -> None:
    staged.enforce_limit(USER_CATEGORY, settings.user_field_limit)


def merge_fields(current: dict[str, Any], incoming: dict[str, Any], merge_nested: bool) -> None:
    """Fields omitted are kept; top-level objects are overwritten unless `mergeNestedObjects`."""
    for name, value in incoming.items():
        existing = current.get(name)
        if merge_nested and isinstance(value, dict) and isinstance(existing, dict):
            current[name] = {**existing, **value}
        else:
            current[name] = value


def write_user(
    state: ProjectState, prepared: PreparedUser, *, source: str, create: bool = True
) -> UserProfile | IdentityProblem:
    """Find or create the profile and merge the fields (state is changed only on success).

    `source` (the endpoint) is recorded: Iterable warns that bulk and single-user writes to one
    user close together may be applied out of order.
    """
    resolution = resolve(
        state,
        prepared.email,
        prepared.user_id,
        create=create,
        prefer_user_id=prepared.prefer_user_id,
    )
    if isinstance(resolution, IdentityProblem):
        return resolution
    change = _identity_change(state, resolution.profile, prepared.data_fields)
    if isinstance(change, IdentityProblem):
        return change
    existing = resolution.profile
    before = ((existing.email, existing.user_id), state.label(existing)) if existing else None
    profile = apply_resolution(state, resolution)
    new_email, new_user_id = change
    state.set_email(profile, new_email)
    state.set_user_id(profile, new_user_id)
    if before is not None and before[0] != (profile.email, profile.user_id):
        # The same profile under new identifiers keeps its history: Iterable KB "Updating a
        # User's Email Address or User ID" (217502386) changes a userID-based or hybrid user's
        # email/userId with users/update on the existing profile, not by creating another.
        move_history(state, before[0], before[1], profile)
    data = {k: v for k, v in prepared.data_fields.items() if k not in ("email", "userId")}
    merge_fields(profile.data_fields, data, prepared.merge_nested)
    state.touch(profile, source)
    _flag_non_e164_phone(state, profile, data, source)
    return profile


def _flag_non_e164_phone(
    state: ProjectState, profile: UserProfile, data: dict[str, Any], source: str
) -> None:
    """Iterable sends SMS only to E.164 numbers; whether its API rejects other forms is not
    documented, so the emulator stores them like Iterable might and records each one."""
    if "phoneNumber" not in data:
        return
    value = data["phoneNumber"]
    if value is None or (isinstance(value, str) and E164.match(value)):
        return
    state.non_e164_phone_numbers.append(
        {"user": state.label(profile), "phoneNumber": value, "source": source}
    )


def _identity_change(
    state: ProjectState, profile: UserProfile | None, data_fields: dict[str, Any]
) -> tuple[str | None, str | None] | IdentityProblem:
    """`dataFields.email` / `dataFields.userId` change a profile's identifiers.

    Uniqueness by project type (Iterable KB "Project Types and Unique Identifiers", 9216719179796:
    email unique in email-based and hybrid projects, userId unique in userID-based and hybrid
    ones). A change onto a value another profile holds is refused, never merged: Swagger
    `POST /api/users/update` answers 409 "Contact is GDPR forgotten<br/>Email/userId conflict"
    (api-docs.json line 10853), and users/bulkUpdate lists it in `failedUpdates.conflictEmails` /
    `conflictUserIds`, "Existing email/userId values that prevented identity updates for users in
    the request" (`FailedUserUpdates`, line 2280). Joining two profiles is `users/merge`'s job.
    """
    new_email, new_user_id = data_fields.get("email"), data_fields.get("userId")
    if new_email is not None and state.project_type != "user_id":
        holder = state.find_by_email(new_email)
        if holder is not None and holder is not profile:
            return IdentityProblem("conflictEmails", new_email)
    if new_user_id is not None and state.project_type != "email":
        holders = [p for p in state.find_by_user_id(new_user_id) if p is not profile]
        if holders:
            return IdentityProblem("conflictUserIds", new_user_id)
    return new_email, new_user_id
