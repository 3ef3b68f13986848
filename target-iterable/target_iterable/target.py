"""The Iterable target: settings, one sink per stream, STATE gating and the run summary."""

from __future__ import annotations

import copy
import datetime
import os
from collections import defaultdict
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from singer_sdk import Target
from singer_sdk.exceptions import ConfigValidationError
from singer_sdk.sinks import Sink

from target_iterable.contract.reader import MessageLinesReader
from target_iterable.runtime import Runtime
from target_iterable.settings import CONFIG_JSONSCHEMA, Settings, insecure_url_problem
from target_iterable.sinks import LAST_STAGE, IterableSink, UnknownStreamSink, _RuntimeSink
from target_iterable.state import StateGate


class UnknownStreamError(ValueError):
    """A stream that maps to no operation, with `unknown_streams: fail`."""


class TargetIterable(Target):
    """Loads users, events, purchases, carts, catalog items and user deletions into Iterable."""

    name = "target-iterable"
    default_sink_class = IterableSink
    config_jsonschema = CONFIG_JSONSCHEMA
    message_reader_class = MessageLinesReader

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        settings = self._checked_settings()
        started_at = datetime.datetime.fromtimestamp(self.initialized_at / 1000, datetime.UTC)
        self.runtime = Runtime(settings, self.logger, started_at)
        self._last_written_state: dict | None = None
        self._state_gate = StateGate(self._emit_state)
        self._ending = False
        self.runtime.flush = self._drain_operations

    def _checked_settings(self) -> Settings:
        config = dict(self.config)
        if "api_key" not in config:  # validation was skipped (e.g. --about); nothing will be sent
            config["api_key"] = ""
        settings = Settings.from_config(config)
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
        if self.runtime.operation_for(stream_name) is not None:
            return IterableSink
        if self.runtime.settings.unknown_streams == "dead_letter":
            self.logger.warning(
                "Stream %r maps to no operation: its records go to the dead-letter log",
                stream_name,
            )
            return UnknownStreamSink
        msg = (
            f"Stream {stream_name!r} maps to no Iterable operation. Name the stream after an "
            "operation (users, events, purchases, carts, catalog_items, user_deletions), map it "
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
        # The gate may already have written the state the SDK writes after its final drain.
        if state != self._last_written_state:
            super()._write_state_message(state)
            self._last_written_state = copy.deepcopy(state)

    def _process_state_message(self, message_dict: dict) -> None:
        before = self._latest_state
        super()._process_state_message(message_dict)
        if self._latest_state is not None and self._latest_state is not before:
            self._state_gate.received(self._latest_state, self._settling_sinks())

    def _process_record_message(self, message_dict: dict) -> None:
        last_full_drain = self._last_full_drain_at
        super()._process_record_message(message_dict)
        drained = self._last_full_drain_at != last_full_drain
        if drained and not any(sink.waiting for sink in self._settling_sinks()):
            # The SDK drained every sink (max record age) and wrote the latest STATE itself.
            self._state_gate.forget()
        elif self._state_gate.has_pending:
            self._state_gate.release()

    def process_endofpipe(self) -> None:
        self._ending = True
        try:
            super().process_endofpipe()  # drains every sink, then writes the latest STATE
        finally:
            self.runtime.close()
        self._state_gate.forget()
        self.runtime.log_summary()
