"""`target-iterable replay FILE --config CONFIG`: re-send a dead-letter log after fixing the cause.

Each entry's record is sent again through the same validation and senders as a normal run, under
its operation, so ids are the same (upserts, no duplicates). Entries that had no operation are
skipped with a count: an unknown stream's, and the mapper's (BigCommerce records it refused, to be
fixed at the source and re-extracted). What is refused again goes to a new dead-letter file.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.logging import ConsoleFormatter

from target_iterable.contract import OPERATIONS, encoding
from target_iterable.contract.dead_letters import TAP_CONTRACT_RULE, read_dead_letters
from target_iterable.target import TargetIterable


def _config(paths: list[Path]) -> dict[str, Any]:
    config: dict[str, Any] = {}
    for path in paths:
        loaded = json.loads(path.read_text(encoding="utf-8"))
        if not isinstance(loaded, dict):
            msg = f"{path} does not hold a JSON object"
            raise SystemExit(msg)
        config.update(loaded)
    return config


def singer_messages(entries: list[dict[str, Any]]) -> tuple[str, int]:
    """Singer lines re-sending the entries (streams named after operations), and skips."""
    by_operation: dict[str, list[Any]] = defaultdict(list)
    skipped = 0
    for entry in entries:
        operation = entry.get("operation")
        if operation in OPERATIONS and isinstance(entry.get("record"), dict):
            by_operation[operation].append(entry["record"])
        else:
            skipped += 1
    lines = []
    for operation, records in by_operation.items():
        schema = {
            "type": "SCHEMA",
            "stream": operation,
            "schema": {"type": "object", "properties": {}},
            "key_properties": [],
        }
        lines.append(json.dumps(schema))
        lines.extend(
            encoding.dumps({"type": "RECORD", "stream": operation, "record": record})
            for record in records
        )
    return "\n".join(lines) + "\n", skipped


def refused_by_the_mapper(entries: list[dict[str, Any]]) -> int:
    """Letters of BigCommerce records the mapper refused: not sendable to Iterable."""
    return sum(
        1
        for entry in entries
        if entry.get("operation") is None and entry.get("rule") == TAP_CONTRACT_RULE
    )


def _setup_logging() -> None:
    """Log to stderr like the SDK's CLI does (the replay command does not go through it)."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(ConsoleFormatter())
    root = logging.getLogger()
    root.addHandler(handler)
    level = os.environ.get("TARGET_ITERABLE_LOGLEVEL") or os.environ.get("LOGLEVEL") or "INFO"
    root.setLevel(level.upper())


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="target-iterable replay",
        description="Re-send the records of a dead-letter file, with the same ids.",
    )
    parser.add_argument(
        "--version", action="version", version=f"%(prog)s v{TargetIterable.get_plugin_version()}"
    )
    parser.add_argument("file", type=Path, help="dead-letter JSON Lines file")
    parser.add_argument(
        "--config", type=Path, action="append", required=True, help="target config (JSON)"
    )
    args = parser.parse_args(argv)
    _setup_logging()
    if not args.file.is_file():
        parser.error(f"{args.file} is not a file")
    entries = read_dead_letters(args.file)
    config = _config(args.config)
    # Records are replayed under their operation's name, so no mapping applies.
    config["stream_operations"] = {}
    config["unknown_streams"] = "fail"
    if Path(config.get("dead_letter_path", "")).resolve() == args.file.resolve():
        config.pop("dead_letter_path")  # never append to the file being replayed
    messages, skipped = singer_messages(entries)
    try:
        target = TargetIterable(config=config, validate_config=True)
    except ConfigValidationError as error:
        for message in error.errors:
            logging.getLogger("target-iterable").error("Invalid config: %s", message)
        return 1
    refused = refused_by_the_mapper(entries)
    if refused:
        target.logger.warning(
            "Skipping %d letter(s): they are BigCommerce records the mapper refused, not "
            "sendable to Iterable: fix them at the source and re-extract, e.g. a backfill with "
            "--state-id-suffix",
            refused,
        )
    if skipped - refused:
        target.logger.warning(
            "Skipping %d dead letter(s) with no operation (unknown stream or no record object)",
            skipped - refused,
        )
    target.logger.info("Replaying %d dead letter(s) from %s", len(entries) - skipped, args.file)
    target.listen(io.StringIO(messages))
    return 0
