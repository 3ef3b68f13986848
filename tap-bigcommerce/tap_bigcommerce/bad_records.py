"""Records the tap cannot normalise: dead-lettered (the run goes on) or, if asked, a hard stop.

The letters use the mapper's and the target's format and code (`tap_bigcommerce.contract`, the
tap's copy of `target_iterable.contract`, checked for drift by a test): one JSON line per record
with stream, field, rule, reason and the record. The tap's letters
hold the record as BigCommerce sent it (plus `store_hash`, so the reconciler can name an
order's purchase); they have no operation (nothing was sent to Iterable) and the rule
`tap_contract`, like the mapper's: `target-iterable replay` skips them, and
`tap-bigcommerce replay --dead-letters FILE` re-extracts them by id. The access token is
redacted from every line.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter
from pathlib import Path
from typing import Any

from tap_bigcommerce.contract.dead_letters import (
    TAP_CONTRACT_RULE,
    DeadLetter,
    DeadLetterLog,
    resolve_path,
)
from tap_bigcommerce.contract.redaction import Redactor
from tap_bigcommerce.values import ValueFormatError

DEFAULT_DEAD_LETTER_PATH = "./dead-letters/tap-bigcommerce-{run_id}.jsonl"
DEAD_LETTER, FAIL = "dead_letter", "fail"


class BadRecords:
    """Where a stream sends a record it cannot normalise; counts them for the run summary."""

    def __init__(
        self, path: str | None, policy: str, secrets: tuple[str, ...], logger: logging.Logger
    ) -> None:
        self.policy = policy
        self.logger = logger
        self.log = DeadLetterLog(
            resolve_path(path or DEFAULT_DEAD_LETTER_PATH, datetime.datetime.now(datetime.UTC)),
            Redactor(*secrets),
        )
        self.by_stream: Counter[str] = Counter()

    @property
    def path(self) -> Path:
        return self.log.path

    @property
    def count(self) -> int:
        return self.log.count

    def handle(self, stream: str, record: Any, error: ValueFormatError, store_hash: str) -> None:
        """Dead-letter `record` (or raise `error` when `on_bad_record` is `fail`)."""
        record_id = record.get("id", record.get("event_id")) if isinstance(record, dict) else None
        if self.policy == FAIL:
            raise error
        letter_record = {**record, "store_hash": store_hash} if isinstance(record, dict) else record
        self.log.write(
            [
                DeadLetter(
                    stream=stream,
                    operation=None,
                    record=letter_record,
                    reason=str(error),
                    field=error.field,
                    rule=TAP_CONTRACT_RULE,
                )
            ]
        )
        self.by_stream[stream] += 1
        self.logger.error(
            "Dead-lettered %s record %r (field %s): %s",
            stream,
            record_id,
            error.field or "?",
            error,
        )

    def summary(self) -> str:
        if not self.count:
            return "Dead-lettered 0 records"
        return (
            f"Dead-lettered {self.count} record(s) {dict(self.by_stream)} to {self.path}; "
            "re-extract them with `tap-bigcommerce replay --dead-letters "
            f"{self.path}` once fixed"
        )
