"""Poll a counter in a background thread, to learn when requests started and stopped arriving.

The emulators' request logs keep no timestamps; polling their totals every 0.1 s gives each
request group's active span to within that resolution, which is all the quota shares need.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Self

POLL_INTERVAL_S = 0.1


class CountSampler:
    def __init__(self, read: Callable[[], Mapping[str, int]]) -> None:
        self._read = read
        self._stop = threading.Event()
        self.samples: list[tuple[float, dict[str, int]]] = []
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), dict(self._read())))
            self._stop.wait(POLL_INTERVAL_S)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        value: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._stop.set()
        self._thread.join()
        self.samples.append((time.monotonic(), dict(self._read())))

    def span(self, key: str) -> float | None:
        """Seconds from the first sample where `key` was above zero to the first sample where
        it reached its final value (None if it never moved)."""
        final = self.samples[-1][1].get(key, 0)
        if final == 0:
            return None
        first = next(t for t, counts in self.samples if counts.get(key, 0) > 0)
        last = next(t for t, counts in self.samples if counts.get(key, 0) >= final)
        return max(last - first, POLL_INTERVAL_S)
