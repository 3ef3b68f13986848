"""Per-endpoint pacing: requests are spaced at least 1/rate seconds apart.

A bucket of one token is stricter than Iterable's leaky bucket, so the target never bursts past
a limit whatever window the server measures it over; throughput still equals the limit.
"""

from __future__ import annotations

import threading
import time


class Pacer:
    """Hands out send times spaced `1/rate` apart; thread-safe, sleeps outside the lock."""

    def __init__(self, rate_per_second: float) -> None:
        self._interval = 1.0 / rate_per_second
        self._next_slot = 0.0
        self._lock = threading.Lock()

    def wait(self) -> float:
        """Block until this caller may send; returns the seconds waited."""
        with self._lock:
            now = time.monotonic()
            slot = max(now, self._next_slot)
            self._next_slot = slot + self._interval
        delay = slot - now
        if delay > 0:
            time.sleep(delay)
        return delay

    def push_back(self, seconds: float) -> None:
        """After a 429, make every sender on this endpoint wait, not only the one that got it."""
        with self._lock:
            self._next_slot = max(self._next_slot, time.monotonic() + seconds)
