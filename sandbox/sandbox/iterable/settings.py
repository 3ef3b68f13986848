"""Project settings and the emulator's choices where Iterable's behaviour is UNCONFIRMED.

Every default is documented in `sandbox/ITERABLE.md`; tests change them with
`emulator.configure(...)` or `POST /_sandbox/settings`.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass
class EmulatorSettings:
    # Project setting "allow new fields"; a request's `createNewFields` overrides it.
    allow_new_fields: bool = True
    # Project setting "allow new custom events": when off, names never seen are not tracked.
    allow_new_event_names: bool = True
    # Soft limits on unique fields (Iterable: 1,000 user fields, 8,000 per custom event).
    user_field_limit: int = 1000
    event_field_limit: int = 8000
    # Bulk limits: users/events per request, body bytes (4 MB read as 4,000,000), catalog documents.
    max_bulk_users: int = 1000
    max_bulk_events: int = 1000
    max_bulk_body_bytes: int = 4_000_000
    max_catalog_documents: int = 1000
    max_catalog_document_bytes: int = 30 * 1024
    # UNCONFIRMED: does a type mismatch in a single events/track reject it? True = 400 like bulk.
    reject_single_event_type_mismatch: bool = True
    # UNCONFIRMED: FailedEventUpdates has notFoundEmails/notFoundUserIds, so events for users
    # that do not exist fail; False lets events create them instead.
    events_require_existing_user: bool = True
    # UNCONFIRMED: what does users/bulkUpdate do with a user whose dataFields contradict a field's
    # type? Swagger's FailedUserUpdates lists `invalidDataEmails` / `invalidDataUserIds`: users "not
    # updated because of invalid data in dataFields other than an invalid email or userId"; a
    # third-party client (block/iterable-go) says one bad message fails the whole batch (400).
    # False = the whole request fails (400 RequestFieldsTypesMismatched); True = only that user
    # fails, listed by its identifier in invalidData*, and the others are written.
    bulk_invalid_data_per_user: bool = False
    # createdAt must be unix seconds; a value >= 1e11 (year 5138) is a millisecond timestamp.
    reject_millisecond_created_at: bool = True
    # Iterable processes writes asynchronously: REST reads (GET users, export) see a user, event or
    # purchase only this many seconds after it was first written. Inspection reads see all at once.
    read_delay_seconds: float = 0.0

    def update(self, changes: dict[str, Any]) -> None:
        """Apply all changes or none; each must name a setting and have its type."""
        known = {f.name for f in fields(self)}
        checked: dict[str, Any] = {}
        for name, value in changes.items():
            if name not in known:
                msg = f"Unknown emulator setting {name!r}; expected one of {', '.join(known)}"
                raise ValueError(msg)
            expected = type(getattr(self, name))
            # JSON has one number type: 1 is a fine value for a float setting.
            coerced = float(value) if expected is float and type(value) is int else value
            if type(coerced) is not expected:
                msg = f"Setting {name!r} must be of type {expected.__name__}, got {value!r}"
                raise ValueError(msg)
            checked[name] = coerced
        for name, value in checked.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)
