"""hypothesis over the mapper's normalisers, the Singer readers of the target and the mapper, and
the webhook receiver's payload parser: arbitrary input gives a result or the component's own clear
error, never an unexpected exception (a crash that would name nothing).

Example counts: `SIZES.fuzz_examples` (modest in CI; `RELIABILITY_LONG=1` for thousands).
"""

from __future__ import annotations

import io
import json
import tempfile
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import UTC
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from singer_sdk.exceptions import RecordsWithoutSchemaException
from singer_sdk.singerlib.exceptions import InvalidInputLine

from map_bigcommerce_iterable.currency import conversion_factor
from map_bigcommerce_iterable.mapper import BigCommerceToIterableMapper
from map_bigcommerce_iterable.normalise import (
    NormalisationError,
    boolean,
    catalog_safe,
    field_name,
    integer,
    is_valid_user_id,
    money,
    normalise_email,
    parse_timestamp,
    text,
    to_decimal,
)
from sandbox.common.server import serve_in_thread
from sandbox.iterable.testing import RunningIterable, running_iterable
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.app import DEFAULT_PATH, build_app, envelope_problem
from tap_bigcommerce.webhooks.auth import WebhookAuthenticator
from target_iterable.target import TargetIterable, UnknownStreamError

from . import outcomes
from .catalogue import tap_records
from .settings import SIZES

pytestmark = pytest.mark.reliability
FUZZ = settings(
    max_examples=SIZES.fuzz_examples,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
json_scalars = (
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30)
    | st.decimals(allow_nan=False, allow_infinity=False)  # as JSON numbers are read: finite
)  # fmt: skip
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                 max_size=4),
    max_leaves=10,
)  # fmt: skip
timestamps = st.datetimes(timezones=st.just(UTC)).map(lambda d: d.isoformat())


def fuzzed(target: str) -> None:
    """Count one example for docs/RELIABILITY.md (a failing example fails the run instead)."""
    outcomes.record("fuzz", target, cases=1, outcome="no unexpected exception", nothing_lost=True)


# -- normalisers ---------------------------------------------------------------------------------


@FUZZ
@given(value=json_scalars | timestamps)
def test_number_and_date_normalisers_raise_only_their_own_error(value: Any) -> None:
    fuzzed("mapper normalisers (numbers, money, integers, booleans, timestamps)")
    for normalise in (to_decimal, integer, boolean, parse_timestamp):
        assert refusal(normalise, value, "orders.x") in (None, "orders.x")
    assert refusal(money, value, "JPY", "orders.total") in (None, "orders.total")


def refusal(normalise: Any, *args: Any) -> str | None:
    """None when the value was normalised, else the field its NormalisationError names."""
    try:
        normalise(*args)
    except NormalisationError as error:
        return str(args[-1]) if str(args[-1]) in str(error) else str(error)
    return None


@FUZZ
@given(value=json_scalars | st.emails() | st.text())
def test_emails_normalise_to_a_stable_key(value: Any) -> None:
    fuzzed("mapper email normalisation (idempotent, printable, no spaces)")
    email = normalise_email(value)
    if email is not None:
        assert normalise_email(email) == email  # idempotent
        assert email == email.lower()
        assert "@" in email
        assert email.isprintable()
        assert not any(ch.isspace() for ch in email)


@FUZZ
@given(value=st.text())
def test_names_and_ids_come_out_safe(value: str) -> None:
    fuzzed("mapper field names, catalog ids, userIds")
    name = field_name(value)
    assert name
    assert "." not in name
    assert all(ch == "-" or (ch.isascii() and ch.isalnum()) for ch in catalog_safe(value))
    cleaned = text(value)
    assert cleaned is None or cleaned == cleaned.strip()
    if is_valid_user_id(value):
        assert 1 <= len(value) <= 52


rates = st.none() | st.decimals(min_value=Decimal("0.0001"), max_value=Decimal("10000"),
                                places=4)  # fmt: skip
currencies = st.sampled_from(["USD", "EUR", "JPY", "XYZ"])


@FUZZ
@given(order=currencies, store=currencies, target=currencies, rate=rates, other=rates)
def test_conversion_factors_are_positive_or_unknown(
    order: str, store: str, target: str, rate: Decimal | None, other: Decimal | None
) -> None:
    fuzzed("mapper currency conversion factors")
    factor = conversion_factor(
        order_currency=order, store_currency=store, store_to_order_rate=rate,
        target_currency=target, store_rate=lambda code: other,
    )  # fmt: skip
    assert factor is None or factor > 0
    if order == target:
        assert factor == 1


# -- Singer readers --------------------------------------------------------------------------------

READER_ERRORS = (InvalidInputLine, RecordsWithoutSchemaException, UnknownStreamError)


def clear_reader_error(error: ValueError) -> bool:
    """The SDK's own answer to a message of an unknown type (clear, though a plain ValueError)."""
    return str(error).startswith("Unknown message type")


def valid_target_input() -> str:
    messages = [
        {"type": "SCHEMA", "stream": "users", "schema": {"type": "object", "properties": {}},
         "key_properties": []},
        {"type": "RECORD", "stream": "users", "record": {"email": "a@example.com"}},
        {"type": "STATE", "value": {"bookmarks": {"x": 1}}},
    ]  # fmt: skip
    return "".join(json.dumps(m) + "\n" for m in messages)


def mangled(text: str) -> st.SearchStrategy[str]:
    """Truncated anywhere, with a few characters replaced or inserted, or plain garbage."""
    cut = st.integers(0, len(text)).map(lambda n: text[:n])
    noise = st.tuples(st.integers(0, len(text)), st.text(max_size=5)).map(
        lambda p: text[: p[0]] + p[1] + text[p[0] + 1 :]
    )
    lines = st.lists(json_values.map(lambda v: json.dumps(v, default=str)), max_size=3).map(
        "\n".join
    )
    return cut | noise | lines | st.text()


@pytest.fixture(scope="module")
def iterable() -> Iterator[RunningIterable]:
    with running_iterable() as running:
        yield running


@FUZZ
@given(data=mangled(valid_target_input()))
def test_the_target_reader_fails_clearly_on_mangled_input(
    data: str, iterable: RunningIterable, tmp_path: Path
) -> None:
    fuzzed("target Singer reader on mangled lines")
    config = {"api_key": iterable.api_key, "api_url": iterable.api_url,
              "dead_letter_path": str(tmp_path / "dl.jsonl"),
              "database_url": f"sqlite:///{tmp_path / 'ledger.sqlite'}"}  # fmt: skip
    try:
        with redirect_stdout(io.StringIO()):
            TargetIterable(config=config).listen(io.StringIO(data))
    except READER_ERRORS:
        pass
    except ValueError as error:
        assert clear_reader_error(error), error  # noqa: PT017 (one of several allowed outcomes)


def valid_mapper_input() -> str:
    return tap_records.to_lines(tap_records.messages(
        ("store_settings", tap_records.store_settings()),
        ("customers", tap_records.customer(1, "ann@example.com")),
        tap_records.state({"bookmarks": {}}),
    ))  # fmt: skip


@FUZZ
@given(data=mangled(valid_mapper_input()))
def test_the_mapper_reader_fails_clearly_on_mangled_input(data: str) -> None:
    fuzzed("mapper Singer reader on mangled lines")
    with tempfile.TemporaryDirectory() as folder:
        config = {
            "database_url": f"sqlite:///{folder}/store.sqlite",
            "dead_letter_path": f"{folder}/dead-letters.jsonl",
        }
        try:
            with redirect_stdout(io.StringIO()):
                BigCommerceToIterableMapper(config=config).listen(io.StringIO(data))
        except (*READER_ERRORS, NormalisationError):
            pass
        except ValueError as error:
            assert clear_reader_error(error), error  # noqa: PT017 (one of several allowed outcomes)


# -- webhook payload parser ----------------------------------------------------------------------


@FUZZ
@given(payload=json_values)
def test_envelope_check_judges_any_json(payload: Any) -> None:
    fuzzed("webhook envelope check on any JSON")
    problem = envelope_problem(payload)
    assert problem is None or isinstance(problem, str)
    if problem is None:
        assert isinstance(payload, dict)
        assert payload["scope"]
        assert payload["hash"]


@pytest.fixture(scope="module")
def receiver_url(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    inbox = Inbox(f"sqlite:///{tmp_path_factory.mktemp('fuzz') / 'inbox.sqlite'}")
    app = build_app(inbox, WebhookAuthenticator(header_secret="s"), max_body_bytes=4096)
    with serve_in_thread(app) as server:
        yield f"{server.url}{DEFAULT_PATH}"
    inbox.close()


envelopes = st.fixed_dictionaries(
    {"scope": json_scalars | st.just("store/cart/updated"),
     "hash": json_scalars | st.just("abc"),
     "data": json_values | st.just({"type": "cart", "id": "c1"})},
    optional={"created_at": json_scalars, "producer": json_scalars, "store_id": json_scalars},
)  # fmt: skip


@FUZZ
@given(body=st.binary(max_size=300) | envelopes.map(lambda e: json.dumps(e, default=str).encode()))
def test_the_receiver_answers_any_body_without_a_5xx(receiver_url: str, body: bytes) -> None:
    fuzzed("webhook receiver on any body")
    answer = requests.post(
        receiver_url, data=body, timeout=10,
        headers={"Content-Type": "application/json", "X-Webhook-Secret": "s"},
    )  # fmt: skip
    assert answer.status_code in {200, 400, 413, 415, 422}, answer.text
