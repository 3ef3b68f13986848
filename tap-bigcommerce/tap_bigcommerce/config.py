"""The tap's settings (JSON Schema) and the checks JSON Schema cannot express."""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from singer_sdk import typing as th
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from tap_bigcommerce import __version__
from tap_bigcommerce.bad_records import DEAD_LETTER, DEFAULT_DEAD_LETTER_PATH, FAIL

DEFAULT_INBOX_URL = "sqlite:///bigcommerce-webhooks.sqlite"
ORDER_STATUS_IDS = list(range(16))

CONFIG_SCHEMA = th.PropertiesList(
    th.Property(
        "store_hash",
        th.StringType(pattern=r"^[A-Za-z0-9_-]+$"),
        required=True,
        description="The store hash from the API path, e.g. `abc123` in `/stores/abc123/v3`.",
    ),
    th.Property(
        "access_token",
        th.StringType(min_length=1),
        required=True,
        secret=True,
        description="API account access token (sent as `X-Auth-Token`, never logged).",
    ),
    th.Property(
        "api_url",
        th.StringType,
        default="https://api.bigcommerce.com",
        description="API root; requests go to `{api_url}/stores/{store_hash}/v2|v3/...`.",
    ),
    th.Property(
        "start_date",
        th.DateTimeType,
        description=(
            "Earliest modification date to extract on the first run (ISO 8601, UTC if no "
            "offset). Unset: the whole history."
        ),
    ),
    th.Property(
        "page_size",
        th.IntegerType(minimum=1, maximum=1000),
        default=250,
        description=(
            "Records per list request. BigCommerce allows at most 250 and answers 413 above "
            "that; the tap then halves the page size until it is accepted."
        ),
    ),
    th.Property(
        "order_status_ids",
        th.ArrayType(th.IntegerType(minimum=0, maximum=15)),
        description=(
            "Only emit orders in these status ids (e.g. `[2, 10, 11]`). Unset: every status "
            "except Incomplete (0), which `include_incomplete_orders` controls."
        ),
    ),
    th.Property(
        "include_incomplete_orders",
        th.BooleanType,
        default=False,
        description=(
            "Also extract Incomplete orders (status 0): checkouts abandoned at the payment "
            "step. BigCommerce lists them only when asked for status 0."
        ),
    ),
    th.Property(
        "include_archived_orders",
        th.BooleanType,
        default=True,
        description=(
            "Also list archived (deleted) orders, flagged `is_archived: true`, with one more pass "
            "asking for `is_deleted=true` (the default list may leave them out)."
        ),
    ),
    th.Property(
        "order_coupons",
        th.StringType,
        default="when_used",
        allowed_values=["when_used", "always", "never"],
        description=(
            "When to fetch an order's coupons (`/orders/{id}/coupons`, one request per order). "
            "Coupon codes are read from the line items' `applied_discounts` in every mode "
            "(`coupon_codes`). `when_used`: only for an order whose `coupon_discount` its lines "
            "do not account for (e.g. a coupon that discounted only shipping); `always`: for "
            "every order (also catches coupons that discounted nothing); `never`: not at all "
            "(`coupons` is then empty, `coupon_codes` holds the lines' codes)."
        ),
    ),
    th.Property(
        "request_timeout",
        th.IntegerType(minimum=1),
        default=60,
        description="Seconds to wait for a response before retrying the request.",
    ),
    th.Property(
        "max_retries",
        th.IntegerType(minimum=0, maximum=20),
        default=5,
        description=(
            "Retries of a request that failed with a 5xx, a timeout, a dropped connection or a "
            "header-less 429, with exponential backoff; then the run fails. Rate-limit 429s "
            "wait for the quota reset and do not count."
        ),
    ),
    th.Property(
        "retry_base_seconds",
        th.NumberType(minimum=0),
        default=5.0,
        description="First backoff wait in seconds; it doubles per retry (with jitter).",
    ),
    th.Property(
        "retry_max_seconds",
        th.NumberType(minimum=0),
        default=120.0,
        description="Longest single backoff wait in seconds.",
    ),
    th.Property(
        "rate_limit_reserve",
        th.IntegerType(minimum=0),
        default=0,
        description=(
            "Requests of the store's quota (`X-Rate-Limit-Requests-Left`) to leave for other "
            "apps: when only this many are left the tap waits for the window to reset."
        ),
    ),
    th.Property(
        "user_agent",
        th.StringType,
        default=f"tap-bigcommerce/{__version__}",
        description="User-Agent sent with every request (BigCommerce asks apps to set one).",
    ),
    th.Property(
        "on_bad_record",
        th.StringType,
        default=DEAD_LETTER,
        allowed_values=[DEAD_LETTER, FAIL],
        description=(
            "A record the tap cannot normalise (a value that does not fit its field, e.g. a "
            "price that is not a number): `dead_letter` writes it to `dead_letter_path` with the "
            "field and reason, counts it in the run summary and goes on (exit 0); `fail` stops "
            "the run with an error naming the stream, record and field."
        ),
    ),
    th.Property(
        "dead_letter_path",
        th.StringType,
        default=DEFAULT_DEAD_LETTER_PATH,
        description=(
            "JSON Lines file for records the tap could not normalise: one line each with the "
            "stream, the field, the reason and the record as BigCommerce sent it (the access "
            "token never appears). `{run_id}` is replaced by the run's UTC timestamp; created on "
            "the first letter. Same format as the mapper's and the target's dead letters (the "
            "reconciler's `--dead-letters` reads it); `tap-bigcommerce replay --dead-letters "
            "FILE` re-extracts its records."
        ),
    ),
    th.Property(
        "inbox_url",
        th.StringType,
        default=DEFAULT_INBOX_URL,
        description=(
            "SQLAlchemy URL of the webhook inbox that `tap-bigcommerce-webhooks serve` writes and "
            "the `cart_events` and `customer_deletions` streams read (SQLite file by default; e.g. "
            "`postgresql+psycopg://...` when receiver and tap run on different machines)."
        ),
    ),
    th.Property(
        "follow",
        th.BooleanType,
        default=False,
        description=(
            "Follow mode: after catching up, keep running. Each webhook the receiver stores wakes "
            "the tap, which runs the incremental query of the streams it concerns from their "
            "bookmarks (one list request per stream per wake-up, however many webhooks arrived), "
            "then emits STATE. `meltano run` then never ends; stop it with SIGTERM."
        ),
    ),
    th.Property(
        "sweep_seconds",
        th.NumberType(minimum=1),
        default=300,
        description=(
            "Follow mode: run every followed stream's incremental query this often even without "
            "a webhook, so a lost webhook costs at most one sweep of latency."
        ),
    ),
    th.Property(
        "inbox_poll_seconds",
        th.NumberType(exclusive_minimum=0),
        default=0.25,
        description=(
            "Follow mode: how often the webhook inbox is polled for new deliveries (a PostgreSQL "
            "inbox also wakes the tap at once through LISTEN/NOTIFY)."
        ),
    ),
    th.Property(
        "cart_abandon_minutes",
        th.NumberType(exclusive_minimum=0),
        description=(
            "Report a cart abandoned (a `store/cart/abandoned` cart event) once it has had no "
            "webhook for this many minutes, earlier than BigCommerce's own one-hour webhook; "
            "never for a cart that became an order. Unset: only BigCommerce's webhook."
        ),
    ),
    th.Property(
        "hook_check_seconds",
        th.NumberType(minimum=0),
        default=600,
        description=(
            "Follow mode: how often `GET /v3/hooks` is read to find hooks BigCommerce deactivated "
            "after failed deliveries; they are re-enabled and a sweep runs. 0: never."
        ),
    ),
    th.Property(
        "health_log_seconds",
        th.NumberType(minimum=0),
        default=60,
        description=(
            "Follow mode: how often a `follow: health` line is logged: how far behind the newest "
            "inbox delivery and the newest change the pipeline is (webhook lag, unread "
            "deliveries, bookmark ages). 0: never."
        ),
    ),
).to_dict()


class InvalidConfigError(ValueError):
    """A setting has a value the tap cannot use; the message names the setting."""


def is_loopback_host(host: str | None) -> bool:
    """127.0.0.0/8, ::1 or localhost: traffic that never leaves the machine (the sandbox)."""
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_api_url(api_url: str, setting: str = "api_url") -> None:
    """https, or plain http to this machine only: the token must never cross a network in clear."""
    parts = urlsplit(api_url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        msg = (
            f"{setting} must be an http(s) URL such as https://api.bigcommerce.com, got {api_url!r}"
        )
        raise InvalidConfigError(msg)
    if parts.scheme == "http" and not is_loopback_host(parts.hostname):
        msg = (
            f"{setting} must use https:// (plain http:// is only allowed to loopback addresses "
            f"such as 127.0.0.1 or localhost), got {api_url!r}"
        )
        raise InvalidConfigError(msg)


def check_config(config: Mapping[str, Any]) -> None:
    """Cross-checks beyond the JSON Schema, each naming the setting at fault."""
    check_api_url(str(config.get("api_url", "")))
    start_date = config.get("start_date")
    if start_date is not None:
        try:
            datetime.fromisoformat(str(start_date))
        except ValueError as exc:
            msg = f"start_date must be ISO 8601 like 2024-01-01T00:00:00Z, got {start_date!r}"
            raise InvalidConfigError(msg) from exc
    inbox_url = str(config.get("inbox_url", DEFAULT_INBOX_URL))
    try:
        make_url(inbox_url)
    except ArgumentError as exc:
        msg = f"inbox_url must be an SQLAlchemy URL such as {DEFAULT_INBOX_URL}"
        raise InvalidConfigError(msg) from exc
