"""Sinks: one class per Iterable operation (the target picks it in `get_sink_class`).

Records are validated against the operation's schema as they arrive (fastjsonschema); an invalid
record is dead-lettered and the rest go on (the SDK's own validation would fail the run, and is
slower). Valid records are buffered and sent in batches by the operation's sender. Every sink
shares the run's `Runtime`: one Iterable client, one delivery ledger, one dead-letter log. The
order rules live here (`SEND_AFTER`, `DRAIN_STAGE`); when STATE may pass lives in `state.py`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar, Protocol, cast

from singer_sdk import Target
from singer_sdk.helpers.conform import DatetimeErrorTreatmentEnum
from singer_sdk.sinks import BatchSink
from singer_sdk.sinks.core import BaseJSONSchemaValidator

from target_iterable.bulk import CatalogItemsSender, EventsSender, UsersSender
from target_iterable.client import IterableError
from target_iterable.contract import encoding
from target_iterable.contract.dead_letters import DeadLetter
from target_iterable.endpoints import MAX_CATALOG_ITEM_BYTES, MAX_ITEMS_PER_BULK_REQUEST
from target_iterable.runtime import HasRuntime, Runtime
from target_iterable.single import (
    CartsSender,
    EmailChangesSender,
    PurchasesSender,
    UserDeletionsSender,
    UserForgetsSender,
)
from target_iterable.validation import Problem, RecordValidator, structure_problem


class Sender(Protocol):
    def __init__(self, runtime: Runtime) -> None: ...

    def send(self, records: list[dict[str, Any]], stream: str) -> None: ...


# What must be in Iterable before an operation's batch is sent: events need their users (Iterable
# refuses events of unknown users), a purchase empties the user's cart so carts go after
# purchases, and deletions and forgets go last (a later update would bring the user back, and
# Iterable refuses a forgotten user's data).
# An email change goes before every other record of its user (they carry the new email).
SEND_AFTER: dict[str, frozenset[str]] = {
    "email_changes": frozenset(),
    "users": frozenset({"email_changes"}),
    "catalog_items": frozenset(),
    "events": frozenset({"email_changes", "users"}),
    "purchases": frozenset({"email_changes", "users"}),
    "carts": frozenset({"email_changes", "users", "purchases"}),
    "user_deletions": frozenset({"email_changes", "users", "events", "purchases", "carts"}),
    "user_forgets": frozenset({"email_changes", "users", "events", "purchases", "carts"}),
}
# Drain stages at the end of a run: each stage's sinks in parallel, stages in order.
DRAIN_STAGE = {
    "email_changes": 0,
    "users": 1,
    "catalog_items": 1,
    "events": 2,
    "purchases": 2,
    "carts": 3,
}
LAST_STAGE = 4


class _RuntimeSink(BatchSink):
    """Keeps the run's shared runtime (the SDK passes the target only to `__init__`)."""

    # A drained batch holds at most this many records; senders pack them into requests.
    MAX_SIZE_DEFAULT = MAX_ITEMS_PER_BULK_REQUEST

    def __init__(
        self,
        target: Target,
        stream_name: str,
        schema: dict,
        key_properties: Sequence[str] | None,
    ) -> None:
        self.runtime: Runtime = cast(HasRuntime, target).runtime
        self.settled_records = 0  # records read whose fate is known (sent or dead-lettered)
        self.read_records = 0
        self.drain_stage = 0
        super().__init__(target, stream_name, schema, key_properties)

    def get_validator(self) -> BaseJSONSchemaValidator | None:
        # Records are checked against the operation's contract instead (see process_record).
        return None

    def _parse_timestamps_in_record(
        self, record: dict, schema: dict, treatment: DatetimeErrorTreatmentEnum
    ) -> None:
        # Records go to Iterable as received: no string is turned into a datetime.
        return

    def process_record(self, record: dict, context: dict) -> None:
        self.read_records += 1
        context["checked"] = True
        letter = self.check(record)
        if letter is not None:
            self.runtime.dead_letter([letter])
            return
        context.setdefault("records", []).append(record)

    def _checked(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Records of a BATCH message, which the SDK hands over without `process_record`."""
        self.read_records += len(records)
        valid, letters = [], []
        for record in records:
            letter = self.check(record)
            if letter is None:
                valid.append(record)
            else:
                letters.append(letter)
        self.runtime.dead_letter(letters)
        return valid

    def check(self, record: dict[str, Any]) -> DeadLetter | None:
        raise NotImplementedError

    def process_batch(self, context: dict) -> None:
        records = context.get("records", [])
        from_batch_message = not context.get("checked")
        if from_batch_message:
            records = self._checked(records)
        # Everything read so far is settled once this batch is, unless RECORD messages of this
        # stream are still buffered behind a BATCH message.
        settles_all = not from_batch_message or self.current_size == 0
        read_at_drain = self.read_records
        if records:
            try:
                self.send(records)
            except IterableError:
                # The SDK logs the error and exits; first say what was done before it.
                self.logger.error("Sending %s failed; the run stops.", self.stream_name)
                self.runtime.log_summary()
                self.runtime.close()
                raise
        if settles_all and not self.waiting:
            self.settled_records = read_at_drain
        self.runtime.log_progress()

    def send(self, records: list[dict[str, Any]]) -> None:
        raise NotImplementedError

    @property
    def waiting(self) -> int:
        """Records refused for now, to be sent again (events of users not in Iterable yet)."""
        return 0

    def send_waiting(self, *, final: bool) -> None:
        """Send waiting records again once what they wait for was sent (see `EventsSender`)."""
        return


class IterableSink(_RuntimeSink):
    """Validates and sends the records of a stream that maps to this sink's operation."""

    operation: ClassVar[str]
    sender_class: ClassVar[type[Sender]]

    def __init__(
        self,
        target: Target,
        stream_name: str,
        schema: dict,
        key_properties: Sequence[str] | None,
    ) -> None:
        super().__init__(target, stream_name, schema, key_properties)
        self.drain_stage = DRAIN_STAGE.get(self.operation, LAST_STAGE)
        self._validator_for_contract = RecordValidator(self.operation)
        self._sender = self.sender_class(self.runtime)

    def check(self, record: dict[str, Any]) -> DeadLetter | None:
        self.runtime.stats.received(self.operation)
        if self.runtime.settings.validate_records:
            problem = self._validator_for_contract.problem(record)
        else:
            problem = structure_problem(self.operation, record)
        if problem is None:
            problem = self.extra_problem(record)
        if problem is None:
            return None
        return DeadLetter(
            stream=self.stream_name,
            operation=self.operation,
            record=record,
            reason=problem.reason,
            field=problem.field,
            rule=problem.rule,
        )

    def extra_problem(self, record: dict[str, Any]) -> Problem | None:
        """A problem the contract's schema cannot express."""
        return None

    def send(self, records: list[dict[str, Any]]) -> None:
        self.runtime.flush(SEND_AFTER[self.operation])
        self._sender.send(records, self.stream_name)


class UsersSink(IterableSink):
    operation = "users"
    sender_class = UsersSender


class EventsSink(IterableSink):
    """Events of users Iterable does not know yet wait for them (see `EventsSender`)."""

    operation = "events"
    sender_class = EventsSender
    _sender: EventsSender

    @property
    def waiting(self) -> int:
        return len(self._sender.waiting)

    def send_waiting(self, *, final: bool) -> None:
        if not self._sender.waiting:
            return
        self.runtime.flush(SEND_AFTER[self.operation])
        self._sender.send_waiting(final=final)
        if not self.waiting and self.current_size == 0:
            self.settled_records = self.read_records


class PurchasesSink(IterableSink):
    operation = "purchases"
    sender_class = PurchasesSender


class CartsSink(IterableSink):
    operation = "carts"
    sender_class = CartsSender


class CatalogItemsSink(IterableSink):
    operation = "catalog_items"
    sender_class = CatalogItemsSender

    def extra_problem(self, record: dict[str, Any]) -> Problem | None:
        return _catalog_item_size_problem(record)

    def send(self, records: list[dict[str, Any]]) -> None:
        distinct = len({record["itemId"] for record in records})
        if distinct < len(records):
            self.tally_duplicate_merged(len(records) - distinct)
        super().send(records)


class EmailChangesSink(IterableSink):
    operation = "email_changes"
    sender_class = EmailChangesSender


class UserDeletionsSink(IterableSink):
    operation = "user_deletions"
    sender_class = UserDeletionsSender


class UserForgetsSink(IterableSink):
    operation = "user_forgets"
    sender_class = UserForgetsSender


SINKS: dict[str, type[IterableSink]] = {
    sink.operation: sink
    for sink in (
        UsersSink,
        EventsSink,
        PurchasesSink,
        CartsSink,
        CatalogItemsSink,
        UserDeletionsSink,
        UserForgetsSink,
        EmailChangesSink,
    )
}


class UnknownStreamSink(_RuntimeSink):
    """With `unknown_streams: dead_letter`: every record of the stream is dead-lettered."""

    def check(self, record: dict[str, Any]) -> DeadLetter | None:
        return DeadLetter(
            stream=self.stream_name,
            operation=None,
            record=record,
            reason=f"stream {self.stream_name!r} maps to no operation; add it to stream_operations",
            rule="unknown_stream",
        )

    def send(self, records: list[dict[str, Any]]) -> None:
        return


def _catalog_item_size_problem(record: dict[str, Any]) -> Problem | None:
    value = record.get("value")
    try:
        size = encoding.size_in_bytes(value)
    except (TypeError, ValueError) as error:
        return Problem(field="value", rule="json", reason=f"value is not JSON: {error}")
    if size > MAX_CATALOG_ITEM_BYTES:
        return Problem(
            field="value",
            rule="maxBytes",
            reason=f"value is {size} bytes as JSON; Iterable allows {MAX_CATALOG_ITEM_BYTES}",
        )
    return None
