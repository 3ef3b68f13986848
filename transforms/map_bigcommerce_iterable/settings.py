"""The mapper's settings: the JSON Schema (`--about` documents it) and a typed, checked view."""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from singer_sdk import typing as th
from singer_sdk.exceptions import ConfigValidationError

from map_bigcommerce_iterable.normalise import NormalisationError, parse_timestamp
from map_bigcommerce_iterable.ownership import Owner

DEFAULT_DATABASE_URL = "sqlite:///.map-bigcommerce-iterable/store.sqlite"
# Beside the target's (`./dead-letters/target-iterable-{run_id}.jsonl`), in the same format.
DEFAULT_DEAD_LETTER_PATH = "./dead-letters/map-bigcommerce-iterable-{run_id}.jsonl"
# Every status except 0 Incomplete, 5 Cancelled and 6 Declined counts as a purchase.
DEFAULT_PURCHASE_STATUS_IDS = (1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14)
_CURRENCY = r"^[A-Z]{3}$"

CONFIG_JSONSCHEMA = th.PropertiesList(
    th.Property(
        "identity_mode",
        th.StringType,
        default="email",
        allowed_values=["email", "user_id", "hybrid"],
        description=(
            "How people are keyed, matching the Iterable project type: `email` (email-based "
            "project), `user_id` (userID-based, required in EU projects) or `hybrid` (email is "
            "the key, registered customers also carry `userId`)."
        ),
    ),
    th.Property(
        "identity_scope",
        th.StringType,
        default="unified",
        allowed_values=["unified", "per_store"],
        description=(
            "`unified`: the same shopper (same normalised email) in several stores is one "
            "Iterable user. `per_store`: one user per store (only possible with "
            "`identity_mode: user_id`, since emails are unique in the other project types)."
        ),
    ),
    th.Property(
        "on_customer_deleted",
        th.StringType,
        default="flag",
        allowed_values=["keep", "flag", "delete", "forget"],
        description=(
            "What a customer deleted in BigCommerce (the `customer_deletions` stream) becomes in "
            "Iterable: `flag` sets `bcDeleted` to the time of the deletion, so marketers can "
            "exclude them; `delete` deletes the user (Iterable accepts later data about them); "
            "`forget` forgets them (GDPR: data deleted, later data blocked, at most 1000 per day "
            "per project); `keep` changes nothing. Each is logged per person and counted."
        ),
    ),
    th.Property(
        "user_id_template",
        th.StringType,
        default="bc-{store_hash}-{customer_id}",
        description=(
            "Iterable userId of a registered customer. Placeholders: `{store_hash}`, "
            "`{customer_id}` (required). The result must be 1-52 printable ASCII characters."
        ),
    ),
    th.Property(
        "guest_user_id_template",
        th.StringType,
        default="bc-guest-{email_hash}",
        description=(
            "Iterable userId of a guest (used in `user_id` mode). Placeholders: `{email_hash}` "
            "(required: 24 hex characters of SHA-256 of the normalised email, salted with the "
            "store in `per_store` scope) and `{store_hash}`."
        ),
    ),
    th.Property(
        "database_url",
        th.StringType,
        default=DEFAULT_DATABASE_URL,
        secret=True,  # a server URL may carry a password
        description=(
            "SQLAlchemy URL of the embedded store (email to identity index, order ledger for "
            "lifetime value, catalog lookups). Default: a SQLite file "
            "`.map-bigcommerce-iterable/store.sqlite` under the working directory (the Meltano "
            "project root under `meltano run`); any SQLAlchemy URL at scale."
        ),
    ),
    th.Property(
        "dead_letter_path",
        th.StringType,
        default=DEFAULT_DEAD_LETTER_PATH,
        description=(
            "JSON Lines file for input records the mapper refused (a record that breaks the tap "
            "contract, e.g. a non-numeric amount): one line each with the record, the reason and "
            "the field; the rest of the run goes on. `{run_id}` is replaced by the run's UTC "
            "timestamp; created on the first letter. Same format as the target's dead letters "
            "(the reconciler's `--dead-letters` reads both; `target-iterable replay` skips these: "
            "fix the record at the source and re-extract it)."
        ),
    ),
    th.Property(
        "purchase_status_ids",
        th.ArrayType(th.IntegerType),
        default=list(DEFAULT_PURCHASE_STATUS_IDS),
        description=(
            "BigCommerce order status ids that make an order a purchase. Default: all but "
            "0 Incomplete, 5 Cancelled and 6 Declined. Archived orders never are."
        ),
    ),
    th.Property(
        "event_name_prefix",
        th.StringType,
        default="bc_",
        description="Prefix of every custom event name (may be empty).",
    ),
    th.Property(
        "event_name_style",
        th.StringType,
        default="snake_case",
        allowed_values=["snake_case", "camelCase"],
        description="Style of event names: `order_shipped` or `orderShipped` (after the prefix).",
    ),
    th.Property(
        "event_names",
        th.ObjectType(additional_properties=th.StringType),
        default={},
        description=(
            "Per-event overrides of the full name, keyed by canonical event "
            '(e.g. `{"order_shipped": "Order Shipped"}`); the prefix is not added to them.'
        ),
    ),
    th.Property(
        "ownership_overrides",
        th.ObjectType(additional_properties=th.StringType),
        default={},
        description=(
            "Per user field, `bigcommerce` (sent) or `iterable` (never sent), overriding the "
            "default ownership table in the README."
        ),
    ),
    th.Property(
        "nullable_fields",
        th.ArrayType(th.StringType),
        default=[],
        description=(
            "User fields for which an empty BigCommerce value is sent as null (erasing the "
            "Iterable value). By default a missing or empty value never erases anything."
        ),
    ),
    th.Property(
        "reporting_currency",
        th.StringType(pattern=_CURRENCY),
        description=(
            "ISO 4217 code of the revenue currency: purchase totals, line prices and lifetime "
            "value are expressed in it, converted with each order's own exchange rate (and the "
            "store's currency rates when it is not the store's). Default: the store's default "
            "currency. The order's own currency and amounts stay in the purchase's dataFields."
        ),
    ),
    th.Property(
        "default_currency",
        th.StringType(pattern=_CURRENCY),
        description=(
            "Store currency to assume when no `store_settings` record was ever seen for a store "
            "(stream not selected). Orders carry their own currency either way."
        ),
    ),
    th.Property(
        "default_locale",
        th.StringType,
        description="Store locale to assume when no `store_settings` record was ever seen.",
    ),
    th.Property(
        "default_store_url",
        th.StringType,
        description=(
            "Storefront base URL (e.g. `https://shop.example.com`) to make product URLs absolute "
            "when no `store_settings` record was ever seen."
        ),
    ),
    th.Property(
        "item_id_template",
        th.StringType,
        default="{store_hash}-{product_id}",
        description=(
            "Id of catalog items and of purchase/cart line items (the same, so they join). "
            "Placeholders `{store_hash}`, `{product_id}` (required). Letters, digits, dashes."
        ),
    ),
    th.Property(
        "cart_recovery_url_template",
        th.StringType,
        default="{store_url}/cart.php",
        description=(
            "`recoveryUrl` of `cart_abandoned` events when the cart carries no "
            "`redirect_urls.cart_url`. Placeholders `{store_url}` (storefront base URL), "
            "`{cart_id}`, `{token}` (the abandoned-cart token of the webhook), e.g. a headless "
            "storefront's `recover_abandoned_cart` route "
            "`https://shop.example.com/recover?t={token}`. "
            "The default, the storefront's cart page, restores the cart in the shopper's own "
            "browser only. Empty: no URL."
        ),
    ),
    th.Property(
        "lifecycle_events_since",
        th.DateTimeType,
        description=(
            "Lifecycle events (account created, first/repeat purchase, order status changed, "
            "shipped, cancelled, refunded) are only emitted for changes at or after this time. "
            "Set it to the go-live date so a backfill does not trigger journeys for old "
            "customers and orders. Default: all."
        ),
    ),
    th.Property(
        "user_buffer_size",
        th.IntegerType(minimum=1),
        default=10_000,
        description=(
            "Users are buffered (several updates of one person become one record) until the "
            "next STATE message or until this many people are pending, whichever comes first."
        ),
    ),
    th.Property(
        "state_interval_seconds",
        th.NumberType(minimum=0),
        default=300,
        description=(
            "STATE messages are held (only the latest) and forwarded after the users they cover "
            "at most this often, at the end of input, or when the user buffer is full. Longer "
            "means more updates of one person collapse into one record; 0 forwards every STATE."
        ),
    ),
    th.Property(
        "flush_seconds",
        th.NumberType(exclusive_minimum=0),
        default=1.0,
        description=(
            "Once the input has been quiet this long, the buffered users and the held STATE are "
            "forwarded without waiting for `state_interval_seconds` or more input: a follow-mode "
            "tap's last change reaches the target in bounded time. In follow mode also set "
            "`state_interval_seconds` to about 1 so STATE flows while changes keep coming."
        ),
    ),
    th.Property(
        "include_customer_attributes",
        th.BooleanType,
        default=True,
        description="Send BigCommerce customer attributes as `attribute_<name>` string fields.",
    ),
).to_dict()


@dataclass(frozen=True)
class MapperSettings:
    """The validated settings, typed."""

    identity_mode: str
    identity_scope: str
    user_id_template: str
    guest_user_id_template: str
    database_url: str
    dead_letter_path: str
    purchase_status_ids: frozenset[int]
    event_name_prefix: str
    event_name_style: str
    event_names: Mapping[str, str]
    ownership_overrides: Mapping[str, Owner]
    nullable_fields: frozenset[str]
    reporting_currency: str | None
    default_currency: str | None
    default_locale: str | None
    default_store_url: str | None
    item_id_template: str
    cart_recovery_url_template: str
    lifecycle_events_since: datetime | None
    include_customer_attributes: bool
    user_buffer_size: int
    state_interval_seconds: float
    flush_seconds: float = 1.0
    on_customer_deleted: str = "flag"

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MapperSettings:
        """Check what the JSON Schema cannot express; raise naming the key."""
        _check_template(
            config, "user_id_template", required={"customer_id"}, allowed={"store_hash"}
        )
        _check_template(
            config, "guest_user_id_template", required={"email_hash"}, allowed={"store_hash"}
        )
        _check_template(config, "item_id_template", required={"product_id"}, allowed={"store_hash"})
        _check_template(
            config,
            "cart_recovery_url_template",
            required=set(),
            allowed={"store_url", "cart_id", "token"},
        )
        if config["identity_scope"] == "per_store" and config["identity_mode"] != "user_id":
            _fail(
                "identity_scope",
                "`per_store` needs identity_mode `user_id`: emails are unique in email-based "
                "and hybrid projects, so one email is one user across stores",
            )
        overrides: dict[str, Owner] = {}
        for field, owner in config["ownership_overrides"].items():
            try:
                overrides[field] = Owner(owner)
            except ValueError:
                _fail(
                    f"ownership_overrides.{field}",
                    f"expected bigcommerce or iterable, got {owner!r}",
                )
        unknown_events = set(config["event_names"]) - set(EVENT_KEYS)
        if unknown_events:
            _fail(
                "event_names",
                f"unknown event(s) {sorted(unknown_events)}; known: {', '.join(EVENT_KEYS)}",
            )
        since = None
        if config.get("lifecycle_events_since"):
            try:
                since = parse_timestamp(config["lifecycle_events_since"], "lifecycle_events_since")
            except NormalisationError as exc:
                _fail("lifecycle_events_since", str(exc))
        return cls(
            identity_mode=config["identity_mode"],
            identity_scope=config["identity_scope"],
            user_id_template=config["user_id_template"],
            guest_user_id_template=config["guest_user_id_template"],
            database_url=config["database_url"],
            dead_letter_path=config["dead_letter_path"],
            purchase_status_ids=frozenset(config["purchase_status_ids"]),
            event_name_prefix=config["event_name_prefix"],
            event_name_style=config["event_name_style"],
            event_names=dict(config["event_names"]),
            ownership_overrides=overrides,
            nullable_fields=frozenset(config["nullable_fields"]),
            reporting_currency=config.get("reporting_currency"),
            default_currency=config.get("default_currency"),
            default_locale=config.get("default_locale"),
            default_store_url=config.get("default_store_url"),
            item_id_template=config["item_id_template"],
            cart_recovery_url_template=config["cart_recovery_url_template"],
            lifecycle_events_since=since,
            include_customer_attributes=config["include_customer_attributes"],
            user_buffer_size=config["user_buffer_size"],
            state_interval_seconds=float(config["state_interval_seconds"]),
            flush_seconds=float(config.get("flush_seconds", 1.0)),
            on_customer_deleted=config.get("on_customer_deleted", "flag"),
        )


# Canonical event keys (the names before prefix and style), documented in the README.
EVENT_KEYS = (
    "account_created",
    "first_purchase",
    "repeat_purchase",
    "order_status_changed",
    "order_shipped",
    "order_cancelled",
    "order_refunded",
    "cart_abandoned",
    "cart_converted",
    "checkout_started",
)


def _fail(key: str, problem: str) -> None:
    raise ConfigValidationError(
        f"Invalid setting {key}: {problem}", errors=[f"{problem} in config[{key!r}]"]
    )


def _check_template(
    config: Mapping[str, Any], key: str, *, required: set[str], allowed: set[str]
) -> None:
    template = config[key]
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(template) if name is not None}
    except ValueError as exc:
        _fail(key, f"not a valid template: {exc}")
        return
    missing = required - names
    unknown = names - required - allowed
    if missing:
        _fail(key, f"missing placeholder(s) {sorted(missing)}")
    if unknown:
        _fail(
            key, f"unknown placeholder(s) {sorted(unknown)}; allowed: {sorted(required | allowed)}"
        )
    literal = template
    for name in names:
        literal = literal.replace("{" + name + "}", "")
    if key == "item_id_template" and not re.fullmatch(r"[A-Za-z0-9-]*", literal):
        _fail(key, "catalog item ids allow only letters, digits and dashes")
    if not re.fullmatch(r"[ -~]*", literal):
        _fail(key, "userIds allow only printable ASCII")
