"""A collection of records numbered 1..N, built on demand and indexed by modification time.

Large collections (a million orders) are never held in memory: a record is rebuilt from
(seed, number) when asked for, and only changed or added records are stored. The index packs
(modified epoch seconds, id) into one 64-bit integer per record, kept sorted in an `array`.
"""

from __future__ import annotations

import bisect
import threading
from array import array
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from typing import Generic, TypeVar

from sandbox.generator.timeline import epoch

T = TypeVar("T")

_ID_BITS = 24  # up to 16.7 million records
_ID_MASK = (1 << _ID_BITS) - 1
_CACHE_SIZE = 4096


def _key(modified: datetime, record_id: int) -> int:
    return (epoch(modified) << _ID_BITS) | record_id


class DerivedCollection(Generic[T]):
    """Records built by `build(number)`; `modified_of(number)` must be cheap and agree with it."""

    def __init__(
        self,
        count: int,
        build: Callable[[int], T],
        modified_of: Callable[[int], datetime],
        modified_attr: Callable[[T], datetime],
        modified_epoch_of: Callable[[int], int] | None = None,
    ) -> None:
        self._base_count = count
        self._build = build
        self._modified_of = modified_of
        self._modified_attr = modified_attr
        # A faster `modified_of` in Unix seconds, for indexing large collections.
        self._modified_epoch_of = modified_epoch_of or (lambda n: epoch(modified_of(n)))
        self._stored: dict[int, T] = {}
        self._deleted: set[int] = set()
        self._cache: OrderedDict[int, T] = OrderedDict()
        self._lock = threading.RLock()
        self._index: array[int] | None = None
        self._next_id = count + 1
        # Bumped on every change, so cached query results know they are stale.
        self.version = 0

    @property
    def count(self) -> int:
        return self._next_id - 1

    def get(self, record_id: int) -> T | None:
        if record_id < 1 or record_id >= self._next_id or record_id in self._deleted:
            return None
        with self._lock:
            if record_id in self._stored:
                return self._stored[record_id]
            cached = self._cache.get(record_id)
            if cached is not None:
                self._cache.move_to_end(record_id)
                return cached
        record = self._build(record_id)
        with self._lock:
            self._cache[record_id] = record
            if len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return record

    def require(self, record_id: int) -> T:
        record = self.get(record_id)
        if record is None:
            msg = f"no record {record_id}"
            raise KeyError(msg)
        return record

    def stored(self, record_id: int) -> T | None:
        """The record if it was changed or added after generation, else None."""
        return self._stored.get(record_id)

    def modified(self, record_id: int) -> datetime:
        stored = self._stored.get(record_id)
        return self._modified_attr(stored) if stored is not None else self._modified_of(record_id)

    def put(self, record_id: int, record: T) -> None:
        """Replace a record (a change) or add the next one (`record_id == count + 1`)."""
        with self._lock:
            index = self._sorted_index()
            if record_id < self._next_id:
                old = _key(self.modified(record_id), record_id)
                position = bisect.bisect_left(index, old)
                if position < len(index) and index[position] == old:
                    del index[position]
            elif record_id == self._next_id:
                self._next_id += 1
            else:
                msg = f"records are added in order: expected id {self._next_id}, got {record_id}"
                raise ValueError(msg)
            self._stored[record_id] = record
            self._cache.pop(record_id, None)
            self.version += 1
            bisect.insort(index, _key(self._modified_attr(record), record_id))

    def delete(self, record_id: int) -> bool:
        """Remove a record for good (its id is never reused); False when there was none."""
        with self._lock:
            if self.get(record_id) is None:
                return False
            index = self._sorted_index()
            old = _key(self.modified(record_id), record_id)
            position = bisect.bisect_left(index, old)
            if position < len(index) and index[position] == old:
                del index[position]
            self._deleted.add(record_id)
            self._stored.pop(record_id, None)
            self._cache.pop(record_id, None)
            self.version += 1
            return True

    def next_id(self) -> int:
        return self._next_id

    def ids(self) -> Sequence[int]:
        every = range(1, self._next_id)
        return [i for i in every if i not in self._deleted] if self._deleted else every

    def ids_by_modified(
        self, minimum: datetime | None = None, maximum: datetime | None = None
    ) -> list[int]:
        """Ids ordered by (modified, id), limited to minimum <= modified <= maximum."""
        with self._lock:
            index = self._sorted_index()
            low = 0 if minimum is None else bisect.bisect_left(index, epoch(minimum) << _ID_BITS)
            high = (
                len(index)
                if maximum is None
                else bisect.bisect_left(index, (epoch(maximum) + 1) << _ID_BITS)
            )
            return [key & _ID_MASK for key in index[low:high]]

    def newest_modified(self) -> datetime | None:
        with self._lock:
            index = self._sorted_index()
            if not index:
                return None
            return self.modified(index[-1] & _ID_MASK)

    def records(self, ids: Iterable[int]) -> Iterator[T]:
        for record_id in ids:
            record = self.get(record_id)
            if record is not None:
                yield record

    def _sorted_index(self) -> array[int]:
        if self._index is None:
            of = self._modified_epoch_of
            keys = [(of(n) << _ID_BITS) | n for n in range(1, self._base_count + 1)]
            keys.sort()
            self._index = array("q", keys)
        return self._index
