"""The Singer mapper: BigCommerce tap records in, Iterable operations out.

Input streams are consumed (their SCHEMAs are not forwarded); output streams are named after the
target's operations and described by its contract schemas. STATE passes through untouched, after the
buffered users it covers, so bookmarks advance only once the target has confirmed what came before.

A record that breaks the tap contract goes to the dead-letter log, all of it or nothing: its
output, store rows and buffered changes are undone, and the rest of the run goes on.
"""

from __future__ import annotations

import datetime
import time
from collections import Counter
from collections.abc import Callable, Iterable
from typing import Any, ClassVar

import singer_sdk.singerlib as singer
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.helpers.capabilities import CapabilitiesEnum, PluginCapabilities
from singer_sdk.mapper_base import InlineMapper
from sqlalchemy.engine import make_url

from map_bigcommerce_iterable import carts, catalog, customers, deletions, orders, refunds
from map_bigcommerce_iterable.context import MapperContext
from map_bigcommerce_iterable.contract import operation_schema
from map_bigcommerce_iterable.contract.dead_letters import (
    TAP_CONTRACT_RULE,
    DeadLetter,
    DeadLetterLog,
    resolve_path,
)
from map_bigcommerce_iterable.contract.idle_input import Flusher
from map_bigcommerce_iterable.contract.reader import MessageLinesReader
from map_bigcommerce_iterable.contract.redaction import Redactor
from map_bigcommerce_iterable.contract.state_marker import marker, with_marker
from map_bigcommerce_iterable.identity import IdentityResolver
from map_bigcommerce_iterable.lifetime_value import lifetime_value
from map_bigcommerce_iterable.normalise import NormalisationError
from map_bigcommerce_iterable.settings import CONFIG_JSONSCHEMA, MapperSettings
from map_bigcommerce_iterable.store import EmbeddedStore, StoreOpenError
from map_bigcommerce_iterable.users import supersedes

Handler = Callable[[MapperContext, dict[str, Any]], None]


class StoreLostError(RuntimeError):
    """The STATE says earlier runs mapped through another store than the one opened."""


# Input streams in the tap's emission order; facts first, so later records can be enriched.
HANDLERS: dict[str, Handler] = {
    "store_settings": catalog.handle_store_settings,
    "currencies": catalog.handle_currencies,
    "channels": lambda ctx, record: None,  # ids already travel on customers and orders
    "customer_groups": catalog.handle_customer_groups,
    "categories": catalog.handle_categories,
    "brands": catalog.handle_brands,
    "products": catalog.handle_products,
    "customers": customers.handle_customers,
    "subscribers": customers.handle_subscribers,
    "orders": orders.handle_orders,
    "refunds": refunds.handle_refunds,
    "cart_events": carts.handle_cart_events,
    "customer_deletions": deletions.handle_customer_deletions,
}

# Held until the checkpoint's users are out: Iterable refuses events of users it does not know
# (events/trackBulk answers notFoundEmails), and purchases and carts name their user too; a
# deletion or forget must follow the person's buffered update, or that update re-creates them.
AFTER_USERS = frozenset({"events", "purchases", "carts", "user_deletions", "user_forgets"})

OUTPUT_KEYS: dict[str, list[str]] = {
    "users": [],
    "events": ["id"],
    "purchases": ["id"],
    "carts": [],
    "catalog_items": ["itemId"],
    "email_changes": [],
    "user_deletions": [],
    "user_forgets": [],
}


class BigCommerceToIterableMapper(InlineMapper):
    """Turns tap-bigcommerce records into Iterable users, events, purchases, carts and catalog."""

    name = "map-bigcommerce-iterable"
    # Stream maps and flattening would rewrite records after the contract was met: not offered.
    capabilities: ClassVar[list[CapabilitiesEnum]] = [
        PluginCapabilities.ABOUT,
        PluginCapabilities.STRUCTURED_LOGGING,
    ]
    config_jsonschema: ClassVar[dict[str, Any]] = CONFIG_JSONSCHEMA
    message_reader_class = MessageLinesReader  # a clear error for a line that is not an object

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.settings = MapperSettings.from_config(self.config)
        try:
            self._store = EmbeddedStore(self.settings.database_url)
        except StoreOpenError as error:
            raise ConfigValidationError(str(error), errors=[str(error)]) from None
        self._store_id, self._store_is_new = self._store.own_id()
        self._store_checked = False
        self.dead_letters = DeadLetterLog(
            resolve_path(self.settings.dead_letter_path, datetime.datetime.now(datetime.UTC)),
            Redactor(make_url(self.settings.database_url).password or ""),
        )
        self._outbox: list[singer.Message] = []
        self._after_users: list[singer.Message] = []  # records of AFTER_USERS streams
        self._records_read = 0
        self._schemas_sent: set[str] = set()
        self._ignored_streams: set[str] = set()
        self.emitted: Counter[str] = Counter()
        self._held_state: singer.StateMessage | None = None
        self._state_forwarded_at = time.monotonic()
        self._last_input_at = time.monotonic()
        if isinstance(self.message_reader, MessageLinesReader):
            self.message_reader.flusher = Flusher(
                self._flush_due, self._flush_held, self.settings.flush_seconds
            )
        self._ctx = MapperContext(
            settings=self.settings,
            store=self._store,
            resolver=IdentityResolver(self._store, self.settings),
            emit=self._emit,
        )

    # -- Singer messages ---------------------------------------------------------------------

    def map_schema_message(self, message_dict: dict) -> Iterable[singer.Message]:
        # Input schemas describe BigCommerce shapes; the outputs have their own (the contract).
        return []

    def map_record_message(self, message_dict: dict) -> Iterable[singer.Message]:
        stream = message_dict["stream"]
        handler = HANDLERS.get(stream)
        if handler is None:
            if stream not in self._ignored_streams:
                self._ignored_streams.add(stream)
                self.logger.warning("Ignoring unknown input stream %r", stream)
            return []
        record = message_dict["record"]
        self._last_input_at = time.monotonic()
        self._records_read += 1
        lengths = len(self._outbox), len(self._after_users)
        self._ctx.begin_record()
        try:
            handler(self._ctx, record)
        except NormalisationError as exc:
            self._ctx.undo_record()
            self._ctx.resolver.take_email_changes()  # undone with the store
            self._drop_output_after(*lengths)
            self._dead_letter(stream, record, exc)
        else:
            self._ctx.end_record()
            self._emit_email_changes()
            for problem in self._ctx.take_reports():
                self._dead_letter(stream, record, problem)
        buffered = max(len(self._ctx.users), len(self._after_users))
        if buffered >= self.settings.user_buffer_size:
            self._checkpoint()  # bounded memory; emitting users (and the held STATE) early is safe
        return self._drain_outbox()

    def _emit_email_changes(self) -> None:
        """The target sends these before any other record of the person (they carry the new
        email), whatever their place in the output. Held events, purchases and carts of the
        person are sent after it, so they take the person's new key; and a guest who joined the
        person (their email was the new one) is one with them from now on, here as in Iterable
        after users/merge."""
        for change in self._ctx.resolver.take_email_changes():
            identity = self._ctx.resolver.identity_of(change.person_id)
            assert identity is not None  # a registered customer: addressable in every mode
            if change.current_email:
                self._readdress_held({"email": change.current_email}, identity.key)
            if change.absorbed_person_id is not None:
                self._ctx.users.absorb(change.absorbed_person_id, identity)
                if change.merge_from is not None:
                    self._readdress_held(change.merge_from, identity.key)
            self._emit("email_changes", change.record())

    def _readdress_held(self, old_key: dict[str, str], new_key: dict[str, str]) -> None:
        """Held events, purchases and carts addressed by `old_key` go to `new_key` instead: sent
        after the email change, the old key would create a second user (or the merged-away
        guest's profile again)."""
        if old_key == new_key:
            return
        for message in self._after_users:
            if not isinstance(message, singer.RecordMessage):
                continue
            record = message.record
            holder = record if message.stream == "events" else record.get("user")
            if isinstance(holder, dict) and {k: holder.get(k) for k in old_key} == old_key:
                for name in ("email", "userId"):
                    holder.pop(name, None)
                holder.update(new_key)

    def map_state_message(self, message_dict: dict) -> Iterable[singer.Message]:
        # Held (only the latest matters: states are snapshots) so that more updates of one person
        # collapse into one record; forwarded untouched, after the users it covers.
        value = message_dict["value"]
        self._check_store(value)
        self._held_state = singer.StateMessage(value=with_marker(value, store_id=self._store_id))
        self._last_input_at = time.monotonic()
        elapsed = time.monotonic() - self._state_forwarded_at
        if elapsed >= self.settings.state_interval_seconds or not self._records_read:
            # Before any record: forwarded at once, so the target checks its ledger (the STATE
            # carries its id) before it receives anything to send.
            self._checkpoint()
        return self._drain_outbox()

    def _check_store(self, state: dict[str, Any]) -> None:
        """Stop if the STATE says earlier runs mapped through another store (see state_marker)."""
        carried = marker(state).get("store_id")
        if carried is None or carried == self._store_id or self._store_checked:
            self._store_checked = True
            return
        msg = (
            f"The STATE says earlier runs used the mapper store {carried}, but database_url "
            f"opens {'a new, empty' if self._store_is_new else 'another'} store "
            f"({self._store_id}): it was lost (e.g. an ephemeral worker's working directory) or "
            "database_url changed. Without it identities, first purchases and lifetime values "
            "would be rebuilt from this run's records only. Point database_url at the store of "
            "the earlier runs (a persistent database), or rebuild it from all history with "
            "`meltano run --full-refresh ...` (the target's delivery ledger keeps Iterable "
            "from receiving again what it has)."
        )
        raise StoreLostError(msg)

    def map_activate_version_message(self, message_dict: dict) -> Iterable[singer.Message]:
        # Iterable has no table versions to activate; nothing to forward.
        return []

    def process_endofpipe(self) -> None:
        self._checkpoint()
        self._write_outbox()
        self._store.close()
        self.logger.info(
            "Emitted %s; skipped %s; dropped %d field(s) of an unstable type; "
            "customers deleted in BigCommerce %s; phone numbers not written to phoneNumber %s; "
            "dead-lettered %d record(s)%s",
            dict(self.emitted) or "nothing",
            dict(self._ctx.skipped) or "nothing",
            self._ctx.guard.dropped,
            dict(self._ctx.deletions) or "none",
            dict(self._ctx.phone_problems) or "none",
            self.dead_letters.count,
            f" to {self.dead_letters.path}" if self.dead_letters.count else "",
        )

    # -- bounded flush (`flush_seconds`, contract/idle_input.py) ---------------------------

    def _flush_due(self) -> float | None:
        if self._held_state is None and not len(self._ctx.users) and not self._after_users:
            return None
        return self._last_input_at + self.settings.flush_seconds

    def _flush_held(self) -> None:
        self._checkpoint()
        self._write_outbox()

    def _write_outbox(self) -> None:
        for message in self._drain_outbox():
            self.write_message(message)

    # -- helpers -----------------------------------------------------------------------------

    def _emit(self, stream: str, record: dict[str, Any]) -> None:
        if stream not in self._schemas_sent:
            self._schemas_sent.add(stream)
            self._outbox.append(
                singer.SchemaMessage(
                    stream=stream,
                    schema=operation_schema(stream),
                    key_properties=OUTPUT_KEYS[stream],
                )
            )
        self.emitted[stream] += 1
        message = singer.RecordMessage(stream=stream, record=record)
        (self._after_users if stream in AFTER_USERS else self._outbox).append(message)

    def _drop_output_after(self, length: int, after_users_length: int) -> None:
        """Take back what a failed record emitted (its SCHEMA too, if it was the first)."""
        for message in [*self._outbox[length:], *self._after_users[after_users_length:]]:
            if isinstance(message, singer.SchemaMessage):
                self._schemas_sent.discard(message.stream)
            elif isinstance(message, singer.RecordMessage):
                self.emitted[message.stream] -= 1
        del self._outbox[length:]
        del self._after_users[after_users_length:]
        self.emitted = +self.emitted  # no zero counts in the summary

    def _dead_letter(self, stream: str, record: Any, error: NormalisationError) -> None:
        field = error.field
        if field and field.startswith(f"{stream}."):
            field = field[len(stream) + 1 :]  # a field of the record itself, as the target names
        record_id = record.get("id") if isinstance(record, dict) else None
        self.logger.error(
            "Dead-lettered %s record %s (field %s): %s", stream, record_id, field or "?", error
        )
        self.dead_letters.write(
            [
                DeadLetter(
                    stream=stream,
                    operation=None,
                    record=record,
                    reason=str(error),
                    field=field,
                    rule=TAP_CONTRACT_RULE,
                )
            ]
        )

    def _keep_newer_values(
        self, person_id: int, fields: dict[str, Any], stamps: dict[str, str]
    ) -> None:
        """Drop the fields whose value is older than one emitted before (newest wins across
        checkpoints and runs: re-reading an old record must not send, nor change, anything)."""
        emitted = self._store.field_sources(person_id)
        for name in list(fields):
            if not supersedes(stamps[name], emitted.get(name)):
                del fields[name]
                del stamps[name]
        changed = {name: at for name, at in stamps.items() if emitted.get(name) != at}
        self._store.put_field_sources(person_id, changed)

    def _drain_outbox(self) -> list[singer.Message]:
        messages, self._outbox = self._outbox, []
        return messages

    def _checkpoint(self) -> None:
        """Emit the buffered users (with fresh lifetime value), then the checkpoint's events,
        purchases and carts, commit the store, then forward the held STATE: every record before
        it has now been emitted, and Iterable knows each user before their events arrive."""
        ctx = self._ctx
        for identity, fields, stamps, needs_ltv in ctx.users.drain():
            current = ctx.resolver.identity_of(identity.person_id) or identity
            self._keep_newer_values(current.person_id, fields, stamps)
            if needs_ltv:
                fields.update(ctx.ownership.apply(lifetime_value(self._store, current.person_id)))
            fields.update(ctx.ownership.apply(current.profile_fields))
            phone_number = ctx.phones.take(current.person_id)
            if phone_number:
                fields["phoneNumber"] = phone_number
            record: dict[str, Any] = {**current.key}
            data_fields = ctx.guard.check("users", fields)
            if data_fields:
                record["dataFields"] = data_fields
            self._emit("users", record)
        self._outbox.extend(self._after_users)
        self._after_users = []
        ctx.phones.save()
        self._store.commit()
        if self._held_state is not None:
            self._outbox.append(self._held_state)
            self._held_state = None
            self._state_forwarded_at = time.monotonic()


if __name__ == "__main__":
    BigCommerceToIterableMapper.cli()
