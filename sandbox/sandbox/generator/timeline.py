"""Fixed dates the generated store lives in, so a seed gives the same store on any day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

CATALOG_START = datetime(2023, 1, 1, tzinfo=UTC)
CUSTOMERS_START = datetime(2023, 6, 1, tzinfo=UTC)
ORDERS_START = datetime(2024, 1, 1, tzinfo=UTC)
# Every generated modification happens before this instant; deltas happen after it.
STORE_NOW = datetime(2025, 1, 1, tzinfo=UTC)

STORE_TIMEZONE = "America/Chicago"
# America/Chicago clock changes in 2024, in UTC: 02:00 CST -> 03:00 CDT, 02:00 CDT -> 01:00 CST.
DST_STARTS = datetime(2024, 3, 10, 8, 0, 0, tzinfo=UTC)
DST_ENDS = datetime(2024, 11, 3, 7, 0, 0, tzinfo=UTC)
# Orders placed one second before and exactly at each clock change.
DST_INSTANTS = (
    DST_STARTS - timedelta(seconds=1),
    DST_STARTS,
    DST_ENDS - timedelta(seconds=1),
    DST_ENDS,
)


def at_seconds(start: datetime, seconds: float) -> datetime:
    """`start` plus whole seconds (wire formats carry seconds only)."""
    return start + timedelta(seconds=int(seconds))


def epoch(moment: datetime) -> int:
    return int(moment.timestamp())


def from_epoch(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)
