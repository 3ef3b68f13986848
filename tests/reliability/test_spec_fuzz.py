"""Spec-driven fuzzing (issue 15): answers generated from BigCommerce's OpenAPI files, served over
loopback HTTP to the real tap, then (last property) through the real mapper and target into the
Iterable emulator.

Properties, per tap stream (every endpoint and `include=` it requests, see `spec_pages.py`):

1. a page of the documented shapes is extracted whole: every record emitted, none dead-lettered;
2. values keep their meaning: money exact, timestamps the same instant in UTC, strings
   untouched, arrays stay arrays (checked on the same tap run as 1: drawing the page is most of
   an example's cost);
3. any spec-valid page (the schema's bare types) never crashes the tap: every record is emitted
   or dead-lettered with the field and reason, nothing else of the page is lost;
4. a record off the spec (a wrong type, its id missing) is dead-lettered naming the field, and
   the rest of the page is emitted; no traceback;
5. the mapper and the target accept what the tap emits, and no Iterable user field holds values
   of two types.

What an example costs: an example is a page of `SIZES.spec_page_records` records per list
endpoint, at least half full (`spec_pages.least_records`; `cart_events`: as many webhook
deliveries, each its own cart), read by one in-process tap run (~25 ms of CPU a run; a process
would be ~1.5 s) from one page server per module; drawing the records is most of it
(`schema_strategies.py`). Each per-stream property runs enough examples to read at least
`SIZES.spec_records` records of the stream (`store_settings`, one store per example: as many
examples); the examples and records are recorded in docs/RELIABILITY.md.
"""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import redirect_stdout
from datetime import UTC, datetime
from decimal import Decimal
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from tap.helpers import TapOutput, run_tap
from tap.page_server import STORE_HASH, PageServer, serving, tap_config

from map_bigcommerce_iterable.mapper import BigCommerceToIterableMapper
from sandbox.iterable.testing import RunningIterable, running_iterable
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.streams import STREAM_TYPES
from target_iterable.contract.dead_letters import read_dead_letters
from target_iterable.target import TargetIterable

from . import outcomes
from .settings import LONG, SIZES
from .spec_pages import ENDPOINTS, STREAMS, Endpoint, answers, least_records, page_size

pytestmark = pytest.mark.reliability
# The CI variant draws the same examples on every run (`derandomize`, no example database, as
# hypothesis' own `ci` profile does: hypothesis/_settings.py `CI`): its record counts are the
# same each run, and a page it has never drawn cannot fail a change that did not touch what it
# tests. The long variant (`make reliability-fuzz`) draws new pages each run; what it finds is
# kept as a named regression test (tests/tap/test_tap_spec_shapes.py, `@example`s here).
CI_DRAWS: dict[str, Any] = {} if LONG else {"derandomize": True, "database": None}
SPEC_FUZZ = settings(
    deadline=None,
    phases=[p for p in Phase if p != Phase.shrink or not os.environ.get("SPEC_FUZZ_NO_SHRINK")],
    report_multiple_bugs=False,
    # Large pages are the point (a page of orders is thousands of choices), and a tap run takes
    # longer than hypothesis expects of one example; filtering is not suppressed.
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    **CI_DRAWS,
)
SCHEMAS = {stream_type.name: stream_type.schema for stream_type in STREAM_TYPES}
# Fields the tap builds (not copied from the answer), so not compared value by value.
DERIVED = {
    "store_hash", "line_items", "coupons", "coupon_codes", "shipping_addresses", "is_archived",
    "status_scope", "path_names", "url", "locale", "attributes",
}  # fmt: skip
# The orders passes are chosen by these (the emulator filters on them as BigCommerce does), so
# a wrong type there would be filtered out of every pass by the server: not mutated.
PASS_FIELDS = {"is_deleted", "status_id"}


def wrong_values(schema: dict[str, Any]) -> list[Any]:
    """Values that are not of the field's declared type (the tap's schema of the field)."""
    declared = schema.get("type") or []
    types = {declared} if isinstance(declared, str) else set(declared)
    candidates: list[Any] = [{"unexpected": "object"}, ["an", "array"], True, "not a number"]
    if schema.get("format") == "date-time":
        return [{"unexpected": "object"}, "not a date", True]
    allowed = {dict: "object", list: "array", bool: "boolean", str: "string"}
    return [value for value in candidates if allowed[type(value)] not in types]


def endpoints_of(stream: str) -> list[Endpoint]:
    return [endpoint for endpoint in ENDPOINTS if endpoint.stream == stream]


def own_route(stream: str) -> str:
    return next(e.route for e in endpoints_of(stream) if ("*" not in e.route and e.kind == "list"
                and e.route.split("/")[-1] in {stream, "categories", "brands", "products",
                                               "subscribers", "refunds", "customers"})
                or e.stream == "store_settings")  # fmt: skip


def fuzzed(kind: str, stream: str, records: int) -> None:
    outcomes.record("fuzz", f"spec-driven: {kind} ({stream})", cases=1, records=records,
                    outcome="as the property requires", nothing_lost=True)  # fmt: skip


@pytest.fixture(scope="module")
def server() -> Iterator[tuple[PageServer, str]]:
    page_server = PageServer()
    with serving(page_server) as api_url:
        yield page_server, api_url


CARTS = "v3/carts/*"


def draw_pages(
    data: st.DataObject,
    specs: Path,
    stream: str,
    *,
    documented: bool,
    page_records: int = SIZES.spec_page_records,
) -> dict[str, Any]:
    """The answers the stream reads; for `cart_events`, several carts (`v3/carts/1`, ...), one
    per webhook delivery (`extract` puts them in the inbox)."""
    pages = {}
    for endpoint in endpoints_of(stream):
        strategy = answers(specs, endpoint, documented, page_records)
        if endpoint.route == CARTS:
            most = page_size(endpoint, documented, page_records)
            carts = data.draw(st.lists(strategy, min_size=least_records(most), max_size=most),
                              CARTS)  # fmt: skip
            pages.update({cart_route(number): cart for number, cart in enumerate(carts, 1)})
        else:
            pages[endpoint.route] = data.draw(strategy, label=endpoint.route)
    return pages


def cart_route(number: int) -> str:
    return CARTS.replace("*", str(number))


def cart_numbers(pages: dict[str, Any]) -> list[int]:
    prefix = CARTS.removesuffix("*")
    return sorted(int(route.removeprefix(prefix)) for route in pages if route.startswith(prefix))


def examples_of(stream: str, *, documented: bool) -> int:
    """Examples that read at least `SIZES.spec_records` records of the stream's own endpoint."""
    if stream == "store_settings":  # one store an example
        return SIZES.spec_records
    route = CARTS if stream == "cart_events" else own_route(stream)
    endpoint = next(e for e in endpoints_of(stream) if e.route == route)
    least = least_records(page_size(endpoint, documented, SIZES.spec_page_records))
    return math.ceil(SIZES.spec_records / least)


def per_stream(streams: list[str], *, documented: bool) -> Any:
    """A property of every stream: parametrised by stream, hypothesis drawing the pages (of the
    `documented` reading or the raw one), in `examples_of(stream)` examples."""

    def decorate(test: Any) -> Any:
        @pytest.mark.parametrize("stream", streams)
        def run(stream: str, bigcommerce_specs: Path, server: Any) -> None:
            @settings(SPEC_FUZZ, max_examples=examples_of(stream, documented=documented))
            @given(data=st.data())
            def example(data: st.DataObject) -> None:
                test(stream, data, bigcommerce_specs, server)

            example()

        run.__name__ = run.__qualname__ = test.__name__
        run.__doc__ = test.__doc__
        return run

    return decorate


def cart_delivery(number: int) -> dict[str, Any]:
    """A delivery about cart `number` (webhooks.v3.yml callback payload; `cart_events` then GETs
    /v3/carts/{number})."""
    return {
        "scope": "store/cart/updated",
        "store_id": "1",
        "data": {"type": "cart", "id": str(number)},
        "hash": f"{number:040x}",
        "created_at": 1_735_689_600,
        "producer": f"stores/{STORE_HASH}",
    }


def extract(
    server: tuple[PageServer, str], pages: dict[str, Any], streams: set[str], **settings: Any
) -> tuple[TapOutput, list[dict[str, Any]]]:
    page_server, api_url = server
    page_server.routes = dict(pages)
    try:
        with tempfile.TemporaryDirectory() as folder:
            config = tap_config(api_url, Path(folder), include_incomplete_orders=True,
                                include_archived_orders=True, order_coupons="always",
                                **settings)  # fmt: skip
            if "cart_events" in streams:
                inbox = Inbox(config["inbox_url"])
                for number in cart_numbers(pages):
                    inbox.add(cart_delivery(number))
                inbox.close()
            output = run_tap(config, streams=streams)
            letters_path = Path(config["dead_letter_path"])
            letters = read_dead_letters(letters_path) if letters_path.exists() else []
    finally:
        # Each example leaves the module's server as it found it. Hypothesis prints a failing
        # example's arguments, this server among them, when it runs it again; holding the last
        # example's pages and every request so far, their repr outgrew hypothesis' limit, whose
        # warning (an error in this suite) ended that run before it drew: the whole-store
        # property reported FlakyStrategyDefinition instead of its failing example.
        page_server.routes = {}
        page_server.requests.clear()
    return output, letters


def fuzz_a_page(
    stream: str,
    data: st.DataObject,
    specs: Path,
    server: tuple[PageServer, str],
    *,
    documented: bool,
    kinds: tuple[str, ...],
) -> tuple[list[Any], TapOutput, list[dict[str, Any]]]:
    """Draw the stream's pages, count them for the `kinds` of property, extract them: the
    stream's own records served, the tap's output and its dead letters."""
    pages = draw_pages(data, specs, stream, documented=documented)
    served = served_records(stream, pages)
    for kind in kinds:
        fuzzed(kind, stream, len(served))
    output, letters = extract(server, pages, {stream})
    return served, output, letters


def served_records(stream: str, pages: dict[str, Any]) -> list[Any]:
    """The records of the stream's own endpoint (one for `store_settings`; for `cart_events`,
    one per delivery, its cart the served answer)."""
    if stream == "store_settings":
        return [pages["v2/store"]]
    if stream == "cart_events":
        return [{"cart_id": str(n), "cart": pages[cart_route(n)]} for n in cart_numbers(pages)]
    return list(pages[own_route(stream)])


def keys_of(stream: str, records: list[Any]) -> list[str]:
    """What tells a stream's records apart: a cart event by its cart, a record by its id."""
    if stream == "cart_events":
        return sorted(str(record["cart_id"]) for record in records)
    values = [record.get("id") if isinstance(record, dict) else None for record in records]
    return sorted(json.dumps(value, sort_keys=True, default=str) for value in values)


# -- 1 and 2. documented shapes are extracted whole, values keep their meaning -----------------


@per_stream(STREAMS, documented=True)
def test_pages_of_documented_shapes_are_extracted_whole_and_keep_their_meaning(
    stream: str, data: st.DataObject, bigcommerce_specs: Path, server: Any
) -> None:
    served, output, letters = fuzz_a_page(
        stream, data, bigcommerce_specs, server, documented=True,
        kinds=("documented shapes extracted whole", "values keep their meaning"),
    )  # fmt: skip
    assert letters == [], [(letter["field"], letter["reason"]) for letter in letters]
    assert keys_of(stream, output.records[stream]) == keys_of(stream, served)
    emitted = {keys_of(stream, [record])[0]: record for record in output.records[stream]}
    for raw in served:
        keeps_its_meaning(stream, raw, emitted[keys_of(stream, [raw])[0]])


def keeps_its_meaning(stream: str, raw: Any, record: dict[str, Any]) -> None:
    """Every field the tap copies from the served record says what the record said."""
    schema = SCHEMAS[stream]
    if stream == "cart_events":  # the emitted cart is the answer's `data`
        answer = raw["cart"]
        data = answer.get("data") if isinstance(answer, dict) else None
        if isinstance(data, dict):
            same_meaning(data, record["cart"], schema["properties"]["cart"], "cart")
        return
    for name, child in schema["properties"].items():
        if name in raw and name not in DERIVED:
            same_meaning(raw[name], record.get(name), child, f"{stream}.{name}")


def instant(raw: str) -> datetime:
    try:
        parsed = datetime.fromisoformat(raw)
    except ValueError:
        parsed = parsedate_to_datetime(raw)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def same_meaning(raw: Any, emitted: Any, schema: dict[str, Any], where: str) -> None:
    """`emitted` says what `raw` said, in the tap's conventions (schema: the tap's field)."""
    if raw is None or raw == "":
        assert emitted is None, where  # the tap's documented rule: empty strings become null
        return
    declared = schema.get("type") or []
    types = {declared} if isinstance(declared, str) else set(declared)
    if schema.get("format") == "date-time":
        assert isinstance(emitted, str), where
        assert emitted.endswith("+00:00"), where
        assert datetime.fromisoformat(emitted) == instant(raw), where
    elif isinstance(raw, list):
        assert isinstance(emitted, list), where
        assert len(emitted) == len(raw), where
        for index, (one, other) in enumerate(zip(raw, emitted, strict=True)):
            same_meaning(one, other, schema.get("items") or {}, f"{where}[{index}]")
    elif isinstance(raw, dict):
        assert isinstance(emitted, dict), where
        for name, child in (schema.get("properties") or {}).items():
            if name in raw:
                same_meaning(raw[name], emitted.get(name), child, f"{where}.{name}")
    elif isinstance(raw, str) and "string" in types:
        assert emitted == raw, where  # untouched: no trimming, no re-encoding
    elif isinstance(raw, bool):
        assert emitted is raw, where
    elif "number" in types or "integer" in types:
        expected = Decimal(raw) if isinstance(raw, str) else Decimal(json.dumps(raw))
        assert Decimal(str(emitted)) == expected, where  # exact: no float on the way
        if "number" not in types:
            assert isinstance(emitted, int), where


def distinct(letters: list[dict[str, Any]]) -> list[Any]:
    """The records dead-lettered, each once."""
    lettered = {json.dumps(letter["record"], sort_keys=True, default=str) for letter in letters}
    return [json.loads(record) for record in sorted(lettered)]


# -- 3. any spec-valid page: emitted or dead-lettered, never a crash ------------------------------


@per_stream(STREAMS, documented=False)
def test_any_spec_valid_page_is_emitted_or_dead_lettered_never_a_crash(
    stream: str, data: st.DataObject, bigcommerce_specs: Path, server: Any
) -> None:
    served, output, letters = fuzz_a_page(
        stream, data, bigcommerce_specs, server, documented=False,
        kinds=("bare spec types emitted or dead-lettered",),
    )  # fmt: skip
    for letter in letters:
        assert letter["stream"] == stream
        assert letter["reason"]
        assert letter["record"] is not None
    # An order the server lists both in the archived pass (`is_deleted=true`) and in the default
    # list is read twice; without an id the tap cannot tell the two reads apart, so the same raw
    # record may be dead-lettered once per read: counted once here.
    accounted = [*output.records[stream], *distinct(letters)]
    assert Counter(keys_of(stream, accounted)) == Counter(keys_of(stream, served))


# -- 4. off the spec: dead-lettered naming the field ---------------------------------------------


@per_stream(sorted(set(STREAMS) - {"store_settings", "cart_events"}), documented=True)
def test_a_record_off_the_spec_is_dead_lettered_naming_the_field(
    stream: str, data: st.DataObject, bigcommerce_specs: Path, server: Any
) -> None:
    pages = draw_pages(data, bigcommerce_specs, stream, documented=True)
    served = served_records(stream, pages)
    fuzzed("off-spec record dead-lettered, rest emitted", stream, len(served))
    victim = data.draw(st.sampled_from(served), label="victim")
    properties = SCHEMAS[stream]["properties"]
    fields = sorted(set(properties) - DERIVED - PASS_FIELDS - {"id"})
    field = data.draw(st.sampled_from(fields), label="field")
    wrong = data.draw(st.sampled_from([*wrong_values(properties[field]), None]), label="wrong")
    mutated = {**victim}
    if wrong is None:
        field = "id"
        del mutated["id"]
    else:
        mutated[field] = wrong
    pages[own_route(stream)] = [mutated if r is victim else r for r in served]
    output, letters = extract(server, pages, {stream})
    # An order without its id that two passes list (e.g. archived and incomplete) is read, and
    # dead-lettered, once per pass: the tap cannot tell the reads apart. One record, though.
    assert len(distinct(letters)) == 1, [(x["field"], x["reason"]) for x in letters]
    letter = letters[0]
    assert letter["field"] == field or letter["field"][len(field) :][:1] in {".", "["}, letter
    sent = json.loads(json.dumps(mutated), parse_float=Decimal)  # as the tap read it
    assert letter["record"] == {**sent, "store_hash": letter["record"]["store_hash"]}
    rest = [r for r in served if r is not victim]
    assert keys_of(stream, output.records[stream]) == keys_of(stream, rest)


# -- 5. mapper and target accept it; Iterable field types never flip -----------------------------


@pytest.fixture(scope="module")
def iterable() -> Iterator[RunningIterable]:
    with running_iterable() as running:
        yield running


def value_type(value: Any) -> str:
    return type(value).__name__


# A whole store each: every endpoint's page, of 1 or 2 records (more overran hypothesis' 8,192
# choices per example, which then draws again and again).
STORE_PAGE_RECORDS = 2


@settings(SPEC_FUZZ, max_examples=SIZES.spec_store_examples)
@given(data=st.data())
def test_mapper_and_target_accept_the_tap_output_and_field_types_never_flip(
    data: st.DataObject, bigcommerce_specs: Path, server: Any, iterable: RunningIterable
) -> None:
    pages: dict[str, Any] = {}
    for stream in STREAMS:
        pages.update(draw_pages(data, bigcommerce_specs, stream, documented=True,
                                page_records=STORE_PAGE_RECORDS))  # fmt: skip
    served = sum(len(served_records(stream, pages)) for stream in STREAMS)
    fuzzed("mapper and target accept it, Iterable types stable", "all streams", served)
    output, tap_letters = extract(server, pages, set(STREAMS))
    assert tap_letters == [], [(x["stream"], x["field"], x["reason"]) for x in tap_letters]
    iterable.emulator.reset()
    with tempfile.TemporaryDirectory() as folder:
        mapper_letters, target_letters = map_and_load("\n".join(output.raw_lines) + "\n",
                                                      Path(folder), iterable)  # fmt: skip
    # Spec-valid records may carry no usable identity (the spec allows an empty email, a guest
    # order without one): those, and only those, are dead-lettered, naming the field, by the
    # mapper (no email and no customer id) or after Iterable refused the identifier.
    unexpected_mapper = [x for x in mapper_letters if "unresolvable identity" not in x["reason"]]
    unexpected_target = [x for x in target_letters if x.get("rule") not in IDENTIFIER_REFUSALS]
    assert unexpected_mapper == [], [(x["field"], x["reason"]) for x in unexpected_mapper]
    assert unexpected_target == [], [(x["field"], x["reason"]) for x in unexpected_target]
    assert all(x["field"] for x in [*mapper_letters, *target_letters])
    types: dict[str, set[str]] = {}
    for user in iterable.emulator.users():
        for name, value in (user.get("dataFields") or {}).items():
            if value is not None:
                types.setdefault(name, set()).add(value_type(value))
    flipped = {
        name: kinds for name, kinds in types.items() if len(kinds) > 1 and kinds != {"int", "float"}
    }  # fmt: skip  (JSON numbers: one Iterable type)
    assert flipped == {}


# failedUpdates lists that refuse a malformed identifier itself (Iterable Swagger,
# FailedUserUpdates / FailedEventUpdates; target_iterable/answers.py).
IDENTIFIER_REFUSALS = frozenset({"invalidEmails", "invalidUserIds"})


def map_and_load(
    lines: str, folder: Path, iterable: RunningIterable
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    mapper_config = {
        "database_url": f"sqlite:///{folder / 'mapper.sqlite'}",
        "state_interval_seconds": 0,
        "dead_letter_path": str(folder / "mapper-letters.jsonl"),
    }
    mapped = io.StringIO()
    with redirect_stdout(mapped):
        BigCommerceToIterableMapper(config=mapper_config).listen(io.StringIO(lines))
    target_config = {
        "api_key": iterable.api_key,
        "api_url": iterable.api_url,
        "dead_letter_path": str(folder / "target-letters.jsonl"),
        "retry_initial_delay": 0.01,
        "retry_max_delay": 0.05,
    }
    with redirect_stdout(io.StringIO()):
        TargetIterable(config=target_config).listen(io.StringIO(mapped.getvalue()))
    return [
        read_dead_letters(path) if path.exists() else []
        for path in (folder / "mapper-letters.jsonl", folder / "target-letters.jsonl")
    ]  # type: ignore[return-value]
