"""The Iterable target: settings, one sink per stream, STATE gating and the run summary."""

from __future__ import annotations

import copy
import datetime
import os
import time
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from singer_sdk import Target
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.sinks import Sink

from target_iterable.contract.idle_input import Flusher
from target_iterable.contract.reader import MessageLinesReader
from target_iterable.contract.state_marker import has_bookmarks, marker, with_marker
from target_iterable.ledger import LedgerError
from target_iterable.runtime import Runtime
from target_iterable.settings import CONFIG_JSONSCHEMA, Settings, insecure_url_problem
from target_iterable.sinks import (
    LAST_STAGE,
    SINKS,
    IterableSink,
    UnknownStreamSink,
    _RuntimeSink,
)
from target_iterable.state import StateGate


class UnknownStreamError(ValueError):
    """A stream that maps to no operation, with `unknown_streams: fail`."""


class LedgerLostError(RuntimeError):
    """The STATE says earlier runs delivered through another ledger than the one opened."""


class TargetIterable(Target):
    """Loads users, events, purchases, carts, catalog items and user deletions into Iterable."""

    name = "target-iterable"
    config_jsonschema = CONFIG_JSONSCHEMA
    message_reader_class = MessageLinesReader

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        settings = self._checked_settings()
        started_at = datetime.datetime.fromtimestamp(self.initialized_at / 1000, datetime.UTC)
        try:
            # No ledger without a key (`--about`): nothing will be sent.
            self.runtime = Runtime(
                settings, self.logger, started_at, with_ledger=bool(settings.api_key)
            )
        except LedgerError as error:
            raise ConfigValidationError("Config validation failed", errors=[str(error)]) from None
        self._ledger_checked = False
        self._records_seen = False
        self._last_written_state: dict | None = None
        self._state_gate = StateGate(self._emit_state)
        self._ending = False
        self.runtime.flush = self._drain_operations
        # Bounded flush (`flush_seconds`): since when a STATE waits, when the last line came.
        self._state_held_since: float | None = None
        self._last_line_at = time.monotonic()
        reader = self.message_reader
        if isinstance(reader, MessageLinesReader):
            reader.flusher = Flusher(self._flush_due, self._flush_held, settings.flush_seconds)

    def _checked_settings(self) -> Settings:
        config = dict(self.config)
        if "api_key" not in config:  # validation was skipped (e.g. --about); nothing will be sent
            config["api_key"] = ""
        try:
            settings = Settings.from_config(config)
        except ValueError as error:
            raise ConfigValidationError("Config validation failed", errors=[str(error)]) from None
        errors = []
        api_url_problem = insecure_url_problem(settings.api_url)
        if api_url_problem:
            errors.append(f"api_url {api_url_problem}")
        dead_letter_dir = Path(settings.dead_letter_path or "./dead-letters").parent
        if dead_letter_dir.exists() and not os.access(dead_letter_dir, os.W_OK):
            errors.append(f"dead_letter_path: cannot write in {dead_letter_dir}")
        if errors:
            raise ConfigValidationError("Config validation failed", errors=errors)
        return settings

    def get_sink_class(self, stream_name: str) -> type[Sink]:
        """The sink of the stream's operation: one class per Iterable operation (`SINKS`)."""
        operation = self.runtime.operation_for(stream_name)
        if operation is not None:
            return SINKS[operation]
        if self.runtime.settings.unknown_streams == "dead_letter":
            self.logger.warning(
                "Stream %r maps to no operation: its records go to the dead-letter log",
                stream_name,
            )
            return UnknownStreamSink
        msg = (
            f"Stream {stream_name!r} maps to no Iterable operation. Name the stream after an "
            "operation (users, events, purchases, carts, catalog_items, user_deletions, "
            "user_forgets, email_changes), map it "
            "in the stream_operations setting, or set unknown_streams to dead_letter"
        )
        raise UnknownStreamError(msg)

    def _drain_operations(self, operations: frozenset[str]) -> None:
        """Send what the sinks of these operations hold now (see `sinks.SEND_AFTER`)."""
        for sink in self._settling_sinks():
            if isinstance(sink, IterableSink) and sink.operation in operations:
                self.drain_one(sink)

    def _drain_all(self, sink_list: Iterable[Sink], parallelism: int) -> None:
        # In stages (users before events, purchases before carts, deletions last); each stage's
        # sinks in parallel. Sinks that must wait are also flushed by the sinks they wait for.
        stages: dict[int, list[Sink]] = defaultdict(list)
        for sink in sink_list:
            stages[sink.drain_stage if isinstance(sink, _RuntimeSink) else LAST_STAGE].append(sink)
        for stage in sorted(stages):
            super()._drain_all(stages[stage], parallelism)
        # Events that waited for their users go again now that every user received was sent;
        # at the end of the input, those still refused are dead-lettered.
        for sink in self._settling_sinks():
            sink.send_waiting(final=self._ending)

    def _settling_sinks(self) -> list[_RuntimeSink]:
        sinks = [*self._sinks_to_clear, *self._sinks_active.values()]
        return [sink for sink in sinks if isinstance(sink, _RuntimeSink)]

    def _write_state_message(self, state: dict) -> None:
        # The SDK writes the latest STATE after draining every sink; events still waiting for
        # their users are not settled yet, so then the STATE waits in the gate too.
        sinks = self._settling_sinks()
        if any(sink.waiting for sink in sinks):
            self._state_gate.received(state, sinks)
        else:
            self._emit_state(state)

    def _emit_state(self, state: dict) -> None:
        if self.runtime.ledger is not None:  # the next run checks it (see state_marker.py)
            state = with_marker(state, ledger_id=self.runtime.ledger.ledger_id)
        # The gate may already have written the state the SDK writes after its final drain.
        if state != self._last_written_state:
            super()._write_state_message(state)
            self._last_written_state = copy.deepcopy(state)

    def _check_ledger(self, state: dict | None) -> None:
        """Stop before sending anything if the STATE names another ledger (see state_marker)."""
        ledger = self.runtime.ledger
        if ledger is None or self._ledger_checked:
            return
        self._ledger_checked = True
        carried = marker(state).get("ledger_id")
        if carried is None or carried == ledger.ledger_id:
            if carried is None and ledger.is_new and has_bookmarks(state):
                self.logger.warning(
                    "The delivery ledger is new but the STATE has bookmarks from earlier runs "
                    "(made before the ledger existed?): records re-read now are sent as new."
                )
            return
        if self.runtime.settings.ledger_rebuild:
            self.logger.warning(
                "ledger_rebuild: starting ledger %s in place of %s named by the STATE; records "
                "read by this run are sent again.",
                ledger.ledger_id,
                carried,
            )
            return
        self.runtime.close()
        msg = (
            f"The STATE says earlier runs delivered to Iterable through delivery ledger "
            f"{carried}, but database_url opens {'a new, empty' if ledger.is_new else 'another'} "
            f"ledger ({ledger.ledger_id}): the ledger was lost (e.g. an ephemeral worker's "
            "working directory) or database_url changed. Nothing was sent. Point database_url "
            "at the ledger of the earlier runs (a persistent database), or accept re-sending "
            "what this run reads (its journeys may fire again) with ledger_rebuild: true."
        )
        raise LedgerLostError(msg)

    def _process_state_message(self, message_dict: dict) -> None:
        self._check_ledger(message_dict.get("value"))
        if not self._records_seen:
            # A STATE before any record (singer-sdk taps write the state they start from) covers
            # nothing: it is checked, not written back, so a run killed before its first record
            # leaves the committed state exactly as it was.
            return
        before = self._latest_state
        super()._process_state_message(message_dict)
        if self._latest_state is not None and self._latest_state is not before:
            self._state_gate.received(self._latest_state, self._settling_sinks())
        self._noted_input(state=True)

    # -- bounded flush ---------------------------------------------------------------------------

    def _noted_input(self, *, state: bool) -> None:
        now = time.monotonic()
        self._last_line_at = now
        if state and self._state_held_since is None:
            self._state_held_since = now
        due = self._flush_due()
        if self._state_held_since is not None and due is not None and now >= due:
            self._flush_held()

    def _flush_due(self) -> float | None:
        """When what is held must go out: a STATE `flush_seconds` after it came; records once
        the input has been quiet that long (under load full batches drain on their own)."""
        flush_seconds = self.runtime.settings.flush_seconds
        if self._state_held_since is not None:
            return self._state_held_since + flush_seconds
        if any(sink.current_size for sink in self._settling_sinks()):
            return self._last_line_at + flush_seconds
        return None

    def _flush_held(self) -> None:
        self._state_held_since = None
        self.drain_all()  # sends every sink, then writes the latest STATE (through the gate)

    def _process_batch_message(self, message_dict: dict) -> None:
        self._ledger_checked = True  # as for a RECORD: records came before any STATE
        self._records_seen = True
        super()._process_batch_message(message_dict)

    def _process_record_message(self, message_dict: dict) -> None:
        # A record before any STATE: no earlier run is known to check against.
        self._ledger_checked = True
        self._records_seen = True
        last_full_drain = self._last_full_drain_at
        super()._process_record_message(message_dict)
        drained = self._last_full_drain_at != last_full_drain
        if drained and not any(sink.waiting for sink in self._settling_sinks()):
            # The SDK drained every sink (max record age) and wrote the latest STATE itself.
            self._state_gate.forget()
        elif self._state_gate.has_pending:
            self._state_gate.release()
        self._noted_input(state=False)

    def process_endofpipe(self) -> None:
        self._ending = True
        try:
            super().process_endofpipe()  # drains every sink, then writes the latest STATE
        finally:
            self.runtime.close()
        self._state_gate.forget()
        self.runtime.log_summary()
