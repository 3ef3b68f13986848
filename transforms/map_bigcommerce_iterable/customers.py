"""Registered customers and newsletter subscribers become user profile updates.

Consent is recorded as facts, one per email channel, each with the time of the BigCommerce record
it came from (`consent.py`): Iterable owns subscription state, so nothing here ever subscribes or
re-subscribes anyone. Phone numbers go to `phone` as typed and, in E.164, to `phoneNumber`.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from map_bigcommerce_iterable.consent import customer_consent, subscriber_consent
from map_bigcommerce_iterable.context import MapperContext, require_id, require_store_hash
from map_bigcommerce_iterable.identity import Identity
from map_bigcommerce_iterable.lifecycle import emit_account_created
from map_bigcommerce_iterable.normalise import (
    NormalisationError,
    field_name,
    integer,
    iterable_date,
    money,
    normalise_email,
    parse_timestamp,
    text,
    to_decimal,
)
from map_bigcommerce_iterable.users import source_stamp, supersedes


def offer_store_fields(ctx: MapperContext, identity: Identity, store_hash: str) -> None:
    """Store, currency, time zone, and the locale: the shopper's own (the newest order's
    `customer_locale`, remembered) else the store's default language.

    The store's values are offered as the weakest (no date of their own): a record's own dated
    value wins over them, and a re-read record cannot turn a shopper's locale back to the
    store's. The shopper's own locale is offered with the date of the order it came from, not
    the caller's record's: a customer record modified later must not re-date an older locale.
    """
    facts = ctx.store_facts(store_hash)
    defaults = {
        "storeHash": store_hash,
        "currency": facts.currency,
        "locale": facts.locale,
        "timeZone": facts.time_zone,
    }
    ctx.update_user(identity, defaults, None)
    remembered = ctx.store.shopper_locale(identity.person_id)
    if remembered is not None:
        locale, source_at = remembered
        as_of = datetime.fromisoformat(source_at) if source_at else None
        ctx.update_user(identity, {"locale": locale}, as_of)


def remember_shopper_locale(
    ctx: MapperContext, identity: Identity, locale: str, as_of: datetime | None
) -> None:
    """Remember an order's `customer_locale` for the person's records without one, if it is
    the newest read so far (by the order's date, not the reading order: a full re-read in
    another order must end with the same locale)."""
    source_at = source_stamp(as_of)
    remembered = ctx.store.shopper_locale(identity.person_id)
    if remembered is None or supersedes(source_at, remembered[1]):
        ctx.store.put_shopper_locale(identity.person_id, locale, source_at)


def handle_customers(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("customers", record)
    customer_id = require_id("customers", record)
    identity = ctx.resolver.resolve(store_hash, customer_id, record.get("email"))
    if identity is None:
        msg = (
            f"customers record {customer_id}: unresolvable identity: no usable email, and an "
            "email-based project identifies people by email"
        )
        raise NormalisationError(msg, "customers.email")
    if text(record.get("email")) and normalise_email(record.get("email")) is None:
        # Hybrid and userID-based projects: the customer is addressed by userId; the address is
        # reported, never dropped in silence.
        problem = NormalisationError(
            f"customers record {customer_id}: email {record.get('email')!r} is not a usable "
            f"address; the customer is written by userId {identity.key.get('userId')} without it",
            "customers.email",
        )
        ctx.report(problem, "unusable email of a registered customer (written by userId)")
    facts = ctx.store_facts(store_hash)
    address = _first_address(record.get("addresses"))
    phone = text(record.get("phone")) or text(address.get("phone"))
    as_of = parse_timestamp(record.get("date_modified"), "customers.date_modified")
    group_id = integer(record.get("customer_group_id"), "customers.customer_group_id") or None
    offer_store_fields(ctx, identity, store_hash)
    fields: dict[str, Any] = {
        **identity.profile_fields,
        "firstName": text(record.get("first_name")),
        "lastName": text(record.get("last_name")),
        "company": text(record.get("company")),
        "phone": phone,
        "customerType": "registered",
        "bcCustomerId": customer_id,
        "customerGroupId": group_id,
        "customerGroupName": ctx.store.lookup(store_hash, "customer_group", str(group_id))
        if group_id
        else None,
        "customerSince": iterable_date(record.get("date_created"), "customers.date_created"),
        "bcProfileUpdatedAt": iterable_date(record.get("date_modified"), "customers.date_modified"),
        **customer_consent(record),
        "originChannelId": integer(record.get("origin_channel_id"), "customers.origin_channel_id"),
        "channelIds": [
            value
            for channel in record.get("channel_ids") or []
            if (value := integer(channel, "customers.channel_ids")) is not None
        ],
        **_address_fields(address),
        "storeCredit": _store_credit(record.get("store_credit_amounts"), facts.currency),
    }
    if ctx.settings.include_customer_attributes:
        fields.update(_attribute_fields(record.get("attributes")))
    ctx.update_user(identity, fields, as_of)
    ctx.offer_phone(identity, phone, (text(address.get("country_code")), facts.country_code), as_of)
    emit_account_created(ctx, identity, record, store_hash, customer_id)


def handle_subscribers(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash("subscribers", record)
    identity = ctx.resolver.resolve(store_hash, None, record.get("email"))
    if identity is None:
        msg = f"subscribers record {record.get('id')!r}: unresolvable identity: no usable email"
        raise NormalisationError(msg, "subscribers.email")
    offer_store_fields(ctx, identity, store_hash)
    fields = {
        **identity.profile_fields,
        "firstName": text(record.get("first_name")),
        "lastName": text(record.get("last_name")),
        **subscriber_consent(record),
    }
    as_of = parse_timestamp(record.get("date_modified"), "subscribers.date_modified")
    ctx.update_user(identity, fields, as_of)


def _first_address(addresses: Any) -> dict[str, Any]:
    return next((a for a in addresses or [] if isinstance(a, dict)), {})


def _address_fields(first: dict[str, Any]) -> dict[str, Any]:
    if not first:
        return {}
    return {
        "addressCity": text(first.get("city")),
        "addressState": text(first.get("state_or_province")),
        "addressPostalCode": text(first.get("postal_code")),
        "addressCountry": text(first.get("country")),
        "addressCountryCode": text(first.get("country_code")),
    }


def _store_credit(amounts: Any, currency: str | None) -> float | None:
    values = [
        amount
        for entry in amounts or []
        if isinstance(entry, dict)
        and (amount := to_decimal(entry.get("amount"), "customers.store_credit_amounts.amount"))
        is not None
    ]
    return (
        money(sum(values, Decimal(0)), currency, "customers.store_credit_amounts")
        if values
        else None
    )


def _attribute_fields(attributes: Any) -> dict[str, Any]:
    # BigCommerce attribute values are always strings, whatever the attribute's type: keep them so.
    fields: dict[str, Any] = {}
    for attribute in attributes or []:
        if not isinstance(attribute, dict):
            continue
        name = text(attribute.get("attribute_name")) or text(attribute.get("attribute_id"))
        if name:
            fields[f"attribute_{field_name(name)}"] = text(attribute.get("attribute_value"))
    return fields
