"""Who owns `phoneNumber`: BigCommerce writes it only when BigCommerce's number changed.

Shoppers also give their number in Iterable (an SMS opt-in form, a keyword reply), and that number
must survive the next sync. So the embedded store remembers, per person, the E.164 number last
written and the time of the BigCommerce record it came from, and a number is written only when

- no number was ever written for the person, or
- BigCommerce's number differs from the one last written AND its record is newer than the one
  that number came from.

A newer record with the same number writes nothing, and an older record never overwrites a newer
one. Re-reading the very record a number was written from (a resumed run, an incremental run's
re-read of its bookmark, a backfill) writes it again: the store is saved at each checkpoint, before
the target has delivered the users that carry the number, so a run killed in between would
otherwise lose it. The target's delivery ledger turns that repeat into no request when Iterable
already accepted the number (target-iterable/target_iterable/ledger.py).
"""

from __future__ import annotations

from datetime import datetime

from map_bigcommerce_iterable.normalise import parse_timestamp
from map_bigcommerce_iterable.store import EmbeddedStore, PhoneWrite


class PhoneOwnership:
    def __init__(self, store: EmbeddedStore) -> None:
        self._store = store
        self._offers: dict[int, tuple[datetime | None, str]] = {}
        self._written: dict[int, PhoneWrite] = {}  # since the last `save()`
        # Undo log of the current input record: each person's offer before it.
        self._undo: dict[int, tuple[datetime | None, str] | None] | None = None

    def offer(self, person_id: int, e164: str, as_of: datetime | None) -> None:
        """A valid number seen on a record of `as_of` (None: undated, the oldest)."""
        current = self._offers.get(person_id)
        if self._undo is not None:
            self._undo.setdefault(person_id, current)
        if current is None or _stamp(as_of) >= _stamp(current[0]):
            self._offers[person_id] = (as_of, e164)

    def take(self, person_id: int) -> str | None:
        """The number to write for this person now, if any (the offer is used up)."""
        offer = self._offers.pop(person_id, None)
        if offer is None:
            return None
        as_of, e164 = offer
        last = self._written.get(person_id) or self._store.phone_write(person_id)
        if last is not None:
            last_at = parse_timestamp(last.source_at, "phone_writes.source_at")
            if last.phone_number == e164:
                if _stamp(as_of) == _stamp(last_at):
                    # The record it was written from, read again: written again, because that
                    # write may never have reached Iterable (a run killed after this store was
                    # saved). The target's delivery ledger sends it only if it did not.
                    self._written[person_id] = last
                    return e164
                return None  # unchanged in BigCommerce: Iterable's value (maybe newer) stays
            if as_of is None or (last_at is not None and as_of <= last_at):
                return None  # an older BigCommerce record never overwrites a newer write
        self._written[person_id] = PhoneWrite(e164, as_of.isoformat() if as_of else None)
        return e164

    def begin_record(self) -> None:
        """Start remembering the offers the next input record makes, so they can be undone."""
        self._undo = {}

    def undo_record(self) -> None:
        for person_id, before in (self._undo or {}).items():
            if before is None:
                self._offers.pop(person_id, None)
            else:
                self._offers[person_id] = before
        self._undo = None

    def save(self) -> None:
        for person_id, write in self._written.items():
            self._store.put_phone_write(person_id, write)
        self._written.clear()


def _stamp(value: datetime | None) -> float:
    return value.timestamp() if value is not None else float("-inf")
