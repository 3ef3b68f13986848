"""Per-endpoint pacing: requests are spaced at least 1/rate seconds apart.

A bucket of one token is stricter than Iterable's leaky bucket, so the target never bursts past
a limit whatever window the server measures it over; throughput still equals the limit.
When Iterable answers 429 anyway (a limit set too high, or another client sharing the project),
the rate is halved, then grows back by up to 50% a second while requests succeed, so a wrong
setting costs a few 429s rather than a storm of them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

_GROWTH_PER_SECOND = 0.5  # after a cut, the rate grows back by this share per second
_MIN_FRACTION = 1 / 64  # never below this share of the configured rate


class Pacer:
    """Hands out send times spaced `1/rate` apart; thread-safe, sleeps outside the lock."""

    def __init__(
        self,
        rate_per_second: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._max_rate = rate_per_second
        self._rate = rate_per_second
        self._next_slot = 0.0
        self._last_cut = float("-inf")
        # Injectable so that tests can move time forward instead of sleeping.
        self._clock = clock
        self._sleep = sleep
        self._last_growth = clock()
        self._lock = threading.Lock()

    @property
    def rate(self) -> float:
        return self._rate

    def wait(self) -> float:
        """Block until this caller may send; returns the seconds waited."""
        with self._lock:
            now = self._clock()
            slot = max(now, self._next_slot)
            self._next_slot = slot + 1.0 / self._rate
        delay = slot - now
        if delay > 0:
            self._sleep(delay)
        return delay

    def rate_limited(self, pause_seconds: float, sent_at: float) -> None:
        """After a 429: halve the rate and make every sender wait, not only the one refused.

        Only a request sent after the last cut can cut again: the 429s of requests that were
        already in flight at the old rate count as one.
        """
        with self._lock:
            now = self._clock()
            if sent_at > self._last_cut:
                self._rate = max(self._rate / 2, self._max_rate * _MIN_FRACTION)
                self._last_cut = self._last_growth = now
            self._next_slot = max(self._next_slot, now + pause_seconds)

    def succeeded(self) -> None:
        with self._lock:
            now = self._clock()
            elapsed, self._last_growth = now - self._last_growth, now
            if self._rate < self._max_rate:
                grown = self._rate * (1 + _GROWTH_PER_SECOND * elapsed)
                self._rate = min(self._max_rate, grown)
