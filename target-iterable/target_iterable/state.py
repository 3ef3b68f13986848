"""STATE that never runs ahead of Iterable.

A STATE message is emitted once every record read before it has been settled: accepted by Iterable
or written to the dead-letter log. The SDK alone only emits STATE when all sinks drain (end of
input, or every 5 minutes); this also emits it as soon as the batches before it are done, so a
crash loses nothing and a resume re-sends only the unconfirmed tail.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol


class SettlingSink(Protocol):
    read_records: int
    settled_records: int


@dataclass
class _Pending:
    state: dict[str, Any]
    needs: list[tuple[SettlingSink, int]]  # each sink must have settled this many records

    def confirmed(self) -> bool:
        return all(sink.settled_records >= count for sink, count in self.needs)


class StateGate:
    def __init__(self, write: Callable[[dict[str, Any]], None]) -> None:
        self._write = write
        self._pending: list[_Pending] = []

    def received(self, state: dict[str, Any], sinks: Iterable[SettlingSink]) -> None:
        needs = [(sink, sink.read_records) for sink in sinks]
        self._pending.append(_Pending(copy.deepcopy(state), needs))
        self.release()

    def release(self) -> None:
        """Write the latest confirmed STATE; confirmed ones form a prefix of the pending list."""
        latest: _Pending | None = None
        while self._pending and self._pending[0].confirmed():
            latest = self._pending.pop(0)
        if latest is not None:
            self._write(latest.state)

    def forget(self) -> None:
        """After the SDK's own drain of every sink, which writes the latest STATE itself."""
        self._pending.clear()

    @property
    def has_pending(self) -> bool:
        return bool(self._pending)
