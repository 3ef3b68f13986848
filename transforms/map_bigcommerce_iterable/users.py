"""Users are buffered between checkpoints: several updates of one person collapse into one record.

Per field the newest source timestamp wins (ties: the later update). The buffer is drained before
every STATE message is forwarded, so a bookmark never passes users it covers.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from map_bigcommerce_iterable.identity import Identity

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def source_stamp(as_of: datetime | None) -> str:
    """When a value was true, as remembered across runs (ISO, UTC; None: the oldest)."""
    return (as_of or _EPOCH).astimezone(UTC).isoformat()


def supersedes(offered_at: str, known_at: str | None) -> bool:
    """Newest wins (ties: the later update): does a value true at `offered_at` replace one true
    at `known_at` (None: nothing known)? Both are `source_stamp`s."""
    return known_at is None or offered_at >= known_at


@dataclass
class _Pending:
    identity: Identity
    fields: dict[str, tuple[datetime, int, Any]] = field(default_factory=dict)
    needs_ltv: bool = False


class UserBuffer:
    def __init__(self) -> None:
        self._pending: dict[int, _Pending] = {}
        self._sequence = 0
        # Undo log of the current input record: each person's pending update before it.
        self._undo: dict[int, _Pending | None] | None = None
        self._sequence_before = 0

    def __len__(self) -> int:
        return len(self._pending)

    def update(self, identity: Identity, fields: Mapping[str, Any], as_of: datetime | None) -> None:
        """Merge fields observed at `as_of` (None: oldest) into the person's pending update."""
        self._remember(identity.person_id)
        pending = self._pending.setdefault(identity.person_id, _Pending(identity))
        pending.identity = identity  # the latest identifiers win (e.g. a guest who registered)
        stamp = as_of or _EPOCH
        for name, value in fields.items():
            self._sequence += 1
            current = pending.fields.get(name)
            if current is None or (stamp, self._sequence) >= current[:2]:
                pending.fields[name] = (stamp, self._sequence, value)

    def mark_ltv(self, identity: Identity) -> None:
        """The person's order ledger changed: recompute lifetime value at the next drain."""
        self.update(identity, {}, None)
        self._pending[identity.person_id].needs_ltv = True

    def absorb(self, absorbed_id: int, into: Identity) -> None:
        """Another person joined `into` (their Iterable profiles merge): their pending fields
        join its update (newest wins), and its lifetime value, now over both ledgers, is
        recomputed."""
        self._remember(absorbed_id)
        absorbed = self._pending.pop(absorbed_id, None)
        self.mark_ltv(into)
        if absorbed is None:
            return
        pending = self._pending[into.person_id]
        for name, offered in absorbed.fields.items():
            current = pending.fields.get(name)
            if current is None or offered[:2] >= current[:2]:
                pending.fields[name] = offered

    def drain(self) -> Iterator[tuple[Identity, dict[str, Any], dict[str, str], bool]]:
        """(identity, merged fields, when each was true (ISO, UTC), needs lifetime value) per
        person, in first-seen order."""
        pending, self._pending = self._pending, {}
        self._undo = None
        for item in pending.values():
            fields = {k: v[2] for k, v in item.fields.items()}
            stamps = {k: source_stamp(v[0]) for k, v in item.fields.items()}
            yield item.identity, fields, stamps, item.needs_ltv

    # -- one input record at a time ----------------------------------------------------------

    def begin_record(self) -> None:
        """Start remembering what the next input record changes, so it can be undone."""
        self._undo = {}
        self._sequence_before = self._sequence

    def undo_record(self) -> None:
        """Put back every pending update as it was before the record began."""
        for person_id, before in (self._undo or {}).items():
            if before is None:
                del self._pending[person_id]
            else:
                self._pending[person_id] = before  # same key: first-seen order is kept
        self._undo = None
        self._sequence = self._sequence_before

    def _remember(self, person_id: int) -> None:
        if self._undo is None or person_id in self._undo:
            return
        current = self._pending.get(person_id)
        self._undo[person_id] = (
            None
            if current is None
            else _Pending(current.identity, dict(current.fields), current.needs_ltv)
        )
