"""Run the tap in-process against an emulator and collect what it wrote."""

from __future__ import annotations

import contextlib
import io
import json
import time
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sandbox.bigcommerce.testing import RunningBigCommerce
from tap_bigcommerce.tap import TapBigCommerce


@dataclass
class TapOutput:
    records: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    states: list[dict[str, Any]] = field(default_factory=list)
    schemas: dict[str, dict[str, Any]] = field(default_factory=dict)
    stream_order: list[str] = field(default_factory=list)
    raw_lines: list[str] = field(default_factory=list)
    requests: int = 0
    paced_seconds: float = 0.0

    @property
    def final_state(self) -> dict[str, Any]:
        return self.states[-1]

    def ids(self, stream: str, key: str = "id") -> list[Any]:
        return [record[key] for record in self.records[stream]]


def tap_config(bc: RunningBigCommerce, inbox_url: str, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "store_hash": bc.store_hash,
        "access_token": bc.access_token,
        "api_url": bc.api_url,
        "inbox_url": inbox_url,
        "request_timeout": 5,
        "retry_base_seconds": 0.01,
        "retry_max_seconds": 0.05,
    }
    config.update(overrides)
    return config


def select_only(tap: TapBigCommerce, streams: set[str]) -> None:
    for name, stream in tap.streams.items():
        stream.selected = name in streams


def run_tap(
    config: dict[str, Any],
    *,
    state: dict[str, Any] | None = None,
    streams: set[str] | None = None,
) -> TapOutput:
    """Sync the tap in this process; every Singer message it prints is parsed."""
    tap = TapBigCommerce(config=config, state=state, setup_mapper=True)
    if streams is not None:
        select_only(tap, streams)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    output = TapOutput(
        requests=tap.session.request_count, paced_seconds=tap.pacer.total_wait_seconds
    )
    for line in buffer.getvalue().splitlines():
        output.raw_lines.append(line)
        message = json.loads(line, parse_float=Decimal)  # numbers as exactly as written
        if message["type"] == "RECORD":
            output.records[message["stream"]].append(message["record"])
        elif message["type"] == "STATE":
            output.states.append(message["value"])
        elif message["type"] == "SCHEMA":
            output.schemas[message["stream"]] = message["schema"]
            output.stream_order.append(message["stream"])
    return output


def logged_statuses(
    bc: RunningBigCommerce, *, at_least: int, path_contains: str = "", timeout: float = 5.0
) -> list[int]:
    """Statuses the emulator logged, once it logged `at_least` requests in all.

    The emulator logs a request after its answer is sent, so a client can read the log a
    moment before the last entry lands: wait for it (with a deadline) instead of sleeping.
    """
    deadline = time.monotonic() + timeout
    entries = bc.emulator.request_log.entries()
    while len(entries) < at_least and time.monotonic() < deadline:
        time.sleep(0.005)
        entries = bc.emulator.request_log.entries()
    return [entry.status for entry in entries if path_contains in entry.path]
