"""Counters for progress lines and the end-of-run summary (thread-safe)."""

from __future__ import annotations

import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field


@dataclass
class OperationCounts:
    received: int = 0
    accepted: int = 0  # confirmed by Iterable (new or updated: every write is an upsert)
    dead_lettered: int = 0
    unchanged: int = 0  # not sent: Iterable already has it (the delivery ledger says so)
    historical: int = 0  # not sent: happened before `historical_cutoff`
    # Refused by Iterable, by the rule that refused them (a failedUpdates list, an error code).
    refused: Counter[str] = field(default_factory=Counter)
    # Failures Iterable counted (`failCount`) but named no record for: those records are neither
    # counted as accepted nor recorded in the ledger.
    untraced: int = 0
    # Users whose email Iterable refused, written by their userId without it (the email reported).
    written_without_email: int = 0


@dataclass
class EndpointCounts:
    requests: int = 0
    retries: int = 0
    rate_limited: int = 0  # 429 answers
    waited_seconds: float = 0.0  # time spent waiting for our own rate limiter


@dataclass
class RunStats:
    operations: dict[str, OperationCounts] = field(
        default_factory=lambda: defaultdict(OperationCounts)
    )
    endpoints: dict[str, EndpointCounts] = field(
        default_factory=lambda: defaultdict(EndpointCounts)
    )
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def received(self, operation: str, count: int = 1) -> None:
        with self._lock:
            self.operations[operation].received += count

    def accepted(self, operation: str, count: int = 1) -> None:
        with self._lock:
            self.operations[operation].accepted += count

    def dead_lettered(self, operation: str, count: int = 1) -> None:
        with self._lock:
            self.operations[operation].dead_lettered += count

    def refused(self, operation: str, rule: str) -> None:
        with self._lock:
            self.operations[operation].refused[rule] += 1

    def untraced(self, operation: str, count: int) -> None:
        with self._lock:
            self.operations[operation].untraced += count

    def written_without_email(self, operation: str) -> None:
        with self._lock:
            self.operations[operation].written_without_email += 1

    def unchanged(self, operation: str, count: int = 1) -> None:
        with self._lock:
            self.operations[operation].unchanged += count

    def historical(self, operation: str, count: int = 1) -> None:
        with self._lock:
            self.operations[operation].historical += count

    def request(self, endpoint: str) -> None:
        with self._lock:
            self.endpoints[endpoint].requests += 1

    def retry(self, endpoint: str, *, rate_limited: bool) -> None:
        with self._lock:
            counts = self.endpoints[endpoint]
            counts.retries += 1
            counts.rate_limited += int(rate_limited)

    def waited(self, endpoint: str, seconds: float) -> None:
        with self._lock:
            self.endpoints[endpoint].waited_seconds += seconds

    def lines(self) -> list[str]:
        """One line per operation and per endpoint, for logs."""
        with self._lock:
            lines = [
                f"{name}: received={c.received} accepted={c.accepted} "
                f"dead_lettered={c.dead_lettered} unchanged={c.unchanged}"
                + (f" before_historical_cutoff={c.historical}" if c.historical else "")
                + (f" untraced_failures={c.untraced}" if c.untraced else "")
                + (
                    f" written_by_user_id_without_refused_email={c.written_without_email}"
                    if c.written_without_email
                    else ""
                )
                for name, c in sorted(self.operations.items())
            ]
            lines += [
                f"{name} refused by Iterable: "
                + " ".join(f"{rule}={n}" for rule, n in sorted(c.refused.items()))
                for name, c in sorted(self.operations.items())
                if c.refused
            ]
            lines += [
                f"{name}: requests={c.requests} retries={c.retries} rate_limited={c.rate_limited} "
                f"rate_limit_wait={c.waited_seconds:.1f}s"
                for name, c in sorted(self.endpoints.items())
            ]
        return lines
