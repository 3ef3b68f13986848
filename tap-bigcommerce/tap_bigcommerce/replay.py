"""`tap-bigcommerce replay --dead-letters PATH --config CONFIG`: re-extract dead-lettered records.

A bookmark may pass a record the tap (or the mapper) could not read only because the record is
in a dead-letter file. After an upgrade that reads it, this command extracts those records again,
by id, and writes them as a normal tap run does, to be piped through the mapper and the target:

    tap-bigcommerce replay --dead-letters dead-letters/tap-bigcommerce-*.jsonl --config tap.json \
        | map-bigcommerce-iterable --config mapper.json | target-iterable --config target.json

Each stream with letters is read again from the earliest modification date among its letters
(the whole stream when none is readable), and only the lettered ids are emitted. No STATE is
written: a replay never moves a bookmark. Letters of `cart_events` and `customer_deletions`
cannot be re-extracted (they are webhook deliveries, not a list to read again) and are reported.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections import defaultdict
from datetime import datetime
from pathlib import Path
from typing import Any

from singer_sdk.io_base import SingerWriter
from singer_sdk.singerlib import Message, StateMessage

from tap_bigcommerce.contract.dead_letters import TAP_CONTRACT_RULE, read_dead_letters
from tap_bigcommerce.values import ValueFormatError, to_utc_datetime

LOGGER = logging.getLogger("tap_bigcommerce.replay")
NOT_REPLAYABLE = {"cart_events", "customer_deletions"}


class ReplayPlan:
    """Which ids of which streams to re-extract, and from when."""

    def __init__(self) -> None:
        self.ids: dict[str, set[Any]] = defaultdict(set)
        self.since: dict[str, datetime | None] = {}
        self.skipped: dict[str, int] = defaultdict(int)

    def add(self, stream: str, record: Any, replication_key: str | None) -> None:
        record_id = record.get("id") if isinstance(record, dict) else None
        if stream in NOT_REPLAYABLE or not isinstance(record_id, int | str):
            self.skipped[stream] += 1
            return
        self.ids[stream].add(record_id)
        stamp = _stamp(record, replication_key)
        earliest = self.since.get(stream, stamp)
        # A letter without a readable date means: read the stream from its beginning.
        if stream in self.since and (earliest is None or stamp is None):
            self.since[stream] = None
        else:
            self.since[stream] = min(earliest, stamp) if earliest and stamp else stamp

    def wants(self, stream: str, record_id: Any) -> bool:
        return record_id in self.ids.get(stream, ())


def _stamp(record: dict[str, Any], replication_key: str | None) -> datetime | None:
    if not replication_key:
        return None
    try:
        return to_utc_datetime(record.get(replication_key))
    except ValueFormatError:
        return None


def plan_from(paths: list[Path], replication_keys: dict[str, str | None]) -> ReplayPlan:
    """The BigCommerce records in the letters: the tap's own and the mapper's (same rule)."""
    plan = ReplayPlan()
    for path in paths:
        for letter in read_dead_letters(path):
            stream = letter.get("stream")
            if letter.get("rule") != TAP_CONTRACT_RULE or stream not in replication_keys:
                continue  # the target's letters: `target-iterable replay` re-sends those
            plan.add(stream, letter.get("record"), replication_keys[stream])
    return plan


class WriterWithoutState(SingerWriter):
    """A replay never moves a bookmark: it writes every message but STATE (through the SDK's
    public `message_writer`, which every STATE the tap emits goes through)."""

    def write_message(self, message: Message) -> None:
        if not isinstance(message, StateMessage):
            super().write_message(message)


def main(argv: list[str]) -> int:
    from tap_bigcommerce.tap import TapBigCommerce  # noqa: PLC0415 (the CLI's import cost)

    parser = argparse.ArgumentParser(
        prog="tap-bigcommerce replay",
        description="Re-extract the BigCommerce records of dead-letter files, by id.",
    )
    parser.add_argument(
        "--dead-letters",
        type=Path,
        action="append",
        required=True,
        help="a dead-letter file of the tap or the mapper (repeatable)",
    )
    parser.add_argument("--config", type=Path, required=True, help="the tap's config file")
    args = parser.parse_args(argv)
    config = json.loads(args.config.read_text())
    tap = TapBigCommerce(config=config, message_writer=WriterWithoutState())
    keys = {name: stream.replication_key for name, stream in tap.streams.items()}
    plan = plan_from(args.dead_letters, keys)
    for name, count in plan.skipped.items():
        tap.logger.warning("Not replayable: %d letter(s) of %s", count, name)
    if not plan.ids:
        tap.logger.info("No BigCommerce records to re-extract in %s", args.dead_letters)
        return 0
    tap.replay_plan = plan
    for name, stream in tap.streams.items():
        stream.selected = name in plan.ids
    tap.logger.info(
        "Re-extracting %s",
        {name: len(ids) for name, ids in sorted(plan.ids.items())},
    )
    tap.sync_all()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
