"""Bulk requests: users/bulkUpdate, events/trackBulk, catalog items.

Records are packed into requests of at most N records and 4 MB. Each answer is read: a 200 may
refuse some records (dead-lettered with Iterable's reason); a 400 that blames records (one type
mismatch rejects all 1000) is split in halves until the offenders are alone, so that only they
are dead-lettered. When Iterable's answer names the offending value, the records holding it are
taken out at once and sent alone; splitting is the fallback.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from target_iterable.answers import (
    RECORD_LEVEL_CODES,
    Refusal,
    identifiers,
    mismatch_suspects,
    partial_refusals,
    rejected_field,
)
from target_iterable.catalog_fields import CatalogFieldTypes
from target_iterable.changes import Receipt
from target_iterable.client import Answer
from target_iterable.contract import encoding
from target_iterable.contract.dead_letters import DeadLetter
from target_iterable.endpoints import (
    CATALOG_CREATE,
    CATALOG_ITEMS,
    EVENTS_TRACK_BULK,
    MAX_BULK_BODY_BYTES,
    USERS_BULK_UPDATE,
    Endpoint,
)
from target_iterable.runtime import Runtime

_ENVELOPE_ALLOWANCE = 1_000  # bytes kept free for the request's own keys
USER_NOT_FOUND_RULES = frozenset({"failedUpdates.notFoundEmails", "failedUpdates.notFoundUserIds"})
INVALID_EMAIL_RULE = "failedUpdates.invalidEmails"


@dataclass(frozen=True)
class Item:
    """A record and its JSON, encoded once."""

    record: dict[str, Any]
    json: str
    stream: str  # the incoming stream, for dead letters
    receipt: Receipt | None = None  # written to the ledger once Iterable accepted the record
    without_refused_email: bool = False  # a user sent again by userId once its email was refused


class BulkSender:
    """Sends one operation's records in bulk requests."""

    endpoint: Endpoint
    operation: str
    with_event_names = False
    in_data_fields = False  # whether Iterable lists identifiers found in a record's dataFields

    def __init__(self, runtime: Runtime, per_request: int) -> None:
        self.runtime = runtime
        self.per_request = per_request

    # What differs per endpoint
    def encode(self, record: dict[str, Any]) -> str:
        return encoding.dumps(record)

    def envelope(self, items: list[str]) -> str:
        raise NotImplementedError

    def path_params(self) -> dict[str, str]:
        return {}

    def fix_and_retry(self, answer: Answer) -> bool:
        """Whether a failed answer was fixed (a missing catalog created) and is worth a retry."""
        return False

    # Shared logic
    def send(self, records: list[dict[str, Any]], stream: str) -> None:
        items: list[Item] = []
        unsendable: list[DeadLetter] = []
        for record, receipt in self.runtime.changes.select(self.operation, records):
            try:
                text = self.encode(record)
            except (TypeError, ValueError) as error:  # NaN, Infinity: not JSON Iterable reads
                unsendable.append(
                    self._letter(stream, record, f"not valid JSON: {error}", rule="json")
                )
                continue
            if len(text.encode()) > MAX_BULK_BODY_BYTES - _ENVELOPE_ALLOWANCE:
                unsendable.append(
                    self._letter(
                        stream, record, "record is larger than a 4 MB request", rule="maxBytes"
                    )
                )
            else:
                items.append(Item(record, text, stream, receipt))
        self.runtime.dead_letter(unsendable)
        self._send_items(items)

    def _send_items(self, items: list[Item]) -> None:
        for chunk in self._chunks(items):
            self._send_chunk(chunk)

    def keep_for_later(self, item: Item, refusal: Refusal) -> bool:
        """Whether a refused record is kept to be sent again instead of dead-lettered."""
        return False

    def retry_without(self, item: Item, refusal: Refusal) -> Item | None:
        """The record sent again without the part Iterable refused, if it can go without it."""
        return None

    def unique_identifiers(self, record: dict[str, Any]) -> set[tuple[str, str]]:
        """Identifiers no other record of the same request may carry (none by default)."""
        return set()

    def _chunks(self, items: list[Item]) -> Iterator[list[Item]]:
        chunk: list[Item] = []
        size = _ENVELOPE_ALLOWANCE
        held: set[tuple[str, str]] = set()
        for item in items:
            item_size = len(item.json.encode()) + 1
            keys = self.unique_identifiers(item.record)
            if chunk and (
                len(chunk) >= self.per_request
                or size + item_size > MAX_BULK_BODY_BYTES
                or not held.isdisjoint(keys)
            ):
                yield chunk
                chunk, size, held = [], _ENVELOPE_ALLOWANCE, set()
            chunk.append(item)
            size += item_size
            held |= keys
        if chunk:
            yield chunk

    def _send_chunk(self, chunk: list[Item]) -> None:
        answer = self.runtime.client.call(
            self.endpoint,
            body=self.envelope([item.json for item in chunk]),
            path_params=self.path_params(),
        )
        if answer.ok:
            self._read_partial_failures(chunk, answer)
            return
        if self.fix_and_retry(answer):
            self._send_chunk(chunk)
            return
        suspects = mismatch_suspects([item.record for item in chunk], answer)
        if suspects and len(chunk) > 1:
            self.runtime.logger.info(
                "%s answered %s for %d records: %d hold the offending value; sending the rest "
                "without them",
                self.endpoint.path,
                answer.code,
                len(chunk),
                len(suspects),
            )
            rest = [item for index, item in enumerate(chunk) if index not in suspects]
            if rest:
                self._send_chunk(rest)
            for index in sorted(suspects):  # alone, so Iterable's answer is about that record
                self._send_chunk([chunk[index]])
            return
        blames_records = answer.status == 413 or answer.code in RECORD_LEVEL_CODES
        if blames_records and len(chunk) > 1:
            middle = len(chunk) // 2
            self.runtime.logger.info(
                "%s answered %s %s for %d records: splitting to isolate the offending ones",
                self.endpoint.path,
                answer.status,
                answer.code,
                len(chunk),
            )
            self._send_chunk(chunk[:middle])
            self._send_chunk(chunk[middle:])
            return
        field = rejected_field(answer)
        self.runtime.dead_letter(
            [
                self._letter(
                    item.stream,
                    item.record,
                    f"Iterable refused the request: {answer.message}",
                    field=field,
                    rule=answer.code or f"HTTP {answer.status}",
                    answer=answer,
                )
                for item in chunk
            ]
        )

    def _read_partial_failures(self, chunk: list[Item], answer: Answer) -> None:
        records = [item.record for item in chunk]
        refusals, unmatched = partial_refusals(
            records,
            answer,
            with_event_names=self.with_event_names,
            in_data_fields=self.in_data_fields,
        )
        if unmatched:
            # Iterable counted failures it named no record of: which records they were is not
            # known, so none of this request is recorded as delivered (a later run sends them
            # again) and only Iterable's successCount is counted as accepted.
            self.runtime.logger.warning(
                "%s reported %d failure(s) that match no record of the request; none of its "
                "%d records is recorded as delivered: %s",
                self.endpoint.path,
                unmatched,
                len(chunk),
                self.runtime.redactor.text(answer.text[:500]),
            )
            self.runtime.stats.untraced(self.operation, unmatched)
        kept = [r for r in refusals if self.keep_for_later(chunk[r.index], r)]
        refusals = [r for r in refusals if r not in kept]
        retries = {
            r.index: retry for r in refusals if (retry := self.retry_without(chunk[r.index], r))
        }
        not_accepted = {r.index for r in refusals} | {r.index for r in kept}
        accepted = [item for index, item in enumerate(chunk) if index not in not_accepted]
        if not unmatched:
            self.runtime.changes.confirm([item.receipt for item in accepted])
            for item in accepted:
                if item.without_refused_email:
                    self.runtime.stats.written_without_email(self.operation)
        self.runtime.stats.accepted(self.operation, max(len(accepted) - unmatched, 0))
        letters: list[DeadLetter] = []
        reports: list[DeadLetter] = []  # refused parts of records sent again without them
        for refusal in refusals:
            retried = refusal.index in retries
            letter = self._refusal_letter(chunk[refusal.index], refusal, answer, retried=retried)
            (reports if retried else letters).append(letter)
        self.runtime.dead_letter(letters)
        self.runtime.dead_letter(reports, record_loaded=True)
        if retries:
            self._send_items(list(retries.values()))

    def _refusal_letter(
        self, item: Item, refusal: Refusal, answer: Answer, *, retried: bool
    ) -> DeadLetter:
        list_name = refusal.rule.removeprefix("failedUpdates.")
        reason = (
            f"Iterable refused this record ({list_name}: {refusal.reason}): {refusal.identifier}"
        )
        if retried:
            reason += "; the profile was sent again by its userId without this email"
        return self._letter(
            item.stream,
            item.record,
            reason,
            field=refusal.field,
            rule=refusal.rule,
            answer_summary={
                "status": answer.status,
                "successCount": answer.body.get("successCount"),
                "failCount": answer.body.get("failCount"),
                refusal.rule: [refusal.identifier],
            },
        )

    def _letter(
        self,
        stream: str,
        record: dict[str, Any],
        reason: str,
        *,
        field: str | None = None,
        rule: str | None = None,
        answer: Answer | None = None,
        answer_summary: dict[str, Any] | None = None,
    ) -> DeadLetter:
        return DeadLetter(
            stream=stream,
            operation=self.operation,
            record=record,
            reason=reason,
            field=field,
            rule=rule,
            iterable_answer=answer.for_dead_letter() if answer else answer_summary,
        )


class UsersSender(BulkSender):
    """Profile updates.

    No two updates of one request carry the same identifier (top level or `dataFields`): Iterable
    lists refused identifiers, and a refusal may depend on the rest of the update (its dataFields,
    or the identity change it asks for), so only then does a listed identifier name exactly one
    record. A user update whose email Iterable refuses as malformed is sent again by its userId
    without the email (hybrid and userID-based projects), and the refused email is reported.
    """

    endpoint = USERS_BULK_UPDATE
    operation = "users"
    in_data_fields = True

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime, runtime.settings.users_per_request)

    def encode(self, record: dict[str, Any]) -> str:
        return encoding.dumps(user_with_defaults(record, self.runtime))

    def unique_identifiers(self, record: dict[str, Any]) -> set[tuple[str, str]]:
        return {(kind, value) for kind, _, value in identifiers(record, in_data_fields=True)}

    def retry_without(self, item: Item, refusal: Refusal) -> Item | None:
        if refusal.rule != INVALID_EMAIL_RULE or not refusal.field.endswith("email"):
            return None
        record = by_user_id_without_email(item.record)
        if record is None:
            return None
        return Item(record, self.encode(record), item.stream, item.receipt, True)

    def envelope(self, items: list[str]) -> str:
        extra = ""
        if self.runtime.settings.create_new_fields is not None:
            extra = f',"createNewFields":{encoding.dumps(self.runtime.settings.create_new_fields)}'
        return '{"users":[' + ",".join(items) + "]" + extra + "}"


class EventsSender(BulkSender):
    """Events of a user Iterable does not know yet wait for that user.

    `events/trackBulk` does not create users (it answers `notFoundEmails`), and the user may
    still be on its way: the mapper sends a person's user record after the events that changed
    it. Such events are sent again after the next users have gone out; only those still refused
    at the end of the run are dead-lettered. Until then the sink is not settled: no STATE passes
    them.
    """

    endpoint = EVENTS_TRACK_BULK
    operation = "events"
    with_event_names = True

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime, runtime.settings.events_per_request)
        self.waiting: list[Item] = []
        self._final = False

    def send(self, records: list[dict[str, Any]], stream: str) -> None:
        # The caller has just sent the users received so far: the waiting events go again first.
        waiting, self.waiting = self.waiting, []
        self._send_items(waiting)
        super().send(records, stream)

    def send_waiting(self, *, final: bool) -> None:
        """Send the waiting events again; with `final`, dead-letter those still refused."""
        waiting, self.waiting = self.waiting, []
        self._final = final
        try:
            self._send_items(waiting)
        finally:
            self._final = False

    def keep_for_later(self, item: Item, refusal: Refusal) -> bool:
        if self._final or refusal.rule not in USER_NOT_FOUND_RULES:
            return False
        self.waiting.append(item)
        return True

    def encode(self, record: dict[str, Any]) -> str:
        create = self.runtime.settings.create_new_fields
        if create is not None and "createNewFields" not in record:
            record = {**record, "createNewFields": create}
        return encoding.dumps(record)

    def envelope(self, items: list[str]) -> str:
        return '{"events":[' + ",".join(items) + "]}"


class CatalogItemsSender(BulkSender):
    endpoint = CATALOG_ITEMS
    operation = "catalog_items"

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime, runtime.settings.catalog_items_per_request)
        self._catalog_lock = threading.Lock()
        self._catalog_created = False
        self._field_types = CatalogFieldTypes(runtime, self._create_catalog)

    def encode(self, record: dict[str, Any]) -> str:
        return encoding.dumps(record["itemId"]) + ":" + encoding.dumps(record["value"])

    def envelope(self, items: list[str]) -> str:
        replace = encoding.dumps(self.runtime.settings.catalog_replace_uploaded_fields_only)
        return '{"documents":{' + ",".join(items) + '},"replaceUploadedFieldsOnly":' + replace + "}"

    def path_params(self) -> dict[str, str]:
        return {"catalog": self.runtime.settings.catalog_name}

    def send(self, records: list[dict[str, Any]], stream: str) -> None:
        # One request's documents are keyed by itemId: the last record of an item wins.
        latest = {record["itemId"]: record for record in records}
        super().send(list(latest.values()), stream)

    def _send_items(self, items: list[Item]) -> None:
        # Typed before the first item carrying a field lands (a type cannot change later).
        if items:
            self._field_types.before_upload(item.record["value"] for item in items)
        super()._send_items(items)

    def fix_and_retry(self, answer: Answer) -> bool:
        if answer.status != 404 or "catalog" not in f"{answer.code} {answer.message}".lower():
            return False
        with self._catalog_lock:
            if self._catalog_created:
                return False
        return self._create_catalog()

    def _create_catalog(self) -> bool:
        """Create the catalog (once per run); whether it exists now."""
        with self._catalog_lock:
            if self._catalog_created:
                return True
            created = self.runtime.client.call(CATALOG_CREATE, path_params=self.path_params())
            already_there = created.status in (400, 409) and "exist" in created.message.lower()
            if not (created.ok or already_there):
                return False
            self._catalog_created = True
        self.runtime.logger.info(
            "Created the Iterable catalog %r", self.runtime.settings.catalog_name
        )
        return True


def user_with_defaults(user: dict[str, Any], runtime: Runtime) -> dict[str, Any]:
    """A user update with the configured `mergeNestedObjects`/`preferUserId` unless it sets them."""
    settings = runtime.settings
    extra: dict[str, Any] = {}
    if settings.merge_nested_objects and "mergeNestedObjects" not in user:
        extra["mergeNestedObjects"] = True
    if settings.prefer_user_id and "preferUserId" not in user:
        extra["preferUserId"] = True
    return {**user, **extra} if extra else user


def by_user_id_without_email(user: dict[str, Any]) -> dict[str, Any] | None:
    """A user update addressed by its userId alone, without any email; None without a userId.

    A registered customer keeps a profile when Iterable refuses their email as malformed: the
    userId is a documented identifier in hybrid and userID-based projects (Iterable KB "Project
    Types"), and updating by userId alone is allowed there (Swagger OptionalApiUser: "Provide an
    email or a userId").
    """
    data = dict(user.get("dataFields") or {})
    user_id = user.get("userId") or data.get("userId")
    if not isinstance(user_id, str) or not user_id:
        return None
    data.pop("email", None)
    data.pop("userId", None)
    update = {k: v for k, v in user.items() if k not in ("email", "userId", "dataFields")}
    update["userId"] = user_id
    if data:
        update["dataFields"] = data
    return update
