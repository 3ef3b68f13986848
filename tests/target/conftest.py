"""Fixtures for target-iterable tests: a running Iterable emulator and target configs."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox.iterable.testing import RunningIterable, running_iterable

from .helpers import FAST_LIMITS_EMULATOR, FAST_LIMITS_TARGET


@pytest.fixture
def iterable() -> Iterator[RunningIterable]:
    with running_iterable(rate_limits=FAST_LIMITS_EMULATOR) as running:
        yield running


@pytest.fixture
def make_config(tmp_path: Path):  # type: ignore[no-untyped-def]
    def make(running: RunningIterable, **overrides: Any) -> dict[str, Any]:
        config: dict[str, Any] = {
            "api_key": running.api_key,
            "api_url": running.api_url,
            "dead_letter_path": str(tmp_path / "dead-letters.jsonl"),
            "database_url": f"sqlite:///{tmp_path / 'ledger.sqlite'}",
            "rate_limits": dict(FAST_LIMITS_TARGET),
            "retry_initial_delay": 0.01,
            "retry_max_delay": 0.05,
            "request_timeout": 5,
        }
        config.update(overrides)
        return config

    return make
