"""BigCommerce's store-wide request quota: N requests per fixed window, refreshed at its end."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class QuotaDecision:
    allowed: bool
    quota: int
    left: int
    window_ms: int
    reset_ms: int

    def headers(self) -> list[tuple[bytes, bytes]]:
        headers = [
            (b"x-rate-limit-time-window-ms", str(self.window_ms).encode()),
            (b"x-rate-limit-time-reset-ms", str(self.reset_ms).encode()),
            (b"x-rate-limit-requests-quota", str(self.quota).encode()),
            (b"x-rate-limit-requests-left", str(self.left).encode()),
        ]
        if not self.allowed:
            headers.append((b"x-retry-after", str(math.ceil(self.reset_ms / 1000)).encode()))
        return headers


class RateLimiter:
    """Fixed window that starts with the first request after the previous one ended."""

    def __init__(
        self,
        quota: int = 150,
        window_ms: int = 30000,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self.configure(quota, window_ms)

    def configure(self, quota: int, window_ms: int) -> None:
        if quota < 1 or window_ms < 1:
            msg = f"quota and window_ms must be positive, got {quota} and {window_ms}"
            raise ValueError(msg)
        with self._lock:
            self.quota = quota
            self.window_ms = window_ms
            self._window_start: float | None = None
            self._used = 0

    def take(self) -> QuotaDecision:
        """Spend one unit if any are left."""
        with self._lock:
            now = self._clock()
            window = self.window_ms / 1000
            if self._window_start is None or now - self._window_start >= window:
                self._window_start = now
                self._used = 0
            reset_ms = max(0, math.ceil((self._window_start + window - now) * 1000))
            allowed = self._used < self.quota
            if allowed:
                self._used += 1
            return QuotaDecision(
                allowed=allowed,
                quota=self.quota,
                left=self.quota - self._used,
                window_ms=self.window_ms,
                reset_ms=reset_ms,
            )
