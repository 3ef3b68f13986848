"""The bad input catalogue: every kind of bad or hostile input, where it enters, what must happen.

One row per kind; `test_bad_input_catalogue.py` feeds each row's input to the real component it
enters (see `drivers.py`) and checks the outcome; `scripts/reliability_report.py` lists the rows in
docs/RELIABILITY.md. Builders are functions so that big inputs (10 MB) are made only when run.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from mapper import records as tap_records  # builders of tap-shaped records (tests/mapper)


class Enters(StrEnum):
    TAP_CONFIG = "tap config"
    MAPPER_CONFIG = "mapper config"
    TARGET_CONFIG = "target config"
    STATE_FILE = "tap --state file"
    MAPPER_STREAM = "Singer stream into the mapper (then the target)"
    TARGET_STREAM = "Singer stream into the target"
    WEBHOOK = "webhook receiver"


class Outcome(StrEnum):
    CONFIG_ERROR = "refused at start: config error naming the setting"
    STATE_ERROR = "refused at start: error naming the state file and the bad part"
    RUN_STOPS = "run stops with an error naming the field; no STATE passes the record"
    DEAD_LETTERED = "dead-lettered with the field and reason; the rest loaded"
    MAPPER_DEAD_LETTERED = (
        "dead-lettered by the mapper with the field and reason; the rest loaded, STATE passed"
    )
    SKIPPED = "skipped and counted (nobody to address); the rest loaded"
    NORMALISED = "normalised, then loaded; the rest loaded"
    LOADED = "loaded as sent; the rest loaded"
    IGNORED = "ignored with a warning; the rest loaded"
    HTTP_REFUSED = "answered with an HTTP error; nothing stored"
    STORED_ONCE = "answered 200; each event stored once"


@dataclass(frozen=True)
class Observation:
    """What running one bad input produced."""

    error: str | None = None
    users: dict[str, dict[str, Any]] | None = None  # Iterable users by email/userId: dataFields
    purchases: list[dict[str, Any]] | None = None
    events: list[dict[str, Any]] | None = None
    dead_letters: list[dict[str, Any]] | None = None  # the mapper's, then the target's
    state_passed: bool | None = None  # the mapper forwarded the STATE that follows the input
    statuses: list[int] | None = None  # webhook answers
    stored: int = 0  # webhook events added to the inbox


@dataclass(frozen=True)
class BadInput:
    kind: str
    enters: Enters
    build: Callable[[], Any]
    outcome: Outcome
    # Text the error / dead letter / answer must contain (the field or setting at fault).
    names: str = ""
    check: Callable[[Observation], bool] | None = None  # a further fact about the outcome
    note: str = ""


# -- builders ------------------------------------------------------------------------------------

R = tap_records
GOOD = "good@example.com"  # the companion record every stream input carries: the rest of the run
# Right-to-left override, a lone combining accent, a ZWJ emoji sequence, an astral-plane letter.
UNICODE_NAME = "Zo\u00eb \u202e\u0301 \U0001f469\u200d\U0001f469\u200d\U0001f467 \U0001d518"


def order_with(**changes: Any) -> list[tuple[str, dict]]:
    record = R.order(7, email="buyer@example.com")
    for path, value in changes.items():
        where: Any = record
        *parents, last = path.split("__")
        for part in parents:
            where = where[int(part)] if part.isdigit() else where[part]
        if value is _DELETE:
            del where[last]
        else:
            where[last] = value
    return [("orders", record)]


_DELETE = object()


def customer(email: str = "ann@example.com", **options: Any) -> list[tuple[str, dict]]:
    return [("customers", R.customer(1, email, **options))]


def nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": "x"}
    for _ in range(depth):
        value = {"level": value}
    return value


def attribute(name: str, value: Any) -> dict[str, Any]:
    return {"attribute_id": 1, "attribute_name": name, "attribute_value": value}


def singer(*messages: dict[str, Any]) -> list[dict[str, Any]]:
    return list(messages)


def schema(stream: str) -> dict[str, Any]:
    return {
        "type": "SCHEMA",
        "stream": stream,
        "schema": {"type": "object", "properties": {}},
        "key_properties": [],
    }


def record(stream: str, value: dict[str, Any]) -> dict[str, Any]:
    return {"type": "RECORD", "stream": stream, "record": value}


def event(**changes: Any) -> dict[str, Any]:
    base = {"email": GOOD, "eventName": "bc_test", "id": "event-1", "createdAt": 1_700_000_000}
    return {**base, **changes}


def purchase(**changes: Any) -> dict[str, Any]:
    items = [{"id": "p1", "name": "Mug", "price": 12.5, "quantity": 2}]
    base = {"id": "order-1", "user": {"email": GOOD}, "items": items, "total": 25.0}
    return {**base, **changes}


def users_of(observation: Observation) -> dict[str, dict[str, Any]]:
    return observation.users or {}


def fields_of(observation: Observation, key: str) -> dict[str, Any]:
    return users_of(observation).get(key, {})


def delivery(number: int, scope: str = "store/cart/updated") -> dict[str, Any]:
    return {
        "scope": scope,
        "store_id": "1001",
        "data": {"type": "cart", "id": f"cart-{number}"},
        "hash": f"{number:040x}",
        "created_at": 1_735_689_600 + number,
        "producer": "stores/sandbox1",
    }


# A webhook input is a list of requests: (body, header overrides); the driver adds the right
# secret and content type unless the row overrides them ("" removes a header).
Request = tuple[bytes | dict[str, Any], dict[str, str]]


def flood() -> list[Request]:
    """300 deliveries, every third one a repeat of an earlier one, sent from 8 threads."""
    return [(delivery(n if n % 3 else n - 1), {}) for n in range(1, 301)]


# -- the table -----------------------------------------------------------------------------------

E, Out = Enters, Outcome
CATALOGUE: list[BadInput] = [
    # Tap config
    BadInput("tap: store_hash with a slash", E.TAP_CONFIG, lambda: {"store_hash": "abc/../x"},
             Out.CONFIG_ERROR, "store_hash"),
    BadInput("tap: empty access_token", E.TAP_CONFIG, lambda: {"access_token": ""},
             Out.CONFIG_ERROR, "access_token"),
    BadInput("tap: api_url not a URL", E.TAP_CONFIG, lambda: {"api_url": "api.bigcommerce.com"},
             Out.CONFIG_ERROR, "api_url"),
    BadInput("tap: api_url plain http off this machine", E.TAP_CONFIG,
             lambda: {"api_url": "http://api.bigcommerce.com"}, Out.CONFIG_ERROR, "api_url"),
    BadInput("tap: start_date not a date", E.TAP_CONFIG, lambda: {"start_date": "yesterday"},
             Out.CONFIG_ERROR, "start_date"),
    BadInput("tap: page_size 0", E.TAP_CONFIG, lambda: {"page_size": 0}, Out.CONFIG_ERROR,
             "page_size"),
    BadInput("tap: unknown order status id", E.TAP_CONFIG, lambda: {"order_status_ids": [99]},
             Out.CONFIG_ERROR, "order_status_ids"),
    BadInput("tap: inbox_url not a database URL", E.TAP_CONFIG,
             lambda: {"inbox_url": "not a url"}, Out.CONFIG_ERROR, "inbox_url"),
    # Mapper config
    BadInput("mapper: unknown identity_mode", E.MAPPER_CONFIG, lambda: {"identity_mode": "phone"},
             Out.CONFIG_ERROR, "identity_mode"),
    BadInput("mapper: user_id_template without {customer_id}", E.MAPPER_CONFIG,
             lambda: {"user_id_template": "bc-{store_hash}"}, Out.CONFIG_ERROR, "user_id_template"),
    BadInput("mapper: reporting_currency not ISO 4217", E.MAPPER_CONFIG,
             lambda: {"reporting_currency": "usd"}, Out.CONFIG_ERROR, "reporting_currency"),
    # Target config
    BadInput("target: empty api_key", E.TARGET_CONFIG, lambda: {"api_key": ""}, Out.CONFIG_ERROR,
             "api_key"),
    BadInput("target: api_url plain http off this machine", E.TARGET_CONFIG,
             lambda: {"api_url": "http://api.iterable.com"}, Out.CONFIG_ERROR, "api_url"),
    BadInput("target: catalog_name with spaces", E.TARGET_CONFIG,
             lambda: {"catalog_name": "my products"}, Out.CONFIG_ERROR, "catalog_name"),
    BadInput("target: rate limit 0", E.TARGET_CONFIG,
             lambda: {"rate_limits": {"users_bulk_update": 0}}, Out.CONFIG_ERROR,
             "users_bulk_update"),
    BadInput("target: unknown unknown_streams policy", E.TARGET_CONFIG,
             lambda: {"unknown_streams": "ignore"}, Out.CONFIG_ERROR, "unknown_streams"),
    # State file
    BadInput("state: not JSON", E.STATE_FILE, lambda: "{bookmarks", Out.STATE_ERROR, "is not JSON"),
    BadInput("state: truncated", E.STATE_FILE,
             lambda: '{"bookmarks": {"orders": {"partitions": [', Out.STATE_ERROR, "is not JSON"),
    BadInput("state: not an object", E.STATE_FILE, lambda: "[1, 2]", Out.STATE_ERROR,
             "must be a JSON object"),
    BadInput("state: bookmarks a list", E.STATE_FILE, lambda: '{"bookmarks": []}',
             Out.STATE_ERROR, "bookmarks must be an object"),
    BadInput("state: bookmark not a timestamp", E.STATE_FILE,
             lambda: '{"bookmarks": {"customers": {"replication_key": "date_modified", '
             '"replication_key_value": "last tuesday"}}}',
             Out.STATE_ERROR, "bookmarks.customers.replication_key_value"),
    # Into the mapper (then the target)
    BadInput("invalid email", E.MAPPER_STREAM, lambda: customer("not-an-email"), Out.SKIPPED,
             check=lambda o: set(users_of(o)) == {GOOD}),
    BadInput("empty email", E.MAPPER_STREAM, lambda: customer(""), Out.SKIPPED,
             check=lambda o: set(users_of(o)) == {GOOD}),
    BadInput("email with whitespace and mixed case", E.MAPPER_STREAM,
             lambda: customer("  Ann@Example.COM "), Out.NORMALISED,
             check=lambda o: "ann@example.com" in users_of(o)),
    BadInput("missing customer id", E.MAPPER_STREAM,
             lambda: [("customers", {k: v for k, v in R.customer(1, "a@x.com").items()
                                     if k != "id"})],
             Out.MAPPER_DEAD_LETTERED, "field id"),
    BadInput("missing order id", E.MAPPER_STREAM, lambda: order_with(id=_DELETE),
             Out.MAPPER_DEAD_LETTERED, "field id"),
    BadInput("negative total", E.MAPPER_STREAM,
             lambda: order_with(total_inc_tax=R.d("-5.00"), total_ex_tax=R.d("-5.00")),
             Out.LOADED, check=lambda o: [p["total"] for p in o.purchases or []] == [-5.0],
             note="BigCommerce never sends one; passed on as sent"),
    BadInput("absurd total (10^17)", E.MAPPER_STREAM,
             lambda: order_with(total_inc_tax=R.d("99999999999999999.99")), Out.LOADED,
             check=lambda o: [p["total"] for p in o.purchases or []] == [1e17],
             note="Iterable stores doubles: cents beyond 15 digits are lost"),
    BadInput("total as text", E.MAPPER_STREAM, lambda: order_with(total_inc_tax="twelve"),
             Out.MAPPER_DEAD_LETTERED, "orders.total_inc_tax"),
    BadInput("quantity as a string", E.MAPPER_STREAM,
             lambda: order_with(line_items__0__quantity="3"), Out.NORMALISED,
             check=lambda o: [i["quantity"] for p in o.purchases or [] for i in p["items"]] == [3]),
    BadInput("unknown currency", E.MAPPER_STREAM, lambda: order_with(currency_code="XYZ"),
             Out.LOADED, check=lambda o: len(o.purchases or []) == 1,
             note="left out of lifetime value with a warning (no exchange rate)"),
    BadInput("date in an odd format", E.MAPPER_STREAM,
             lambda: order_with(date_created="03/10/2024", date_modified="03/10/2024"),
             Out.MAPPER_DEAD_LETTERED, "orders.date_created"),
    BadInput("date far in the future", E.MAPPER_STREAM,
             lambda: order_with(date_created="9999-12-31T00:00:00+00:00",
                                date_modified="9999-12-31T00:00:00+00:00"),
             Out.DEAD_LETTERED, "createdAt", check=lambda o: not o.purchases,
             note="Iterable reads such a createdAt as milliseconds and refuses it"),
    BadInput("10 MB string", E.MAPPER_STREAM, lambda: customer(first_name="x" * 10_000_000),
             Out.DEAD_LETTERED, "4 MB", check=lambda o: set(users_of(o)) == {GOOD}),
    BadInput("deeply nested custom field", E.MAPPER_STREAM,
             lambda: customer(attributes=[attribute("deep", nested(200))]), Out.NORMALISED,
             check=lambda o: isinstance(
                 fields_of(o, "ann@example.com").get("attribute_deep", ""), str)),
    BadInput("unicode edge cases", E.MAPPER_STREAM,
             lambda: customer(first_name=UNICODE_NAME), Out.LOADED,
             check=lambda o: fields_of(o, "ann@example.com").get("firstName")
             == UNICODE_NAME),
    BadInput("control characters in a name", E.MAPPER_STREAM,
             lambda: customer(first_name="A\x07\x1b[31mB"), Out.LOADED,
             check=lambda o: "ann@example.com" in users_of(o)),
    BadInput("control character in an email", E.MAPPER_STREAM, lambda: customer("a\x00b@x.com"),
             Out.SKIPPED, check=lambda o: set(users_of(o)) == {GOOD}),
    BadInput("field name with periods", E.MAPPER_STREAM,
             lambda: customer(attributes=[attribute("size.eu", "42")]), Out.NORMALISED,
             check=lambda o: not any("." in k for k in fields_of(o, "ann@example.com"))),
    BadInput("a field changing type between records", E.MAPPER_STREAM,
             lambda: [*customer(attributes=[attribute("tier", "1")]),
                      ("customers", R.customer(2, "bo@example.com",
                                               attributes=[attribute("tier", 5)]))],
             Out.NORMALISED,
             check=lambda o: fields_of(o, "bo@example.com").get("attribute_tier") == "5"),
    BadInput("amount beyond exact decimal precision (10^28)", E.MAPPER_STREAM,
             lambda: order_with(total_inc_tax=R.d("1E+28")), Out.MAPPER_DEAD_LETTERED,
             "orders.total_inc_tax", note="found by fuzzing: was a decimal.InvalidOperation"),
    BadInput("unix time out of range", E.MAPPER_STREAM,
             lambda: order_with(date_created=-62_135_596_801, date_modified=-62_135_596_801),
             Out.MAPPER_DEAD_LETTERED, "orders.date_created",
             note="found by fuzzing: was a ValueError"),
    BadInput("RECORD message without its record", E.MAPPER_STREAM,
             lambda: '{"type": "RECORD", "stream": "customers"}', Out.RUN_STOPS,
             "RECORD message without record", note="found by fuzzing: was a KeyError"),
    BadInput("unknown stream", E.MAPPER_STREAM, lambda: [("mystery", {"id": 1})], Out.IGNORED),
    BadInput("truncated Singer line", E.MAPPER_STREAM,
             lambda: '{"type": "RECORD", "stream": "customers", "record": {"id": 1, "em',
             Out.RUN_STOPS, "Unable to parse"),
    BadInput("RECORD before its SCHEMA", E.MAPPER_STREAM,
             lambda: '{"type": "RECORD", "stream": "brands", "record": '
             '{"id": 1, "name": "Acme", "store_hash": "store1"}}', Out.LOADED,
             note="the mapper does not use input SCHEMAs (its output has its own)"),
    # Into the target
    BadInput("no email nor userId", E.TARGET_STREAM,
             lambda: singer(record("users", {"dataFields": {"a": 1}})), Out.DEAD_LETTERED,
             "email/userId"),
    BadInput("event without a name", E.TARGET_STREAM,
             lambda: singer(schema("events"), record("events", event(eventName=None))),
             Out.DEAD_LETTERED, "eventName"),
    BadInput("purchase total as a string", E.TARGET_STREAM,
             lambda: singer(schema("purchases"), record("purchases", purchase(total="25.0"))),
             Out.DEAD_LETTERED, "total"),
    BadInput("purchase quantity as a string", E.TARGET_STREAM,
             lambda: singer(schema("purchases"), record("purchases", purchase(
                 items=[{"id": "p1", "name": "Mug", "price": 12.5, "quantity": "2"}]))),
             Out.DEAD_LETTERED, "quantity"),
    BadInput("invalid email at Iterable", E.TARGET_STREAM,
             lambda: singer(record("users", {"email": "not-an-email"})), Out.DEAD_LETTERED,
             "email"),
    BadInput("dataFields name with a period", E.TARGET_STREAM,
             lambda: singer(record("users", {"email": "p@example.com",
                                             "dataFields": {"a.b": 1}})),
             Out.DEAD_LETTERED, "dataFields"),
    BadInput("dataFields changing type", E.TARGET_STREAM,
             lambda: singer(record("users", {"email": "t1@example.com", "dataFields": {"n": 1}}),
                            record("users", {"email": "t2@example.com",
                                             "dataFields": {"n": "two"}})),
             Out.DEAD_LETTERED, "dataFields.n", check=lambda o: "t1@example.com" in users_of(o)),
    BadInput("NaN", E.TARGET_STREAM,
             lambda: '{"type": "RECORD", "stream": "users", "record": '
             '{"email": "nan@example.com", "dataFields": {"n": NaN}}}', Out.DEAD_LETTERED, "JSON"),
    BadInput("10 MB record", E.TARGET_STREAM,
             lambda: singer(record("users", {"email": "big@example.com",
                                             "dataFields": {"x": "x" * 10_000_000}})),
             Out.DEAD_LETTERED, "4 MB"),
    BadInput("createdAt in milliseconds / far future", E.TARGET_STREAM,
             lambda: singer(schema("events"), record("events", event(createdAt=99999999999999))),
             Out.DEAD_LETTERED, "createdAt"),
    BadInput("event id over 512 characters", E.TARGET_STREAM,
             lambda: singer(schema("events"), record("events", event(id="x" * 600))),
             Out.DEAD_LETTERED, "id"),
    BadInput("truncated Singer line into the target", E.TARGET_STREAM,
             lambda: '{"type": "RECORD", "stream": "users", "record": {"email": "x@',
             Out.RUN_STOPS, "Unable to parse"),
    BadInput("RECORD before its SCHEMA into the target", E.TARGET_STREAM,
             lambda: singer(record("events", event())), Out.RUN_STOPS,
             "before a corresponding schema"),
    BadInput("unknown stream into the target", E.TARGET_STREAM,
             lambda: singer(schema("mystery"), record("mystery", {"a": 1})), Out.RUN_STOPS,
             "'mystery' maps to no Iterable operation"),
    BadInput("a JSON line that is null", E.TARGET_STREAM, lambda: "null", Out.RUN_STOPS,
             "must be a JSON object", note="found by fuzzing: was a TypeError"),
    BadInput("a JSON line that is no Singer message", E.TARGET_STREAM, lambda: '["a", "b"]',
             Out.RUN_STOPS, "must be a JSON object"),
    # Webhook receiver
    BadInput("webhook: missing secret", E.WEBHOOK,
             lambda: [(delivery(1), {"X-Webhook-Secret": ""})], Out.HTTP_REFUSED, "401"),
    BadInput("webhook: wrong secret", E.WEBHOOK,
             lambda: [(delivery(1), {"X-Webhook-Secret": "guess"})], Out.HTTP_REFUSED, "401"),
    BadInput("webhook: bad signature", E.WEBHOOK,
             lambda: [(delivery(1), {"webhook-signature": "v1,AAAA"})], Out.HTTP_REFUSED, "401"),
    BadInput("webhook: replayed signature (1 hour old)", E.WEBHOOK,
             lambda: [(delivery(1), {"webhook-timestamp": "-3600"})], Out.HTTP_REFUSED, "401"),
    BadInput("webhook: oversize body", E.WEBHOOK,
             lambda: [({**delivery(1), "data": {"pad": "x" * 70_000}}, {})], Out.HTTP_REFUSED,
             "413"),
    BadInput("webhook: not JSON", E.WEBHOOK, lambda: [(b"{not json", {})], Out.HTTP_REFUSED,
             "400"),
    BadInput("webhook: not application/json", E.WEBHOOK,
             lambda: [(delivery(1), {"Content-Type": "text/plain"})], Out.HTTP_REFUSED, "415"),
    BadInput("webhook: JSON without the envelope", E.WEBHOOK,
             lambda: [({"hello": "world"}, {})], Out.HTTP_REFUSED, "422"),
    BadInput("webhook: unknown scope", E.WEBHOOK,
             lambda: [(delivery(1, scope="store/unknown/thing"), {})], Out.STORED_ONCE,
             check=lambda o: o.stored == 1,
             note="kept; the cart_events stream reads cart scopes only"),
    BadInput("webhook: a flood of deliveries (a third repeated)", E.WEBHOOK, flood,
             Out.STORED_ONCE, check=lambda o: o.stored == 200),
]  # fmt: skip
