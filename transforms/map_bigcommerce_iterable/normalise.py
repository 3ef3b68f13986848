"""Value normalisers: every value that reaches Iterable goes through one of these.

Iterable fixes a field's type on its first write, so each helper returns exactly one JSON type.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from email.utils import parsedate_to_datetime
from typing import Any

# ISO 4217 minor units that are not 2 (the default).
_MINOR_UNITS = {
    **dict.fromkeys(
        (
            *("BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"),
            *("RWF", "UGX", "UYI", "VND", "VUV", "XAF", "XOF", "XPF"),
        ),
        0,
    ),
    **dict.fromkeys(("BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"), 3),
}

ITERABLE_DATE_FORMAT = "%Y-%m-%d %H:%M:%S +00:00"
ITERABLE_DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \+00:00$")
_USER_ID_PATTERN = re.compile(r"^[ -~]{1,52}$")


class NormalisationError(ValueError):
    """A value could not be normalised; the message names the field.

    `field` is the field's dotted name (`orders.total_inc_tax`) when one field is to blame, so a
    dead letter can name it apart from the message.
    """

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def to_decimal(value: Any, field: str) -> Decimal | None:
    """An exact Decimal from a JSON number, a decimal string or a float; None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        msg = f"{field}: expected a number, got a boolean"
        raise NormalisationError(msg, field)
    if isinstance(value, float):
        # repr() is the shortest string that round-trips, so no binary drift is introduced.
        value = repr(value)
    try:
        number = Decimal(value) if not isinstance(value, Decimal) else value
    except (InvalidOperation, TypeError) as exc:
        msg = f"{field}: expected a number, got {value!r}"
        raise NormalisationError(msg, field) from exc
    if not number.is_finite():
        msg = f"{field}: expected a finite number, got {value!r}"
        raise NormalisationError(msg, field)
    return number


def minor_units(currency: str | None) -> int:
    """Decimal places of a currency (2 unless ISO 4217 says otherwise)."""
    return _MINOR_UNITS.get((currency or "").upper(), 2)


def round_money(amount: Decimal, currency: str | None) -> Decimal:
    """Round half-up to the currency's minor unit (the cent for most currencies)."""
    return amount.quantize(Decimal(1).scaleb(-minor_units(currency)), rounding=ROUND_HALF_UP)


def money(value: Any, currency: str | None, field: str) -> float | None:
    """Money as a JSON double exact to the currency's minor unit (`12.0`, never `12`)."""
    amount = to_decimal(value, field)
    if amount is None:
        return None
    try:
        return float(round_money(amount, currency))
    except InvalidOperation as exc:  # more digits than Decimal's context holds (found by fuzzing)
        msg = f"{field}: {value!r} is too large an amount"
        raise NormalisationError(msg, field) from exc


def parse_timestamp(value: Any, field: str) -> datetime | None:
    """An aware UTC datetime from an ISO 8601 string (or unix seconds); None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, int | Decimal) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(int(value), tz=UTC)
        except (OverflowError, ValueError, OSError) as exc:  # out of datetime's range (fuzzing)
            msg = f"{field}: {value!r} is not a unix time in years 1-9999"
            raise NormalisationError(msg, field) from exc
    if not isinstance(value, str):
        msg = f"{field}: expected an ISO 8601 timestamp, got {value!r}"
        raise NormalisationError(msg, field)
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        parsed = _rfc2822(text, field, value)
    if parsed.tzinfo is None:
        # The tap's contract is UTC everywhere; a naive value is read as UTC.
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _rfc2822(text: str, field: str, original: Any) -> datetime:
    """BigCommerce's v2 wire format (`Wed, 10 Jan 2018 21:05:30 +0000`), should a raw one arrive."""
    try:
        return parsedate_to_datetime(text)
    except (TypeError, ValueError) as exc:
        msg = f"{field}: expected an ISO 8601 timestamp, got {original!r}"
        raise NormalisationError(msg, field) from exc


def iterable_date(value: Any, field: str) -> str | None:
    """A date for dataFields in Iterable's format `yyyy-MM-dd HH:mm:ss +00:00`."""
    parsed = parse_timestamp(value, field)
    return parsed.strftime(ITERABLE_DATE_FORMAT) if parsed else None


def unix_seconds(value: Any, field: str) -> int | None:
    """`createdAt`: integer unix seconds."""
    parsed = parse_timestamp(value, field)
    return int(parsed.timestamp()) if parsed else None


def normalise_email(value: Any) -> str | None:
    """The key form of an email: trimmed and lowercased; None if empty or not an address."""
    if not isinstance(value, str):
        return None
    email = value.strip().lower()
    if "@" not in email or len(email) < 3 or any(ch.isspace() for ch in email):
        return None
    if not email.isprintable():  # control characters (NUL, ESC...): no deliverable address
        return None
    return email


def text(value: Any) -> str | None:
    """A trimmed string; None for empty or missing values."""
    if value is None:
        return None
    result = str(value).strip()
    return result or None


def integer(value: Any, field: str) -> int | None:
    """An int from an int, an integral Decimal or a digit string; None if empty."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        msg = f"{field}: expected an integer, got a boolean"
        raise NormalisationError(msg, field)
    number = to_decimal(value, field)
    if number is None or number != number.to_integral_value():
        msg = f"{field}: expected an integer, got {value!r}"
        raise NormalisationError(msg, field)
    return int(number)


def boolean(value: Any, field: str) -> bool | None:
    """A JSON boolean from a boolean or the strings/ints BigCommerce sometimes uses."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | Decimal) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in {"true", "false", "1", "0"}:
        return value.strip().lower() in {"true", "1"}
    msg = f"{field}: expected a boolean, got {value!r}"
    raise NormalisationError(msg, field)


_FIELD_NAME_UNSAFE = re.compile(r"[^0-9A-Za-z_]+")


def field_name(name: str) -> str:
    """A dataFields key: no periods (Iterable forbids them); other punctuation becomes `_`."""
    cleaned = _FIELD_NAME_UNSAFE.sub("_", name.strip()).strip("_")
    return cleaned or "field"


def is_valid_user_id(value: str) -> bool:
    """Iterable userId: 1-52 printable ASCII characters, no trailing space."""
    return bool(_USER_ID_PATTERN.match(value)) and not value.endswith(" ")


def catalog_safe(value: str) -> str:
    """Catalog item ids allow letters, digits and dashes only."""
    return re.sub(r"[^A-Za-z0-9-]+", "-", value).strip("-")
