"""The dead-letter log: JSON Lines, one file per run, one line per record that was not loaded.

Each line has enough context to act on (stream, operation, the record, the failing field, the rule
or Iterable's code, Iterable's answer) and is what `target-iterable replay FILE` re-sends. Lines are
flushed and fsynced before the batch counts as done, so STATE never runs ahead of them.
"""

from __future__ import annotations

import datetime
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from singer_sdk.singerlib.json import deserialize_json  # exact decimals, like the reader

from . import encoding
from .redaction import Redactor

DEFAULT_PATH = "./dead-letters/target-iterable-{run_id}.jsonl"
# The rule of the mapper's letters (map-bigcommerce-iterable writes this same format): BigCommerce
# records that break the tap contract. They have no operation: nothing Iterable could be sent.
TAP_CONTRACT_RULE = "tap_contract"


@dataclass(frozen=True)
class DeadLetter:
    stream: str
    operation: str | None
    record: Any
    reason: str
    field: str | None = None
    rule: str | None = None
    iterable_answer: dict[str, Any] | None = None


def resolve_path(configured: str | None, started_at: datetime.datetime) -> Path:
    run_id = started_at.strftime("%Y%m%dT%H%M%S%fZ")
    return Path((configured or DEFAULT_PATH).replace("{run_id}", run_id))


class DeadLetterLog:
    """Appends dead letters to one file, created on the first letter; thread-safe.

    The file is opened per write (a batch's letters at once), so nothing stays open when a run
    fails half-way.
    """

    def __init__(self, path: Path, redactor: Redactor) -> None:
        self.path = path
        self._redactor = redactor
        self._lock = threading.Lock()
        self.count = 0

    def write(self, letters: list[DeadLetter]) -> None:
        if not letters:
            return
        now = datetime.datetime.now(datetime.UTC).isoformat()
        lines = [
            self._redactor.text(
                encoding.dumps(
                    {
                        "at": now,
                        "stream": letter.stream,
                        "operation": letter.operation,
                        "field": letter.field,
                        "rule": letter.rule,
                        "reason": letter.reason,
                        "iterable_answer": letter.iterable_answer,
                        "record": letter.record,
                    },
                    allow_nan=True,
                )
            )
            + "\n"
            for letter in letters
        ]
        with self._lock:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self.path.open("a", encoding="utf-8") as file:
                file.writelines(lines)
                file.flush()
                os.fsync(file.fileno())
            self.count += len(letters)


def read_dead_letters(path: Path) -> list[dict[str, Any]]:
    """Entries of a dead-letter file, in order; a line that is not an object is skipped."""
    entries = []
    with path.open(encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                entry = deserialize_json(line)
            except ValueError as error:
                msg = f"{path}:{number} is not a JSON line ({error})"
                raise ValueError(msg) from error
            if isinstance(entry, dict):
                entries.append(entry)
    return entries
