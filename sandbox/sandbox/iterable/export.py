"""GET /api/export/data.json: newline-delimited JSON of users, custom events or purchases.

Used for reconciliation. Only the three data types this connector writes have data here; every
other `dataTypeName` in Iterable's enum is accepted and exports nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

from sandbox.iterable.errors import bad_params
from sandbox.iterable.state import ProjectState, iterable_timestamp
from sandbox.iterable.validation import swagger

RANGES = ("Today", "Yesterday", "BeforeToday", "All")


def data_type_names() -> list[str]:
    for parameter in swagger()["paths"]["/api/export/data.json"]["get"]["parameters"]:
        if parameter["name"] == "dataTypeName":
            return list(parameter["enum"])
    return []


def _parse_moment(value: str, name: str) -> datetime:
    """`yyyy-MM-dd HH:mm:ss [ZZ]` (Swagger), also accepting a date alone or ISO 8601."""
    for layout in ("%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d"):
        try:
            moment = datetime.strptime(value, layout)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise bad_params(
            f"Invalid {name} {value!r}: expected yyyy-MM-dd HH:mm:ss ZZ", {name: value}
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def window(query: dict[str, str]) -> tuple[datetime, datetime]:
    """[start, end) from `range` or `startDateTime`/`endDateTime` (one of them is required)."""
    start, end = query.get("startDateTime"), query.get("endDateTime")
    if start or end:
        low = _parse_moment(start, "startDateTime") if start else datetime.min.replace(tzinfo=UTC)
        high = _parse_moment(end, "endDateTime") if end else datetime.max.replace(tzinfo=UTC)
        return low, high
    chosen = query.get("range")
    if chosen is None:
        raise bad_params("Use of either 'range' or 'startDateTime' and 'endDateTime' is required")
    if chosen not in RANGES:
        raise bad_params(f"Invalid range {chosen!r}; expected one of {', '.join(RANGES)}")
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    return {
        "Today": (today, today + timedelta(days=1)),
        "Yesterday": (today - timedelta(days=1), today),
        "BeforeToday": (datetime.min.replace(tzinfo=UTC), today),
        "All": (datetime.min.replace(tzinfo=UTC), datetime.max.replace(tzinfo=UTC)),
    }[chosen]


# Outside these, datetime cannot represent the moment (createdAt is any int64 when the
# millisecond check is switched off).
_EARLIEST = datetime(1, 1, 2, tzinfo=UTC).timestamp()
_LATEST = datetime(9999, 12, 30, tzinfo=UTC).timestamp()


def _clamped_epoch(epoch: float) -> float:
    return min(max(epoch, _EARLIEST), _LATEST)


def _rows(
    state: ProjectState, data_type: str, delay: float
) -> Iterator[tuple[float, dict[str, Any]]]:
    if data_type == "user":
        for profile in state.users.values():
            if not state.visible(profile.created_monotonic, delay):
                continue
            row = {
                **profile.data_fields,
                "email": profile.email,
                "userId": profile.user_id,
                "signupDate": profile.signup_date,
                "profileUpdatedAt": profile.profile_updated_at,
            }
            yield profile.updated_epoch, row
    elif data_type in ("customEvent", "purchase"):
        kind = "events" if data_type == "customEvent" else "purchases"
        records = state.events if kind == "events" else state.purchases
        for record_id, record in records.items():
            if not state.visible(state.first_written.get((kind, record_id)), delay):
                continue
            created = _clamped_epoch(float(record["createdAt"]))
            row = dict(record)
            row["createdAt"] = iterable_timestamp(datetime.fromtimestamp(created, UTC))
            yield created, row


def export_lines(
    state: ProjectState, query: dict[str, str], only: list[str], delay: float = 0.0
) -> str:
    data_type = query.get("dataTypeName")
    if data_type not in data_type_names():
        raise bad_params(f"Invalid dataTypeName {data_type!r}", {"dataTypeName": data_type})
    low, high = window(query)
    omit = {name for name in query.get("omitFields", "").split(",") if name}
    lines = []
    for epoch, row in _rows(state, data_type, delay):
        moment = datetime.fromtimestamp(epoch, UTC)
        if not low <= moment < high:
            continue
        kept = {
            key: value
            for key, value in row.items()
            if value is not None and key not in omit and (not only or key in only)
        }
        lines.append(json.dumps(kept, separators=(",", ":"), ensure_ascii=False))
    return "".join(f"{line}\n" for line in lines)
