"""Settings of target-iterable: the JSON Schema shown by `--about`, and a typed view of a config.

Defaults for rate limits follow Iterable's documented per-endpoint limits (requests per second); the
commerce endpoints have no documented limit, so a conservative default is used.
"""

from __future__ import annotations

import datetime
import ipaddress
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from singer_sdk import typing as th

from target_iterable.contract import OPERATIONS
from target_iterable.endpoints import (
    ALL_ENDPOINTS,
    MAX_ITEMS_PER_BULK_REQUEST,
    USERS_FORGET_DAILY_CAP,
)
from target_iterable.ledger import DEFAULT_DATABASE_URL

UNKNOWN_STREAM_POLICIES = ("fail", "dead_letter")


def insecure_url_problem(url: str) -> str | None:
    """Why a URL may not carry the API key (None when it may): https, or http to loopback only."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return f"must be an http(s) URL such as https://api.iterable.com, got {url!r}"
    if parts.scheme == "https" or _is_loopback(parts.hostname):
        return None
    return (
        "must use https:// (plain http:// is only allowed to loopback addresses such as "
        f"127.0.0.1 or localhost, for the sandbox), got {url!r}"
    )


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _rate_limit_properties() -> th.PropertiesList:
    return th.PropertiesList(
        *(
            th.Property(
                endpoint.key,
                th.NumberType(exclusive_minimum=0),
                default=endpoint.default_rate,
                nullable=False,
                description=f"Requests per second to `{endpoint.label()}` "
                f"(default {endpoint.default_rate:g}; {endpoint.rate_source}).",
            )
            for endpoint in ALL_ENDPOINTS
        )
    )


def _batch_size(name: str, endpoint: str) -> th.Property:
    return th.Property(
        name,
        th.IntegerType(minimum=1, maximum=MAX_ITEMS_PER_BULK_REQUEST),
        default=MAX_ITEMS_PER_BULK_REQUEST,
        nullable=False,
        description=f"Records per `{endpoint}` request (1-1000; a request also stays under 4 MB).",
    )


CONFIG_JSONSCHEMA: dict[str, Any] = th.PropertiesList(
    th.Property(
        "api_key",
        th.StringType(min_length=1),
        required=True,
        secret=True,
        description="Iterable server-side API key (sent as the `Api-Key` header, never logged).",
    ),
    th.Property(
        "api_url",
        th.URIType,
        default="https://api.iterable.com",
        nullable=False,
        description="Iterable API root; EU projects use `https://api.eu.iterable.com`.",
    ),
    th.Property(
        "catalog_name",
        th.StringType(pattern="^[A-Za-z0-9-]{1,255}$"),
        default="products",
        nullable=False,
        description="Catalog that `catalog_items` records go to; created if missing.",
    ),
    th.Property(
        "catalog_replace_uploaded_fields_only",
        th.BooleanType,
        default=False,
        nullable=False,
        description="Catalog bulk `replaceUploadedFieldsOnly`: false replaces whole items "
        "(idempotent), true keeps fields not sent.",
    ),
    th.Property(
        "dead_letter_path",
        th.StringType(min_length=1),
        description="JSON Lines file for records Iterable refused or that failed validation. "
        "`{run_id}` is replaced by the run's UTC timestamp. Default: "
        "`./dead-letters/target-iterable-{run_id}.jsonl` (one file per run).",
    ),
    th.Property(
        "database_url",
        th.StringType(min_length=1),
        default=DEFAULT_DATABASE_URL,
        nullable=False,
        secret=True,  # a server URL may carry a password
        description="SQLAlchemy URL of the delivery ledger: what the Iterable project accepted, "
        "so that re-runs, full refreshes and backfills send only what it lacks. Default: a SQLite "
        "file `.target-iterable/ledger.sqlite` under the working directory (the Meltano project "
        "root). On ephemeral workers point it at a persistent database (e.g. "
        "`postgresql+psycopg://...`); a run whose STATE names another ledger stops.",
    ),
    th.Property(
        "ledger_scope",
        th.StringType(min_length=1, max_length=64),
        description="Name of the Iterable project in the ledger. Default: a one-way digest of "
        "api_url and api_key (the key is never stored). Set it before rotating the API key, "
        "so the new key's runs keep the project's ledger.",
    ),
    th.Property(
        "ledger_rebuild",
        th.BooleanType,
        default=False,
        nullable=False,
        description="Start a new delivery ledger although the STATE says earlier runs delivered "
        "through another one (lost on an ephemeral worker). Records read by this run are sent "
        "again and may enter journeys again: run it on an incremental run, not a full refresh.",
    ),
    th.Property(
        "resend_changed_purchases",
        th.BooleanType,
        default=False,
        nullable=False,
        description="Track a purchase again when its content changed (e.g. a refunded line). "
        "Cost: each re-send is a purchase *updated* on the profile, which enters Purchase "
        "journeys again and empties the shopper's current cart. Off: a purchase is tracked once; "
        "later changes arrive as lifecycle events.",
    ),
    th.Property(
        "historical_cutoff",
        th.DateTimeType,
        description="Events and purchases whose `createdAt` is before this time are not sent "
        "(counted as before_historical_cutoff). Iterable documents no createdAt that keeps a "
        "write out of journeys, so history sent on a first sync or a backfill may enter live "
        "journeys: set this to the go-live time to keep old history out (profiles still get "
        "lifetime value). Default: everything is sent.",
    ),
    th.Property(
        "stream_operations",
        th.ObjectType(additional_properties=th.StringType(allowed_values=list(OPERATIONS))),
        default={},
        nullable=False,
        description="Maps incoming stream names to operations (`"
        + "`, `".join(OPERATIONS)
        + "`). A stream named after an operation needs no entry.",
    ),
    th.Property(
        "unknown_streams",
        th.StringType(allowed_values=list(UNKNOWN_STREAM_POLICIES)),
        default="fail",
        nullable=False,
        description="What to do with a stream that maps to no operation: `fail` stops the run "
        "at its SCHEMA message naming the stream; `dead_letter` writes its records to the "
        "dead-letter log and goes on.",
    ),
    _batch_size("users_per_request", "users/bulkUpdate"),
    _batch_size("events_per_request", "events/trackBulk"),
    _batch_size("catalog_items_per_request", "catalogs/{catalogName}/items"),
    th.Property(
        "commerce_concurrency",
        th.IntegerType(minimum=1, maximum=64),
        default=8,
        nullable=False,
        description="Concurrent `trackPurchase` / `updateCart` / delete requests "
        "(always within their rate limit).",
    ),
    th.Property(
        "users_forget_daily_cap",
        th.IntegerType(minimum=0),
        default=USERS_FORGET_DAILY_CAP,
        nullable=False,
        description="`users/forget` calls allowed per 24 hours (Iterable: 1000 per project, "
        "Swagger `forget`). Counted over the last 24 hours in the delivery ledger; a forget "
        "beyond it is dead-lettered (rule `daily_cap`) for `target-iterable replay` later.",
    ),
    th.Property(
        "rate_limits",
        _rate_limit_properties(),
        description="Requests per second per Iterable endpoint; unset endpoints use the defaults.",
    ),
    th.Property(
        "merge_nested_objects",
        th.BooleanType,
        default=False,
        nullable=False,
        description="Default `mergeNestedObjects` for user updates (a record's own value wins).",
    ),
    th.Property(
        "prefer_user_id",
        th.BooleanType,
        default=False,
        nullable=False,
        description="Default `preferUserId` for user updates (email-based projects only: create a "
        "user from a userId alone).",
    ),
    th.Property(
        "create_new_fields",
        th.BooleanType,
        description="`createNewFields` sent with user and event requests; unset = the project's "
        "own setting.",
    ),
    th.Property(
        "request_timeout",
        th.NumberType(exclusive_minimum=0),
        default=60.0,
        nullable=False,
        description="Seconds before an HTTP request to Iterable times out (then it is retried).",
    ),
    th.Property(
        "max_retries",
        th.IntegerType(minimum=0, maximum=20),
        default=8,
        nullable=False,
        description="Retries of one request after 429, 5xx, a timeout or a dropped connection; "
        "then the run fails naming the endpoint.",
    ),
    th.Property(
        "retry_initial_delay",
        th.NumberType(minimum=0),
        default=1.0,
        nullable=False,
        description="Seconds before the first retry; doubles each retry, with full jitter. "
        "A `Retry-After` header wins.",
    ),
    th.Property(
        "retry_max_delay",
        th.NumberType(minimum=0),
        default=60.0,
        nullable=False,
        description="Upper bound in seconds of one retry delay (also caps `Retry-After`).",
    ),
    th.Property(
        "progress_interval",
        th.NumberType(minimum=0),
        default=30.0,
        nullable=False,
        description="Seconds between progress log lines (0 logs after every batch).",
    ),
    th.Property(
        "flush_seconds",
        th.NumberType(exclusive_minimum=0),
        default=1.0,
        nullable=False,
        description=(
            "A STATE received is acted on within this many seconds: every sink is sent and the "
            "STATE emitted (so Meltano commits it), and records are sent once the input has been "
            "quiet this long. Under load, batches still fill to the bulk request size first. "
            "What makes a follow-mode tap's changes reach Iterable in seconds."
        ),
    ),
).to_dict()


@dataclass(frozen=True)
class RetryPolicy:
    max_retries: int
    initial_delay: float
    max_delay: float


@dataclass(frozen=True)
class Settings:
    """The config, typed, after the SDK has validated it and filled in defaults."""

    api_key: str
    api_url: str
    catalog_name: str
    catalog_replace_uploaded_fields_only: bool
    dead_letter_path: str | None
    stream_operations: dict[str, str]
    unknown_streams: str
    users_per_request: int
    events_per_request: int
    catalog_items_per_request: int
    commerce_concurrency: int
    rate_limits: dict[str, float]
    merge_nested_objects: bool
    prefer_user_id: bool
    create_new_fields: bool | None
    request_timeout: float
    retry: RetryPolicy
    progress_interval: float
    validate_records: bool
    flush_seconds: float = 1.0
    database_url: str = DEFAULT_DATABASE_URL
    ledger_scope: str | None = None
    ledger_rebuild: bool = False
    resend_changed_purchases: bool = False
    historical_cutoff: int | None = None  # unix seconds
    users_forget_daily_cap: int = USERS_FORGET_DAILY_CAP

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> Settings:
        rate_limits = {endpoint.key: endpoint.default_rate for endpoint in ALL_ENDPOINTS}
        rate_limits.update(
            {key: float(rate) for key, rate in (config.get("rate_limits") or {}).items()}
        )
        return cls(
            api_key=config["api_key"],
            api_url=config.get("api_url", "https://api.iterable.com").rstrip("/"),
            catalog_name=config.get("catalog_name", "products"),
            catalog_replace_uploaded_fields_only=config.get(
                "catalog_replace_uploaded_fields_only", False
            ),
            dead_letter_path=config.get("dead_letter_path"),
            stream_operations=dict(config.get("stream_operations") or {}),
            unknown_streams=config.get("unknown_streams", "fail"),
            users_per_request=config.get("users_per_request", MAX_ITEMS_PER_BULK_REQUEST),
            events_per_request=config.get("events_per_request", MAX_ITEMS_PER_BULK_REQUEST),
            catalog_items_per_request=config.get(
                "catalog_items_per_request", MAX_ITEMS_PER_BULK_REQUEST
            ),
            commerce_concurrency=config.get("commerce_concurrency", 8),
            rate_limits=rate_limits,
            merge_nested_objects=config.get("merge_nested_objects", False),
            prefer_user_id=config.get("prefer_user_id", False),
            create_new_fields=config.get("create_new_fields"),
            request_timeout=float(config.get("request_timeout", 60.0)),
            retry=RetryPolicy(
                max_retries=config.get("max_retries", 8),
                initial_delay=float(config.get("retry_initial_delay", 1.0)),
                max_delay=float(config.get("retry_max_delay", 60.0)),
            ),
            progress_interval=float(config.get("progress_interval", 30.0)),
            validate_records=config.get("validate_records", True),
            flush_seconds=float(config.get("flush_seconds", 1.0)),
            database_url=config.get("database_url") or DEFAULT_DATABASE_URL,
            ledger_scope=config.get("ledger_scope"),
            ledger_rebuild=bool(config.get("ledger_rebuild", False)),
            resend_changed_purchases=bool(config.get("resend_changed_purchases", False)),
            historical_cutoff=_unix_seconds(config.get("historical_cutoff")),
            users_forget_daily_cap=int(
                config.get("users_forget_daily_cap", USERS_FORGET_DAILY_CAP)
            ),
        )


def _unix_seconds(value: str | None) -> int | None:
    if not value:
        return None
    try:
        moment = datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        msg = f"historical_cutoff must be an ISO 8601 date-time, got {value!r}"
        raise ValueError(msg) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return int(moment.timestamp())
