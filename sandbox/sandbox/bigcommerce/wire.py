"""BigCommerce's wire formats: v2 RFC 2822 dates and decimal strings, v3 ISO dates and numbers."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from decimal import Decimal
from email.utils import format_datetime, parsedate_to_datetime

MONEY_PLACES = Decimal("0.0001")
RATE_PLACES = Decimal("0.0000000001")


class BadFilter(ValueError):
    """A query parameter that cannot be read; `field` names it."""

    def __init__(self, field: str, value: str) -> None:
        super().__init__(f"The filter '{field}' has an invalid value: {value!r}")
        self.field = field
        self.value = value


def v2_date(moment: datetime | None) -> str:
    """`Wed, 10 Jan 2018 21:05:30 +0000`; empty string when absent (as `date_shipped`)."""
    if moment is None:
        return ""
    return format_datetime(moment.astimezone(UTC))


def v2_money(amount: Decimal) -> str:
    """`"336.3200"`: four decimal places."""
    return str(amount.quantize(MONEY_PLACES))


def v2_rate(rate: Decimal) -> str:
    """`"1.0000000000"`: ten decimal places."""
    return str(rate.quantize(RATE_PLACES))


def v3_date(moment: datetime) -> str:
    """`2018-08-15T14:49:05+00:00` (catalog, channels, refunds)."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def v3_date_z(moment: datetime) -> str:
    """`2018-11-13T21:42:06Z` (customers, subscribers, attributes)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def v3_date_ms(moment: datetime) -> str:
    """`2018-09-17T14:27:39.000Z` (carts)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def v3_money(amount: Decimal) -> Decimal:
    """v3 money is a JSON number; rendered exactly by the JSON encoder (no float drift)."""
    return amount


_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_filter_date(field: str, raw: str, *, now: datetime | None = None) -> datetime:
    """Read a date filter: ISO 8601 (naive = UTC), RFC 2822, a date, or Unix seconds.

    A date without a time means midnight UTC, except where BigCommerce documents otherwise
    (products add the current time of the request: pass `now`).
    """
    value = raw.strip()
    if not value:
        raise BadFilter(field, raw)
    if value.isdigit():
        return datetime.fromtimestamp(int(value), tz=UTC)
    if _DATE_ONLY.match(value):
        try:
            day = date.fromisoformat(value)
        except ValueError as error:
            raise BadFilter(field, raw) from error
        clock = now.astimezone(UTC).time().replace(microsecond=0) if now else time(0)
        return datetime.combine(day, clock, tzinfo=UTC)
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)
        except (TypeError, ValueError) as error:
            raise BadFilter(field, raw) from error
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_int(field: str, raw: str | None, default: int) -> int:
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as error:
        raise BadFilter(field, raw) from error


def parse_int_list(field: str, raw: str) -> set[int]:
    try:
        return {int(part) for part in raw.split(",") if part.strip()}
    except ValueError as error:
        raise BadFilter(field, raw) from error


def parse_bool(field: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in {"true", "1"}:
        return True
    if lowered in {"false", "0"}:
        return False
    raise BadFilter(field, raw)
