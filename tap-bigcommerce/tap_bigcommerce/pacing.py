"""Pace requests by BigCommerce's rate-limit headers so a run uses the quota without 429s.

BigCommerce refreshes a store's request quota every window (30 s by default) and reports on every
response how many requests are left (`X-Rate-Limit-Requests-Left`) and how long until the window
resets (`X-Rate-Limit-Time-Reset-Ms`). The quota is shared by every app on the store, so the
pacer keeps a small reserve and, once the reserve is reached, waits for the reset instead of
spending the last requests and provoking a 429.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

REQUESTS_LEFT = "X-Rate-Limit-Requests-Left"
TIME_RESET_MS = "X-Rate-Limit-Time-Reset-Ms"
RETRY_AFTER = "X-Retry-After"


@dataclass(frozen=True)
class RateLimitSnapshot:
    """What the last response said about the quota."""

    requests_left: int
    reset_seconds: float
    observed_at: float


def read_snapshot(headers: Mapping[str, str], now: float) -> RateLimitSnapshot | None:
    """The quota reported by a response's headers, or None when it reports none."""
    left = headers.get(REQUESTS_LEFT)
    reset_ms = headers.get(TIME_RESET_MS)
    if left is None or reset_ms is None:
        return None
    try:
        return RateLimitSnapshot(int(left), max(float(reset_ms), 0.0) / 1000.0, now)
    except ValueError:
        return None


def seconds_until_reset(headers: Mapping[str, str]) -> float | None:
    """How long a 429 says to wait: `-Time-Reset-Ms`, else `X-Retry-After` seconds, else None."""
    reset_ms = headers.get(TIME_RESET_MS)
    if reset_ms is not None:
        try:
            return max(float(reset_ms), 0.0) / 1000.0
        except ValueError:
            pass
    retry_after = headers.get(RETRY_AFTER)
    if retry_after is not None:
        try:
            return max(float(retry_after), 0.0)
        except ValueError:
            pass
    return None


class RateLimitPacer:
    """Shared by all streams of one tap run: BigCommerce's quota is per store, not per endpoint."""

    def __init__(
        self,
        *,
        reserve: int = 1,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.reserve = reserve
        self._clock = clock
        self._sleep = sleep
        self._snapshot: RateLimitSnapshot | None = None
        self._lock = threading.Lock()
        self.total_wait_seconds = 0.0

    def wait_before_request(self) -> float:
        """Sleep until the quota allows another request; return the seconds waited."""
        with self._lock:
            snapshot = self._snapshot
            if snapshot is None or snapshot.requests_left > self.reserve:
                if snapshot is not None:
                    # Count this request against the known quota until its answer arrives.
                    self._snapshot = RateLimitSnapshot(
                        snapshot.requests_left - 1, snapshot.reset_seconds, snapshot.observed_at
                    )
                return 0.0
            remaining = snapshot.observed_at + snapshot.reset_seconds - self._clock()
            self._snapshot = None
        if remaining <= 0:
            return 0.0
        self._sleep(remaining)
        self.total_wait_seconds += remaining
        return remaining

    def observe(self, headers: Mapping[str, str]) -> None:
        """Remember the quota a response reported."""
        snapshot = read_snapshot(headers, self._clock())
        if snapshot is not None:
            with self._lock:
                self._snapshot = snapshot
