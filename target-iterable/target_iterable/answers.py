"""Reading Iterable's answers about individual records: partial failures and rejected fields."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from target_iterable.client import Answer

# failedUpdates lists of bulk answers → (the identifier they list, why: Iterable's own words).
# Source: Iterable's Swagger (`api-docs.json`), definitions FailedUserUpdates (users/bulkUpdate) and
# FailedEventUpdates (events/trackBulk); the lists name identifiers, never positions.
FAILED_UPDATE_LISTS: dict[str, tuple[str, str]] = {
    "invalidEmails": ("email", "Malformed email address"),
    "invalidUserIds": (
        "userId",
        "Malformed userId (empty, too long, or containing non-ASCII or non-printable characters "
        "or a trailing space)",
    ),
    "notFoundEmails": ("email", "email address not found"),
    "notFoundUserIds": ("userId", "userId not found"),
    "invalidDataEmails": (
        "email",
        "not updated because of invalid data in dataFields other than an invalid email or userId",
    ),
    "invalidDataUserIds": (
        "userId",
        "not updated because of invalid data in dataFields other than an invalid email or userId",
    ),
    "conflictEmails": ("email", "existing email address that prevented an identity update"),
    "conflictUserIds": ("userId", "existing userId that prevented an identity update"),
    "forgottenEmails": ("email", "not updated because the user has been GDPR forgotten"),
    "forgottenUserIds": ("userId", "not updated because the user has been GDPR forgotten"),
}

# 400 codes that blame some records of a bulk request: worth splitting the batch to find them.
RECORD_LEVEL_CODES = frozenset(
    {
        "RequestFieldsTypesMismatched",
        "BadJsonBody",
        "InvalidEmailAddressError",
        "InvalidUserIdError",
        "BatchTooLarge",
    }
)


@dataclass(frozen=True)
class Refusal:
    """One record refused inside a 200 answer."""

    index: int  # position in the request
    field: str  # where the record holds the refused identifier: `email`, `dataFields.email`...
    rule: str  # the list that named it, e.g. `failedUpdates.conflictEmails`
    reason: str
    identifier: str | None = None  # the value Iterable listed


def _strings(value: Any) -> set[str]:
    return {v for v in value if isinstance(v, str)} if isinstance(value, list) else set()


def identifiers(record: dict[str, Any], *, in_data_fields: bool) -> Iterator[tuple[str, str, str]]:
    """(kind `email`/`userId`, where, comparable value) of every identifier a record carries.

    Emails compare case-insensitively (the mapper lowercases them; whether Iterable folds case is
    not documented, so a listed email matches whatever case it was sent in).
    """
    places: list[tuple[str, dict[str, Any], str]] = [("", record, "email"), ("", record, "userId")]
    data = record.get("dataFields")
    if in_data_fields and isinstance(data, dict):
        # users/bulkUpdate lists identifiers "found either at the top level of a passed-in user
        # object, or in dataFields" (Swagger FailedUserUpdates.invalidEmails / invalidUserIds).
        places += [("dataFields.", data, "email"), ("dataFields.", data, "userId")]
    for prefix, holder, kind in places:
        value = holder.get(kind)
        if isinstance(value, str):
            yield kind, prefix + kind, value.lower() if kind == "email" else value


def partial_refusals(
    records: list[dict[str, Any]],
    answer: Answer,
    *,
    with_event_names: bool = False,
    in_data_fields: bool = False,
) -> tuple[list[Refusal], int]:
    """Records a 200 bulk answer refused, and how many failures matched no record.

    Iterable names identifiers, not positions: every record carrying a refused identifier is
    refused (`in_data_fields`: also where the record carries it in `dataFields`). Callers keep
    identifiers unambiguous where a refusal can depend on more than the identifier (see
    `UsersSender`).
    """
    failed = answer.body.get("failedUpdates")
    lists: dict[str, Any] = dict(failed) if isinstance(failed, dict) else {}
    if not lists:  # older answers only have the deprecated top-level lists
        lists = {k: answer.body.get(k) for k in ("invalidEmails", "invalidUserIds")}
    carried = [list(identifiers(record, in_data_fields=in_data_fields)) for record in records]
    refusals: dict[int, Refusal] = {}
    for list_name, (kind, why) in FAILED_UPDATE_LISTS.items():
        listed = {
            (value.lower() if kind == "email" else value): value
            for value in _strings(lists.get(list_name))
        }
        if not listed:
            continue
        for index, held in enumerate(carried):
            for held_kind, where, value in held:
                if held_kind == kind and value in listed and index not in refusals:
                    refusals[index] = Refusal(
                        index, where, f"failedUpdates.{list_name}", why, listed[value]
                    )
    if with_event_names:
        names = _strings(answer.body.get("disallowedEventNames"))
        for index, record in enumerate(records):
            if record.get("eventName") in names:
                refusals.setdefault(
                    index,
                    Refusal(
                        index,
                        "eventName",
                        "disallowedEventNames",
                        "the project does not allow new custom event names",
                        record["eventName"],
                    ),
                )
    fail_count = answer.body.get("failCount")
    unmatched = 0
    if isinstance(fail_count, int) and fail_count > len(refusals):
        unmatched = fail_count - len(refusals)
    return sorted(refusals.values(), key=lambda r: r.index), unmatched


_INDEXED_PATH = re.compile(r"^obj\.\w+\[\d+\]\.?")


# Codes that name the field at fault without saying so in `params`.
_FIELD_OF_CODE = {"InvalidEmailAddressError": "email", "InvalidUserIdError": "userId"}


def rejected_field(answer: Answer, *, prefix: str = "") -> str | None:
    """The field a 400 names: a type mismatch's field, or the path of a bad JSON value."""
    if answer.code in _FIELD_OF_CODE:
        return prefix + _FIELD_OF_CODE[answer.code]
    params = answer.body.get("params")
    if not isinstance(params, dict):
        return None
    errors = params.get("validationErrors")
    if isinstance(errors, dict) and errors:
        return ",".join(f"dataFields.{name}" for name in errors)
    paths: Iterable[str] = (k for k in params if isinstance(k, str) and k.startswith("obj"))
    fields = [_INDEXED_PATH.sub("", path) or path for path in paths]
    return ",".join(fields) or None


def mismatch_suspects(records: list[dict[str, Any]], answer: Answer) -> set[int]:
    """Positions of records holding a value a type-mismatch answer names as offending.

    Iterable names the field and the offending value (`params.validationErrors`), not the
    record: matching them finds the offenders without splitting the batch again and again.
    """
    params = answer.body.get("params")
    errors = params.get("validationErrors") if isinstance(params, dict) else None
    if answer.code != "RequestFieldsTypesMismatched" or not isinstance(errors, dict):
        return set()
    suspects: set[int] = set()
    for field, error in errors.items():
        if not isinstance(error, dict) or "offendingValue" not in error:
            continue
        offending = error["offendingValue"]
        for index, record in enumerate(records):
            value = _data_field(record, field)
            if value is not _MISSING and (value == offending or str(value) == str(offending)):
                suspects.add(index)
    return suspects


_MISSING = object()


def _data_field(record: dict[str, Any], path: str) -> Any:
    value: Any = record.get("dataFields", _MISSING)
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value
