"""Value conventions: UTC ISO timestamps from every format, exact numbers, empty strings to null."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tap_bigcommerce.streams.fields import FORM_FIELD
from tap_bigcommerce.values import ValueFormatError, normalize, to_decimal, to_utc_iso

FIELD = FORM_FIELD.to_dict()

SCHEMA = {
    "type": "object",
    "properties": {
        "when": {"type": ["string", "null"], "format": "date-time"},
        "total": {"type": ["number", "null"]},
        "count": {"type": ["integer", "null"]},
        "name": {"type": ["string", "null"]},
        "items": {
            "type": ["array", "null"],
            "items": {"type": "object", "properties": {"price": {"type": ["number", "null"]}}},
        },
    },
}


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Wed, 10 Jan 2018 21:05:30 +0000", "2018-01-10T21:05:30+00:00"),  # v2 RFC 2822
        ("Sun, 10 Mar 2024 01:59:59 -0500", "2024-03-10T06:59:59+00:00"),  # just before DST
        ("Sun, 10 Mar 2024 03:00:00 -0400", "2024-03-10T07:00:00+00:00"),  # just after DST
        ("Sun, 03 Nov 2024 01:30:00 -0400", "2024-11-03T05:30:00+00:00"),  # first 01:30
        ("Sun, 03 Nov 2024 01:30:00 -0500", "2024-11-03T06:30:00+00:00"),  # repeated 01:30
        ("2018-11-13T21:42:06Z", "2018-11-13T21:42:06+00:00"),  # v3
        ("2018-08-15T14:49:05+02:00", "2018-08-15T12:49:05+00:00"),
        ("2018-09-17T14:27:39.000Z", "2018-09-17T14:27:39+00:00"),  # carts
        ("2023-07-17 06:30:41", "2023-07-17T06:30:41+00:00"),  # v2 customer groups (UTC)
        (1561479335, "2019-06-25T16:15:35+00:00"),  # webhook created_at
        ("", None),
        (None, None),
    ],
)
def test_timestamps_leave_as_utc_iso(raw: object, expected: str | None) -> None:
    assert to_utc_iso(raw) == expected


@given(st.datetimes(timezones=st.timezones(), min_value=datetime(1971, 1, 2)))
def test_rfc2822_round_trips_to_the_same_instant(moment: datetime) -> None:
    whole = moment.replace(microsecond=0)
    parsed = to_utc_iso(format_datetime(whole))
    assert parsed is not None
    # Compared in UTC: PEP 495 makes ambiguous local times (DST folds) unequal across zones.
    assert datetime.fromisoformat(parsed) == whole.astimezone(UTC)


def test_money_is_exact() -> None:
    record = normalize(
        {"total": "336.3200", "count": "3", "items": [{"price": "0.1"}, {"price": 0.2}]}, SCHEMA
    )
    assert record["total"] == Decimal("336.3200")
    assert record["count"] == 3
    prices = [item["price"] for item in record["items"]]
    assert sum(prices) == Decimal("0.3")  # no binary-float drift
    assert to_decimal("1.0000000000") == Decimal("1.0000000000")


def test_empty_strings_become_null_and_unicode_is_kept() -> None:
    record = normalize({"when": "", "name": "", "total": ""}, SCHEMA)
    assert record == {"when": None, "name": None, "total": None}
    assert normalize({"name": "Café 株式会社 🚲"}, SCHEMA)["name"] == "Café 株式会社 🚲"


def test_bad_values_name_the_field() -> None:
    with pytest.raises(ValueFormatError, match=r"items\[1\]\.price"):
        normalize({"items": [{"price": "1"}, {"price": "twelve"}]}, SCHEMA)
    with pytest.raises(ValueFormatError, match="field when"):
        normalize({"when": "yesterday-ish"}, SCHEMA)


def test_form_field_values_of_every_spec_type_pass_unchanged() -> None:
    """Regression (issue 15): a checkbox form field's value is an array (customers.v3.yml and
    orders.v2.oas2.yml form field `value`: oneOf string | number | array); the tap used to try
    it as a number and stop the sync with "not a number: []"."""
    schema = {"type": "object", "properties": {"form_fields": {"type": "array", "items": FIELD}}}
    fields = [
        {"name": "Interests", "value": ["Hiking", "手工"]},
        {"name": "Extras", "value": []},
        {"name": "Floor", "value": 3},
        {"name": "Tip", "value": Decimal("12.5")},
        {"name": "Notes", "value": "Leave at the door"},
    ]
    assert normalize({"form_fields": fields}, schema) == {"form_fields": fields}
