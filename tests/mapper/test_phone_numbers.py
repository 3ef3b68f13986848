"""SMS numbers: free text in, E.164 or a counted reason out; written only when BigCommerce's
number changed (the `phoneNumber` ownership rule)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from map_bigcommerce_iterable import phone
from map_bigcommerce_iterable.phone import region_of, to_e164

from . import records as r
from .helpers import records, run_in_process, validate_output

E164 = re.compile(r"^\+[1-9]\d{1,14}$")

# (free text, region candidates in order, expected E.164 or the reason it is not written)
CASES = [
    # national forms with their leading trunk zero, read in the address country
    ("0171 1234567", ("DE",), "+491711234567"),
    ("020 7946 0000", ("GB",), "+442079460000"),
    ("06 12 34 56 78", ("FR",), "+33612345678"),
    ("612 34 56 78", ("ES",), "+34612345678"),
    ("070-123 45 67", ("SE",), "+46701234567"),
    ("03-1234-5678", ("JP",), "+81312345678"),
    ("0412 345 678", ("AU",), "+61412345678"),
    ("06-12345678", ("NL",), "+31612345678"),
    ("312 345 6789", ("IT",), "+393123456789"),
    ("(11) 91234-5678", ("BR",), "+5511912345678"),
    ("098765 43210", ("IN",), "+919876543210"),
    ("55 1234 5678", ("MX",), "+525512345678"),
    ("0664 1234567", ("AT",), "+436641234567"),
    ("079 123 45 67", ("CH",), "+41791234567"),
    ("010-1234-5678", ("KR",), "+821012345678"),
    ("(512) 555-0123", ("US",), "+15125550123"),
    ("416-555-0199", ("CA",), "+14165550199"),
    # already E.164, or international with spaces: the region does not matter
    ("+15125550123", ("DE",), "+15125550123"),
    ("+44 20 7946 0000", (None,), "+442079460000"),
    ("0044 20 7946 0000", ("DE",), "+442079460000"),
    # extensions are stripped (E.164 has none; `phone` keeps the text)
    ("(512) 555-0123 ext. 42", ("US",), "+15125550123"),
    ("512-555-0123 x7", ("US",), "+15125550123"),
    ("+49 30 1234567 ext. 89", ("DE",), "+49301234567"),
    # region fallbacks: address unknown, then billing, then store
    ("0171 1234567", (None, "", "DE"), "+491711234567"),
    ("0171 1234567", ("XX", "DE", "US"), "+491711234567"),
    # never written
    ("0171 1234567", (None, None), phone.NO_REGION),
    ("abc", ("US",), phone.NOT_A_NUMBER),
    ("12", ("FR",), phone.INVALID),
    ("+999 1234 5678", ("US",), phone.INVALID_COUNTRY_CODE),
    ("5128675309123456789", ("US",), phone.TOO_LONG),
    ("(512) 555-0123 / (512) 555-0199", ("US",), phone.AMBIGUOUS),
    ("0171 1234567 oder 030 1234567", ("DE",), phone.AMBIGUOUS),
    ("001-512-867-5309", ("US",), phone.INVALID),
]


@pytest.mark.parametrize(("raw", "countries", "expected"), CASES)
def test_free_text_numbers_to_e164_or_a_reason(
    raw: str, countries: tuple[str | None, ...], expected: str
) -> None:
    result = to_e164(raw, region_of(*countries))
    if expected.startswith("+"):
        assert result == phone.PhoneResult(e164=expected)
    else:
        assert result == phone.PhoneResult(problem=expected)


def test_at_least_fifteen_countries_are_covered() -> None:
    regions = {
        phonenumbers.region_code_for_number(phonenumbers.parse(expected))
        for _, _, expected in CASES
        if expected.startswith("+")
    }
    assert len(regions) >= 15, regions


def test_empty_is_no_number_and_no_problem() -> None:
    assert to_e164("", "US") == to_e164(None, "US") == to_e164("   ", None) == phone.PhoneResult()


REGIONS = sorted(r for r in phonenumbers.SUPPORTED_REGIONS if phonenumbers.example_number(r))
FORMATS = [
    phonenumbers.PhoneNumberFormat.E164,
    phonenumbers.PhoneNumberFormat.INTERNATIONAL,
    phonenumbers.PhoneNumberFormat.NATIONAL,
]


@given(
    region=st.sampled_from(REGIONS),
    number_format=st.sampled_from(FORMATS),
    extension=st.one_of(st.none(), st.integers(min_value=1, max_value=99999)),
)
def test_every_region_example_number_in_any_format_gives_its_e164(
    region: str, number_format: int, extension: int | None
) -> None:
    example = phonenumbers.example_number(region)
    text = phonenumbers.format_number(example, number_format)
    if extension is not None:
        text += f" ext. {extension}"
    result = to_e164(text, region)
    assert result.e164 == phonenumbers.format_number(example, phonenumbers.PhoneNumberFormat.E164)


@given(text=st.text(max_size=40), region=st.sampled_from([None, "US", "DE", "JP", "BR"]))
def test_any_text_gives_e164_or_a_reason_never_both(text: str, region: str | None) -> None:
    result = to_e164(text, region)
    assert not (result.e164 and result.problem)
    if result.e164 is not None:
        assert E164.match(result.e164)
        assert phonenumbers.is_valid_number(phonenumbers.parse(result.e164))


# -- through the mapper -------------------------------------------------------------------------


def _run(tmp_path: Path, items: list[Any], **config: Any) -> list[str]:
    lines = run_in_process(
        r.messages(("store_settings", r.store_settings(country_code="US")), *items),
        {"database_url": f"sqlite:///{tmp_path / 'store.sqlite'}", **config},
    )
    validate_output(lines)
    return lines


def _phone_numbers(lines: list[str]) -> dict[str, str | None]:
    return {
        user["email"]: user.get("dataFields", {}).get("phoneNumber")
        for user in records(lines, "users")
    }


def _customer(phone: str, modified: str, country_code: str = "DE") -> dict:
    return r.customer(
        1, "dora@example.com", phone=phone, country_code=country_code, date_modified=modified
    )


def test_phone_number_is_written_only_when_bigcommerce_changed_it(tmp_path: Path) -> None:
    first = _customer("0171 1234567", "2024-01-05T09:00:00+00:00")
    assert _phone_numbers(_run(tmp_path, [("customers", first)])) == {
        "dora@example.com": "+491711234567"
    }
    # The same record again (a resumed run, a backfill): written again, since the first write may
    # never have reached Iterable; the target's ledger sends it only if it did not
    # (tests/target/test_ledger.py: only changed fields of a user are sent).
    assert _phone_numbers(_run(tmp_path, [("customers", first)])) == {
        "dora@example.com": "+491711234567"
    }
    # Re-saved in BigCommerce with the same number (another field changed): still not re-sent.
    touched = _customer("0171 1234567", "2024-02-01T09:00:00+00:00")
    assert _phone_numbers(_run(tmp_path, [("customers", touched)])) == {"dora@example.com": None}
    # A new number in a newer record: written.
    changed = _customer("0172 7654321", "2024-03-01T09:00:00+00:00")
    assert _phone_numbers(_run(tmp_path, [("customers", changed)])) == {
        "dora@example.com": "+491727654321"
    }
    # An older record with another number (e.g. an old guest order) never overwrites it.
    older = _customer("030 1234567", "2024-02-15T09:00:00+00:00")
    assert _phone_numbers(_run(tmp_path, [("customers", older)])) == {"dora@example.com": None}


def test_newest_number_in_a_run_wins(tmp_path: Path) -> None:
    newer = _customer("0172 7654321", "2024-03-01T09:00:00+00:00")
    older = _customer("0171 1234567", "2024-01-05T09:00:00+00:00")
    lines = _run(tmp_path, [("customers", newer), ("customers", older)])
    assert _phone_numbers(lines) == {"dora@example.com": "+491727654321"}


def test_iterable_ownership_override_never_writes_phone_numbers(tmp_path: Path) -> None:
    lines = _run(
        tmp_path,
        [("customers", _customer("0171 1234567", "2024-01-05T09:00:00+00:00"))],
        ownership_overrides={"phoneNumber": "iterable"},
    )
    assert _phone_numbers(lines) == {"dora@example.com": None}


def test_guest_billing_phone_uses_billing_then_store_country(tmp_path: Path) -> None:
    lines = _run(
        tmp_path,
        [
            (
                "orders",
                r.order(1, email="sven@example.com", phone="070-123 45 67", country_iso2="SE"),
            ),
            (
                "orders",
                r.order(2, email="uma@example.com", phone="(512) 555-0123", country_iso2=""),
            ),
            # A registered customer's order never takes the billing phone (the customer owns it).
            ("orders", r.order(3, customer_id=9, email="reg@example.com", phone="(512) 555-0199")),
        ],
    )
    assert _phone_numbers(lines) == {
        "sven@example.com": "+46701234567",
        "uma@example.com": "+15125550123",
        "reg@example.com": None,
    }
    assert records(lines, "users")[0]["dataFields"]["phone"] == "070-123 45 67"


def test_run_summary_counts_numbers_not_written_by_reason(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"database_url": f"sqlite:///{tmp_path / 'store.sqlite'}"}))
    customers = [
        ("customers", r.customer(i, f"c{i}@example.com", phone=text, country_code=code))
        for i, (text, code) in enumerate(
            [("12", "FR"), ("13", "FR"), ("abc", "US"), ("(512) 555-0123 / (512) 555-0199", "US")],
            start=1,
        )
    ]
    source = tmp_path / "in.singer"
    r.write_singer(source, r.messages(("store_settings", r.store_settings()), *customers))
    executable = Path(sys.executable).parent / "map-bigcommerce-iterable"
    result = subprocess.run(
        [str(executable), "--config", str(config), "--input", str(source)],
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    summary = next(
        line for line in result.stderr.splitlines() if "not written to phoneNumber" in line
    )
    expected = {phone.INVALID: 2, phone.NOT_A_NUMBER: 1, phone.AMBIGUOUS: 1}
    assert summary.endswith(f"not written to phoneNumber {expected}; dead-lettered 0 record(s)")


@settings(
    max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    phones=st.lists(
        st.sampled_from([c for c in CASES if len(c[1]) == 1 and c[1][0]]), min_size=1, max_size=6
    )
)
def test_mapper_writes_only_e164_phone_numbers(
    tmp_path_factory: Any, phones: list[tuple[str, tuple[str, ...], str]]
) -> None:
    database = Path(tmp_path_factory.mktemp("db")) / "store.sqlite"
    customers = [
        ("customers", r.customer(i, f"c{i}@example.com", phone=text, country_code=countries[0]))
        for i, (text, countries, _) in enumerate(phones, start=1)
    ]
    lines = run_in_process(
        r.messages(("store_settings", r.store_settings()), *customers),
        {"database_url": f"sqlite:///{database}"},
    )
    written = _phone_numbers(lines)
    for i, (_, _, expected) in enumerate(phones, start=1):
        value = written[f"c{i}@example.com"]
        assert value is None or E164.match(value)
        assert value == (expected if expected.startswith("+") else None)
