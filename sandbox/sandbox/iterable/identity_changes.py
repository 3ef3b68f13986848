"""users/updateEmail and users/merge: moving a profile, with its data and history, to an identifier.

Sources:
- Swagger `POST /api/users/updateEmail`: "Use this endpoint with email-based projects. To update an
  email in a userID-based or hybrid project, use POST /api/users/update"; `currentEmail` or
  `currentUserId` ("If you include both, currentEmail takes precedence"); "Returns an error if the
  new email already exists in Iterable, or if the new email has been forgotten via a GDPR request";
  "All profile data and events will be migrated"; responses 400, 409 "Contact is GDPR forgotten /
  Email/userId conflict". Recorded 400 for an unknown user (Grouparoo, notes §3):
  `Cannot change user Some(a@x.com) to b@x.com. User does not exist`, code BadParams.
- Swagger `POST /api/users/merge` and Iterable KB "Merging User Profiles" (article 33744314673172):
  source must exist ("Returns an error if source user does not exist"); when the destination does
  not exist "Iterable simply changes the identifier on the source user profile"; otherwise the
  destination receives the source's events and the fields it lacks, "the destination profile
  field wins" on a conflict, objects are not combined, arrays only as `arrayMerge` says; the
  source profile is deleted. 409 "Source or destination user forgotten".
"""

from __future__ import annotations

from typing import Any

from sandbox.iterable.errors import IterableError, bad_params
from sandbox.iterable.identity import valid_email
from sandbox.iterable.state import ProjectState, UserProfile


def update_email(state: ProjectState, body: dict[str, Any]) -> None:
    """POST /api/users/updateEmail."""
    if state.project_type != "email":
        # UNCONFIRMED what Iterable answers here; Swagger directs these projects to users/update.
        raise bad_params(
            "users/updateEmail is for email-based projects; in userID-based and hybrid projects "
            "change the email with users/update (dataFields.email)"
        )
    new_email = body["newEmail"]
    current_email, current_user_id = body.get("currentEmail"), body.get("currentUserId")
    if current_email is None and current_user_id is None:
        raise bad_params("Either currentEmail or currentUserId must be provided")
    if not valid_email(new_email):
        raise IterableError(400, "InvalidEmailAddressError", f"Invalid email: {new_email}")
    if new_email in state.forgotten_emails:
        raise IterableError(409, "ForgottenUserError", "Contact is GDPR forgotten")
    profile = _current(state, current_email, current_user_id)
    if profile is None:
        who = current_email if current_email is not None else current_user_id
        raise bad_params(f"Cannot change user Some({who}) to {new_email}. User does not exist")
    holder = state.find_by_email(new_email)
    if holder is not None and holder is not profile:
        raise IterableError(409, "EmailAlreadyExists", f"Email/userId conflict: {new_email}")
    old, old_label = (profile.email, profile.user_id), state.label(profile)
    state.set_email(profile, new_email)
    move_history(state, old, old_label, profile)
    state.touch(profile, "users/updateEmail")


def merge(state: ProjectState, body: dict[str, Any]) -> None:
    """POST /api/users/merge."""
    source_ids = _pair(body, "sourceEmail", "sourceUserId", "source")
    destination_ids = _pair(body, "destinationEmail", "destinationUserId", "destination")
    for email, user_id in (source_ids, destination_ids):
        if email in state.forgotten_emails or user_id in state.forgotten_user_ids:
            raise IterableError(409, "ForgottenUserError", "Source or destination user forgotten")
    source = _current(state, *source_ids)
    if source is None:
        raise bad_params(f"Source user does not exist: {source_ids[0] or source_ids[1]}")
    destination = _current(state, *destination_ids)
    old, old_label = (source.email, source.user_id), state.label(source)
    if destination is None:
        # "Iterable simply changes the identifier on the source user profile."
        new_email, new_user_id = destination_ids
        if new_email is not None and not valid_email(new_email):
            raise IterableError(400, "InvalidEmailAddressError", f"Invalid email: {new_email}")
        state.set_email(source, new_email)
        state.set_user_id(source, new_user_id)
        move_history(state, old, old_label, source)
        state.touch(source, "users/merge")
        return
    if destination is source:
        return
    _merge_fields(source, destination, body.get("arrayMerge") or [])
    state.delete_user(source)  # its cart goes with it; the destination keeps its own
    move_history(state, old, None, destination)
    state.touch(destination, "users/merge")


def _pair(
    body: dict[str, Any], email_key: str, user_id_key: str, role: str
) -> tuple[str | None, str | None]:
    email, user_id = body.get(email_key), body.get(user_id_key)
    if (email is None) == (user_id is None):
        raise bad_params(f"Provide {email_key} or {user_id_key} (but not both) for the {role}")
    return email, user_id


def _current(state: ProjectState, email: str | None, user_id: str | None) -> UserProfile | None:
    if email is not None:  # email takes precedence (Swagger UpdateEmailRequest)
        return state.find_by_email(email)
    assert user_id is not None
    holders = state.find_by_user_id(user_id)
    return holders[0] if holders else None


def _merge_fields(
    source: UserProfile, destination: UserProfile, array_merge: list[dict[str, Any]]
) -> None:
    """Fields the destination lacks are copied; on a conflict the destination wins (KB)."""
    merged_arrays = {entry.get("field"): entry.get("dedupeBy") for entry in array_merge}
    for name, value in source.data_fields.items():
        current = destination.data_fields.get(name)
        if name not in destination.data_fields:
            destination.data_fields[name] = value
        elif name in merged_arrays and isinstance(current, list) and isinstance(value, list):
            destination.data_fields[name] = _merge_array(current, value, merged_arrays[name])


def _merge_array(kept: list[Any], added: list[Any], dedupe_by: str | None) -> list[Any]:
    def key(item: Any) -> Any:
        return item.get(dedupe_by) if dedupe_by and isinstance(item, dict) else repr(item)

    seen = {key(item) for item in kept}
    return [*kept, *(item for item in added if key(item) not in seen)]


def move_history(
    state: ProjectState,
    old: tuple[str | None, str | None],
    old_label: str | None,
    profile: UserProfile,
) -> None:
    """Events and purchases of the old identifiers now belong to `profile` ("migrated"), and so
    does the cart of a renamed profile (`old_label`)."""
    for stored in (*state.events.values(), *state.purchases.values()):
        if (stored.get("email"), stored.get("userId")) == old:
            stored["email"], stored["userId"] = profile.email, profile.user_id
    if old_label is not None and old_label in state.carts:
        state.carts[state.label(profile)] = state.carts.pop(old_label)
