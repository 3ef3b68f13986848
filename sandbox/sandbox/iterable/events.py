"""events/track and events/trackBulk: custom events, upserted by `id`."""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from sandbox.iterable.errors import IterableError, too_many
from sandbox.iterable.field_types import Mismatch, StagedTypes, mismatch_error
from sandbox.iterable.identity import (
    IdentityProblem,
    check_identifiers,
    required_identifier_error,
    resolve,
)
from sandbox.iterable.journeys import custom_event
from sandbox.iterable.settings import EmulatorSettings
from sandbox.iterable.state import ProjectState

MAX_ID_BYTES = 512
MILLISECONDS_THRESHOLD = 100_000_000_000  # 1e11 seconds is the year 5138: surely milliseconds


def event_category(event_name: str) -> str:
    """Event fields are typed per event name (Swagger: "for events of the same name")."""
    return f"customEvent:{event_name}"


def check_created_at(settings: EmulatorSettings, value: Any, location: str) -> None:
    if (
        settings.reject_millisecond_created_at
        and isinstance(value, int)
        and abs(value) >= MILLISECONDS_THRESHOLD
    ):
        raise IterableError(
            400,
            "BadParams",
            f"{location}.createdAt must be a unix timestamp in seconds; {value} looks like "
            "milliseconds",
            {f"{location}.createdAt": "Unix timestamp in seconds expected"},
        )


def check_record_id(value: Any, location: str) -> None:
    if isinstance(value, str) and len(value.encode()) > MAX_ID_BYTES:
        raise IterableError(
            400,
            "BadParams",
            f"{location}.id is longer than {MAX_ID_BYTES} bytes",
            {f"{location}.id": f"at most {MAX_ID_BYTES} bytes"},
        )


@dataclass(frozen=True)
class DisallowedName:
    """An event name the project does not accept (its "allow new custom events" toggle is off)."""

    name: str


@dataclass
class PreparedEvent:
    body: dict[str, Any]
    data_fields: dict[str, Any]


def _prepare(
    state: ProjectState,
    settings: EmulatorSettings,
    staged: StagedTypes,
    body: dict[str, Any],
    location: str,
) -> tuple[PreparedEvent | IdentityProblem | DisallowedName, list[Mismatch]]:
    email, user_id = body.get("email"), body.get("userId")
    required = required_identifier_error(state, email, user_id, location)
    if required is not None:
        raise required
    check_created_at(settings, body.get("createdAt"), location)
    check_record_id(body.get("id"), location)
    problem = check_identifiers(state, email, user_id)
    if problem is not None:
        return problem, []
    name = body["eventName"]
    if not settings.allow_new_event_names and name not in state.event_names:
        return DisallowedName(name), []
    data_fields = dict(body.get("dataFields") or {})
    mismatches = staged.check(event_category(body["eventName"]), data_fields)
    return PreparedEvent(body, data_fields), mismatches


def _store(
    state: ProjectState, settings: EmulatorSettings, event: PreparedEvent
) -> str | IdentityProblem:
    body = event.body
    resolution = resolve(
        state,
        body.get("email"),
        body.get("userId"),
        create=not settings.events_require_existing_user,
    )
    if isinstance(resolution, IdentityProblem):
        return resolution
    profile = resolution.profile or state.create_user(resolution.email, resolution.user_id)
    event_id = body.get("id") or state.new_id("event")
    record: dict[str, Any] = {
        "id": event_id,
        "eventName": body["eventName"],
        "email": profile.email,
        "userId": profile.user_id,
        "createdAt": body.get("createdAt", int(time.time())),
        "dataFields": event.data_fields,
    }
    for optional in ("campaignId", "templateId"):
        if optional in body:
            record[optional] = body[optional]
    # Same id = the same event, updated (Swagger: "If an event exists with that id...").
    state.events[event_id] = record
    state.mark_written("events", event_id)
    state.event_names.add(record["eventName"])
    state.writes["events"][event_id] += 1
    # "added to or updated on their user profile": a re-sent id enters journeys again.
    state.journeys.enter(custom_event(record["eventName"]), event_id)
    return event_id


def _enforce_field_limits(settings: EmulatorSettings, staged: StagedTypes) -> None:
    for category in list(staged.new):
        staged.enforce_limit(category, settings.event_field_limit)


@dataclass(frozen=True)
class Tracked:
    event_id: str | None  # None: not stored
    message: str


def track(state: ProjectState, settings: EmulatorSettings, body: dict[str, Any]) -> Tracked:
    """POST /api/events/track."""
    staged = state.registry.stage()
    prepared, mismatches = _prepare(state, settings, staged, body, "obj")
    if isinstance(prepared, IdentityProblem):
        raise prepared.as_error()
    if isinstance(prepared, DisallowedName):
        # A 200 that stores nothing: clients must read the message (block/iterable-go does).
        return Tracked(None, f"Event name {prepared.name} is disallowed from tracking")
    _enforce_field_limits(settings, staged)
    if mismatches:
        if settings.reject_single_event_type_mismatch:
            raise mismatch_error(state.registry, mismatches)
        for mismatch in mismatches:  # the lenient reading: drop only the offending fields
            prepared.data_fields.pop(mismatch.field.split(".")[0], None)
    stored = _store(state, settings, prepared)
    if isinstance(stored, IdentityProblem):
        raise stored.as_error()
    staged.commit()
    return Tracked(stored, f"Event with id: {stored} tracked.")


FAILED_EVENT_KEYS = (
    "invalidEmails",
    "invalidUserIds",
    "notFoundEmails",
    "notFoundUserIds",
    "forgottenEmails",
    "forgottenUserIds",
    # Not in Swagger's FailedEventUpdates, which has no place for a hybrid project's
    # email/userId conflict; named as in FailedUserUpdates.
    "conflictEmails",
    "conflictUserIds",
)


def track_bulk(
    state: ProjectState, settings: EmulatorSettings, body: dict[str, Any]
) -> dict[str, Any]:
    """POST /api/events/trackBulk: one type mismatch fails all; other failures are per event."""
    events: list[dict[str, Any]] = body["events"]
    if len(events) > settings.max_bulk_events:
        raise too_many("events", len(events), settings.max_bulk_events)
    staged = state.registry.stage()
    failed: dict[str, list[str]] = {key: [] for key in FAILED_EVENT_KEYS}
    prepared_events: list[PreparedEvent] = []
    mismatches: list[Mismatch] = []
    disallowed: list[str] = []
    for index, event in enumerate(events):
        prepared, found = _prepare(state, settings, staged, event, f"obj.events[{index}]")
        mismatches.extend(found)
        if isinstance(prepared, IdentityProblem):
            failed[prepared.kind].append(prepared.identifier)
        elif isinstance(prepared, DisallowedName):
            disallowed.append(prepared.name)
        else:
            prepared_events.append(prepared)
    if mismatches:
        raise mismatch_error(state.registry, mismatches)
    _enforce_field_limits(settings, staged)
    created_fields = sorted(
        {name for category in staged.new for name in staged.new_top_level(category)}
    )
    success = 0
    for prepared in prepared_events:
        stored = _store(state, settings, prepared)
        if isinstance(stored, IdentityProblem):
            failed[stored.kind].append(stored.identifier)
        else:
            success += 1
    staged.commit()
    return {
        "successCount": success,
        "failCount": len(events) - success,
        "createdFields": created_fields,
        "filteredOutFields": [],
        "disallowedEventNames": sorted(set(disallowed)),
        "invalidEmails": list(failed["invalidEmails"]),
        "invalidUserIds": list(failed["invalidUserIds"]),
        "failedUpdates": failed,
    }
