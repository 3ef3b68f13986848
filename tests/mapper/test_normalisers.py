"""Property tests of the normalisers: money to the cent, Iterable's date format, valid userIds,
and one JSON type per field across whatever records come through."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import simplejson
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from map_bigcommerce_iterable.normalise import (
    ITERABLE_DATE_PATTERN,
    NormalisationError,
    field_name,
    is_valid_user_id,
    iterable_date,
    minor_units,
    money,
    normalise_email,
    unix_seconds,
)
from map_bigcommerce_iterable.type_guard import json_type

from . import records as r
from .helpers import parse, run_in_process, validate_output

CURRENCIES = st.sampled_from(["USD", "EUR", "GBP", "JPY", "KWD", "CHF"])
AMOUNTS = st.decimals(min_value=Decimal(0), max_value=Decimal("99999999.9999"), places=4)


@given(amount=AMOUNTS, currency=CURRENCIES)
def test_money_is_exact_to_the_minor_unit_and_always_a_double(
    amount: Decimal, currency: str
) -> None:
    value = money(amount, currency, "total")
    assert isinstance(value, float)
    unit = Decimal(1).scaleb(-minor_units(currency))
    # What goes over the wire parses back to the amount rounded half-up to the minor unit.
    wire = simplejson.dumps(value)
    assert "." in wire  # `12.0`, never `12`: Iterable would lock the field as long
    assert Decimal(wire) == amount.quantize(unit, rounding="ROUND_HALF_UP")


@given(amount=AMOUNTS)
def test_money_accepts_the_taps_forms_alike(amount: Decimal) -> None:
    as_text = format(amount, "f")
    assert (
        money(amount, "USD", "x") == money(as_text, "USD", "x") == money(float(as_text), "USD", "x")
    )


MOMENTS = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
)
OFFSETS = st.integers(min_value=-12 * 60, max_value=14 * 60).map(lambda m: timedelta(minutes=m))


@given(moment=MOMENTS, offset=OFFSETS)
def test_dates_are_in_iterables_format_in_utc(moment: datetime, offset: timedelta) -> None:
    local = moment.astimezone(timezone(offset))
    for form in (local.isoformat(), local.isoformat().replace("+00:00", "Z")):
        text = iterable_date(form, "date")
        assert text is not None
        assert ITERABLE_DATE_PATTERN.match(text)
        assert text == moment.strftime("%Y-%m-%d %H:%M:%S +00:00")
        assert unix_seconds(form, "date") == int(moment.timestamp())


@given(email=st.emails())
def test_email_keys_ignore_case_and_surrounding_space(email: str) -> None:
    key = normalise_email(email)
    assert key == email.lower()
    assert normalise_email(f"  {email.upper()}\t") == key


@given(name=st.text(min_size=1, max_size=40))
def test_field_names_never_contain_periods(name: str) -> None:
    cleaned = field_name(name)
    assert "." not in cleaned
    assert cleaned


PEOPLE = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=5),  # customer id (0 = guest)
        st.sampled_from(["a@example.com", " A@Example.com", "b@example.com", "c@EXAMPLE.com"]),
        st.decimals(min_value=Decimal("0.01"), max_value=Decimal("5000"), places=2).map(str),
        st.sampled_from([0, 1, 2, 4, 5, 10, 11, 14]),
        st.booleans(),
    ),
    min_size=1,
    max_size=12,
)


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(people=PEOPLE, mode=st.sampled_from(["email", "user_id", "hybrid"]))
def test_types_are_stable_and_user_ids_valid(
    tmp_path_factory: Any, people: list[tuple[int, str, str, int, bool]], mode: str
) -> None:
    database = Path(tmp_path_factory.mktemp("db")) / "store.sqlite"
    items: list[Any] = [("store_settings", r.store_settings())]
    for customer_id in sorted({p[0] for p in people if p[0]}):
        items.append(("customers", r.customer(customer_id, f"c{customer_id}@example.com")))
    for order_id, (customer_id, email, total, status_id, shipped) in enumerate(people, start=1):
        items.append(
            (
                "orders",
                r.order(
                    order_id,
                    customer_id=customer_id,
                    email=email,
                    total=total,
                    status_id=status_id,
                    date_shipped="2024-02-05T00:00:00+00:00" if shipped else None,
                ),
            )
        )
        if status_id in (4, 14):
            items.append(("refunds", r.refund(order_id, order_id, "0.99")))
    lines = run_in_process(
        r.messages(*items, r.state({})),
        {"database_url": f"sqlite:///{database}", "identity_mode": mode},
    )
    validate_output(lines)
    seen: dict[tuple[str, str], str] = {}
    for message in parse(lines):
        if message["type"] != "RECORD":
            continue
        record = message["record"]
        scope = message["stream"] + record.get("eventName", "")
        for name, value in _data_fields(record):
            kind = json_type(float(value) if isinstance(value, Decimal) else value)
            assert seen.setdefault((scope, name), kind) == kind, (scope, name, value)
            if isinstance(value, str) and name.endswith(("Date", "At", "Since")):
                assert ITERABLE_DATE_PATTERN.match(value), (name, value)
        user = record.get("user", record)
        if "userId" in user:
            assert is_valid_user_id(user["userId"])


def _data_fields(record: dict[str, Any]) -> list[tuple[str, Any]]:
    fields = list((record.get("dataFields") or {}).items())
    for item in record.get("items") or []:
        fields += [(f"item.{k}", v) for k, v in (item.get("dataFields") or {}).items()]
        fields += [(f"item.{k}", item[k]) for k in ("price", "quantity") if k in item]
    for key in ("total", "createdAt"):
        if key in record:
            fields.append((key, record[key]))
    return fields


def test_money_on_the_wire_is_written_with_a_decimal_point(tmp_path: Path) -> None:
    lines = run_in_process(
        r.messages(("orders", r.order(1, email="a@example.com", total="12"))),
        {"database_url": f"sqlite:///{tmp_path / 's.sqlite'}"},
    )
    purchase = next(line for line in lines if '"stream":"purchases"' in line and "RECORD" in line)
    assert '"total":12.0' in purchase
    assert re.search(r'"price":12\.0\b', purchase)
    assert json.loads(purchase)["record"]["createdAt"] == 1706788800


def test_dates_also_accept_bigcommerce_v2_wire_format() -> None:
    assert iterable_date("Wed, 10 Jan 2018 21:05:30 +0000", "d") == "2018-01-10 21:05:30 +00:00"
    assert iterable_date("Wed, 10 Jan 2018 16:05:30 -0500", "d") == "2018-01-10 21:05:30 +00:00"
    assert iterable_date("", "d") is None
    with pytest.raises(NormalisationError, match=r"orders\.date_created"):
        iterable_date("last tuesday", "orders.date_created")
