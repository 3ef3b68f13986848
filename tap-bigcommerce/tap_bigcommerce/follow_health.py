"""The follow pipeline's health and lag, as one log line every `health_log_seconds`.

What an operator alerts on (README, "Health and lag"): how far behind the newest inbox delivery
the tap is (deliveries not read yet and the age of the oldest; the webhook lag of the wake-ups
since the last line: from the oldest delivery a wake-up covered to its end) and how old the newest
change the pipeline has passed on is (each followed stream's bookmark: on a busy store it stays
seconds old; on a quiet one it only says when the store last changed). A line that stops coming
means the tap is stuck; a lag that keeps growing means it does not keep up.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any


@dataclass
class LagWindow:
    """The webhook lags of the wake-ups since the last health line."""

    lags: list[float] = field(default_factory=list)

    def add(self, oldest_received: str | None) -> float | None:
        lag = seconds_since(oldest_received)
        if lag is not None:
            self.lags.append(lag)
        return lag

    def take(self) -> list[float]:
        lags, self.lags = self.lags, []
        return lags


def seconds_since(timestamp: Any) -> float | None:
    """Seconds from an ISO 8601 timestamp to now (None when there is none or it is unreadable)."""
    if not isinstance(timestamp, str) or not timestamp:
        return None
    try:
        moment = datetime.fromisoformat(timestamp)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (datetime.now(UTC) - moment).total_seconds()


def bookmark_ages(state: Mapping[str, Any], streams: Iterable[str]) -> dict[str, float]:
    """Seconds since each followed stream's bookmark (timestamp bookmarks only)."""
    bookmarks = state.get("bookmarks") or {}
    ages = {}
    for name in streams:
        bookmark = bookmarks.get(name) or {}
        # A partitioned stream (orders: one pass per status scope) has one bookmark per pass.
        found = [bookmark, *(bookmark.get("partitions") or [])]
        known = [seconds_since(each.get("replication_key_value")) for each in found]
        newest = min((age for age in known if age is not None), default=None)
        if newest is not None:
            ages[name] = newest
    return ages


def health_line(
    *,
    unread: int,
    oldest_unread: str | None,
    lags: list[float],
    ages: Mapping[str, float],
    wake_ups: int,
    sweeps: int,
    requests: int,
) -> str:
    oldest = seconds_since(oldest_unread)
    lag = f"max {max(lags):.2f} s over {len(lags)} wake-ups" if lags else "no wake-up"
    bookmarks = ", ".join(f"{name} {age:.0f} s" for name, age in sorted(ages.items())) or "none"
    return (
        f"follow: health: inbox unread {unread}"
        f"{f' (oldest {oldest:.2f} s)' if oldest is not None else ''}; webhook lag {lag}; "
        f"bookmark ages {bookmarks}; wake-ups {wake_ups}, sweeps {sweeps}, requests {requests}"
    )
