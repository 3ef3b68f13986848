"""What every sink of one run shares: settings, the Iterable client, dead letters and counters."""

from __future__ import annotations

import datetime
import logging
import threading
import time
from collections.abc import Callable
from typing import Protocol

from target_iterable.changes import ChangeFilter
from target_iterable.client import IterableClient
from target_iterable.contract import OPERATIONS
from target_iterable.contract.dead_letters import DeadLetter, DeadLetterLog, resolve_path
from target_iterable.contract.redaction import Redactor, redact_log_handlers
from target_iterable.ledger import DeliveryLedger, project_scope
from target_iterable.settings import Settings
from target_iterable.stats import RunStats


class Runtime:
    def __init__(
        self,
        settings: Settings,
        logger: logging.Logger,
        started_at: datetime.datetime,
        *,
        with_ledger: bool = True,
    ) -> None:
        self.settings = settings
        self.logger = logger
        self.stats = RunStats()
        self.redactor = Redactor(settings.api_key)
        redact_log_handlers(self.redactor)
        self.client = IterableClient(settings, self.stats, self.redactor, logger)
        self.dead_letters = DeadLetterLog(
            resolve_path(settings.dead_letter_path, started_at), self.redactor
        )
        # Opened before any request: a ledger that cannot be opened stops the run here.
        self.ledger = (
            DeliveryLedger(
                settings.database_url,
                settings.ledger_scope or project_scope(settings.api_url, settings.api_key),
            )
            if with_ledger
            else None
        )
        self.changes = ChangeFilter(self.ledger, settings, self.stats)
        # Set by the target: sends the buffered records of some operations now.
        self.flush: Callable[[frozenset[str]], None] = lambda operations: None
        self._progress_lock = threading.Lock()
        self._last_progress = time.monotonic()

    def operation_for(self, stream_name: str) -> str | None:
        """The operation a stream feeds: from `stream_operations`, else the stream's own name."""
        if stream_name in self.settings.stream_operations:
            return self.settings.stream_operations[stream_name]
        return stream_name if stream_name in OPERATIONS else None

    def dead_letter(self, letters: list[DeadLetter], *, record_loaded: bool = False) -> None:
        """Write dead letters and count them; one carrying Iterable's answer is also counted as
        a refusal by its rule. `record_loaded`: the letters report a part Iterable refused of
        records that were loaded without it (not counted as dead-lettered records)."""
        self.dead_letters.write(letters)
        for letter in letters:
            operation = letter.operation or f"stream:{letter.stream}"
            if not record_loaded:
                self.stats.dead_lettered(operation)
            if letter.iterable_answer is not None and letter.rule:
                self.stats.refused(operation, letter.rule)

    def close(self) -> None:
        self.client.close()
        if self.ledger is not None:
            self.ledger.close()

    def log_progress(self, *, force: bool = False) -> None:
        with self._progress_lock:
            now = time.monotonic()
            if not force and now - self._last_progress < self.settings.progress_interval:
                return
            self._last_progress = now
        self.logger.info("Progress: %s", "; ".join(self.stats.lines()))

    def log_summary(self) -> None:
        self.logger.info("Summary (accepted = created or updated in Iterable):")
        for line in self.stats.lines():
            self.logger.info("  %s", line)
        if self.dead_letters.count:
            self.logger.warning(
                "%d record(s) dead-lettered to %s; fix the cause, then "
                "`target-iterable replay %s --config ...`",
                self.dead_letters.count,
                self.dead_letters.path,
                self.dead_letters.path,
            )
        else:
            self.logger.info("No record was dead-lettered.")


class HasRuntime(Protocol):
    runtime: Runtime
