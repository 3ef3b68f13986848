"""Per-endpoint rate limits, as leaky buckets (Iterable's limits drain continuously).

Limits are requests per second, keyed by the names in `DEFAULT_RATE_LIMITS`. A bucket holds one
second's worth of requests (a minute's worth for per-minute limits such as export), so a burst of
that size passes and the next request waits for the bucket to drain. `math.inf` = no limit,
0 = always 429.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping

# Documented in Iterable's Swagger descriptions unless marked otherwise.
DEFAULT_RATE_LIMITS: dict[str, float] = {
    "users/update": 500.0,
    "users/bulkUpdate": 5.0,
    "users/get": 100.0,  # getByEmail, byUserId, GET users/{email}
    "users/delete": 100.0,  # DELETE users/{email}, users/byUserId/{userId}
    "users/forget": 3.0,
    "users/merge": 50.0,  # per API key (Swagger users/merge)
    "events/track": 2000.0,
    "events/trackBulk": 10.0,
    # Not stated by Iterable (UNCONFIRMED); a moderate default a target must pace itself against.
    "commerce/trackPurchase": 100.0,
    "commerce/updateCart": 100.0,
    "catalogs/items": 100.0,  # bulk POST catalogs/{name}/items (per API key)
    "catalogs/item": 1000.0,  # PUT catalogs/{name}/items/{id} (per API key)
    "catalogs/read": 100.0,  # GET catalogs, GET catalogs/{name}/items (per API key)
    "export/data.json": 4.0 / 60.0,  # 4 per minute
}


class LeakyBucket:
    def __init__(self, rate: float) -> None:
        self.rate = rate
        self.capacity = 0.0 if rate <= 0 else max(1.0, rate if rate >= 1 else rate * 60.0)
        self.level = 0.0
        self.updated = time.monotonic()

    def try_acquire(self) -> bool:
        if math.isinf(self.rate):
            return True
        now = time.monotonic()
        self.level = max(0.0, self.level - (now - self.updated) * self.rate)
        self.updated = now
        if self.level + 1.0 > self.capacity:
            return False
        self.level += 1.0
        return True


class RateLimiter:
    """Thread-safe set of buckets, reconfigurable while serving."""

    def __init__(self, overrides: Mapping[str, float] | None = None) -> None:
        self._lock = threading.Lock()
        self._limits = dict(DEFAULT_RATE_LIMITS)
        self._buckets: dict[str, LeakyBucket] = {}
        self.configure(overrides or {})

    def configure(self, overrides: Mapping[str, float]) -> None:
        """Change some limits (requests per second); unknown names are a clear error."""
        unknown = sorted(set(overrides) - set(DEFAULT_RATE_LIMITS))
        if unknown:
            msg = (
                f"Unknown rate limit name(s) {', '.join(unknown)}; "
                f"expected some of {', '.join(DEFAULT_RATE_LIMITS)}"
            )
            raise ValueError(msg)
        for name, rate in overrides.items():
            if not isinstance(rate, int | float) or isinstance(rate, bool) or rate < 0:
                msg = f"Rate limit {name!r} must be a number >= 0 (requests per second)"
                raise ValueError(msg)
        with self._lock:
            self._limits.update({name: float(rate) for name, rate in overrides.items()})
            self._buckets.clear()

    def reset(self) -> None:
        with self._lock:
            self._limits = dict(DEFAULT_RATE_LIMITS)
            self._buckets.clear()

    def limits(self) -> dict[str, float]:
        with self._lock:
            return dict(self._limits)

    def allow(self, name: str) -> bool:
        with self._lock:
            bucket = self._buckets.get(name)
            if bucket is None:
                bucket = self._buckets[name] = LeakyBucket(self._limits[name])
            return bucket.try_acquire()
