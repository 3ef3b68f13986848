"""What every record handler needs: settings, store, identity, buffers and the output."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from map_bigcommerce_iterable.currency import StoreFacts
from map_bigcommerce_iterable.events import EventNamer, event_record
from map_bigcommerce_iterable.identity import Identity, IdentityResolver
from map_bigcommerce_iterable.ids import catalog_item_id
from map_bigcommerce_iterable.normalise import NormalisationError, to_decimal
from map_bigcommerce_iterable.ownership import Owner, OwnershipPolicy
from map_bigcommerce_iterable.phone import region_of, to_e164
from map_bigcommerce_iterable.phone_ownership import PhoneOwnership
from map_bigcommerce_iterable.settings import MapperSettings
from map_bigcommerce_iterable.store import EmbeddedStore
from map_bigcommerce_iterable.type_guard import FieldTypeGuard
from map_bigcommerce_iterable.users import UserBuffer

logger = logging.getLogger(__name__)

Emit = Callable[[str, dict[str, Any]], None]


@dataclass
class MapperContext:
    settings: MapperSettings
    store: EmbeddedStore
    resolver: IdentityResolver
    emit: Emit
    users: UserBuffer = field(default_factory=UserBuffer)
    guard: FieldTypeGuard = field(default_factory=FieldTypeGuard)
    skipped: Counter[str] = field(default_factory=Counter)
    phone_problems: Counter[str] = field(default_factory=Counter)
    # Customers deleted in BigCommerce, by what was done (`on_customer_deleted`) or why nothing.
    deletions: Counter[str] = field(default_factory=Counter)
    # Parts of the current record left out of what was emitted, each to be dead-lettered with it.
    reports: list[NormalisationError] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.namer = EventNamer(self.settings)
        self.ownership = OwnershipPolicy(
            self.settings.ownership_overrides, self.settings.nullable_fields
        )
        self.phones = PhoneOwnership(self.store)
        self._counts_before: tuple[Counter[str], Counter[str], Counter[str]] = (
            Counter(),
            Counter(),
            Counter(),
        )

    # -- one input record at a time: all of it or nothing -----------------------------------

    def begin_record(self) -> None:
        """Before a handler runs: remember enough to undo everything it changes."""
        self.store.begin_record()
        self.users.begin_record()
        self.phones.begin_record()
        self.guard.begin_record()
        self._counts_before = (
            self.skipped.copy(),
            self.phone_problems.copy(),
            self.deletions.copy(),
        )

    def end_record(self) -> None:
        """The handler succeeded: keep its changes."""
        self.store.end_record()

    def undo_record(self) -> None:
        """The handler failed half-way: leave no trace of the record (store rows, buffered user
        fields, phone offers, learned field types, counts). Its output is the mapper's to drop."""
        self.store.undo_record()
        self.users.undo_record()
        self.phones.undo_record()
        self.guard.undo_record()
        self.skipped, self.phone_problems, self.deletions = self._counts_before
        self.reports.clear()

    # -- store facts -------------------------------------------------------------------------

    def store_facts(self, store_hash: str) -> StoreFacts:
        def fact(kind: str, fallback: str | None) -> str | None:
            return self.store.lookup(store_hash, "store", kind) or fallback

        return StoreFacts(
            store_hash=store_hash,
            currency=fact("currency", self.settings.default_currency),
            locale=fact("locale", self.settings.default_locale),
            base_url=fact("base_url", self.settings.default_store_url),
            country_code=fact("country_code", None),
            time_zone=fact("time_zone", None),
        )

    def currency_rate(self, store_hash: str) -> Callable[[str], Decimal | None]:
        def rate(code: str) -> Decimal | None:
            value = self.store.lookup(store_hash, "currency_rate", code)
            return Decimal(value) if value else None

        return rate

    def absolute_url(self, store_hash: str, path: str | None) -> str | None:
        if not path:
            return None
        if path.startswith(("http://", "https://")):
            return path
        base = self.store_facts(store_hash).base_url
        if not base:
            return None
        return base.rstrip("/") + "/" + path.lstrip("/")

    def item_id(self, store_hash: str, product_id: Any) -> str:
        return catalog_item_id(self.settings.item_id_template, store_hash, product_id)

    def lifecycle_allowed(self, when: datetime | None) -> bool:
        since = self.settings.lifecycle_events_since
        return since is None or when is None or when >= since

    # -- outputs -----------------------------------------------------------------------------

    def update_user(
        self, identity: Identity, fields: dict[str, Any], as_of: datetime | None
    ) -> None:
        self.users.update(identity, self.ownership.apply(fields), as_of)

    def offer_phone(
        self,
        identity: Identity,
        raw: Any,
        countries: tuple[str | None, ...],
        as_of: datetime | None,
    ) -> None:
        """A free-text phone number for `phoneNumber`, read in the first known country.

        Invalid and ambiguous numbers are counted by reason, never written.
        """
        if self.ownership.owner("phoneNumber") is Owner.ITERABLE:
            return
        result = to_e164(raw if isinstance(raw, str) else None, region_of(*countries))
        if result.problem:
            self.phone_problems[result.problem] += 1
        elif result.e164:
            self.phones.offer(identity.person_id, result.e164, as_of)
            self.users.update(identity, {}, as_of)  # the person has something to send

    def emit_event(
        self,
        identity: Identity,
        key: str,
        event_id: str,
        created_at: int | None,
        fields: dict[str, Any],
    ) -> None:
        name = self.namer.name(key)
        record = event_record(identity, name, event_id, created_at, fields)
        record["dataFields"] = self.guard.check(f"event {name}", record["dataFields"])
        self.emit("events", record)

    def skip(self, reason: str) -> None:
        self.skipped[reason] += 1

    def report(self, problem: NormalisationError, summary: str) -> None:
        """A part of the record that was left out (the rest was mapped): dead-lettered with the
        record, and counted under `summary`."""
        self.reports.append(problem)
        self.skip(summary)

    def take_reports(self) -> list[NormalisationError]:
        reports, self.reports = self.reports, []
        return reports


def require_store_hash(stream: str, record: dict[str, Any]) -> str:
    store_hash = record.get("store_hash")
    if not isinstance(store_hash, str) or not store_hash:
        msg = f"{stream} record {record.get('id')!r}: missing field store_hash"
        raise NormalisationError(msg, f"{stream}.store_hash")
    return store_hash


def require_id(stream: str, record: dict[str, Any], field_name: str = "id") -> int:
    value = record.get(field_name)
    number = to_decimal(value, f"{stream}.{field_name}") if value is not None else None
    if number is None or number != number.to_integral_value() or not _fits_64_bits(number):
        # Beyond 64 bits an id cannot be stored (SQLite and PostgreSQL BIGINT): refused here,
        # where it is dead-lettered, instead of an OverflowError stopping the run.
        msg = f"{stream} record: field {field_name} must be an integer id, got {value!r}"
        raise NormalisationError(msg, f"{stream}.{field_name}")
    return int(number)


def _fits_64_bits(number: Any) -> bool:
    return bool(-(2**63) <= number < 2**63)
