"""Fixtures for tap tests: a BigCommerce emulator and a fresh inbox per test."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce


@pytest.fixture
def inbox_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'inbox.sqlite'}"


@pytest.fixture
def bigcommerce() -> Iterator[RunningBigCommerce]:
    """A 60-order store whose first orders are the awkward cases; a quota that never binds."""
    with running_bigcommerce(orders=60, rate_limit_quota=10000, rate_limit_window_ms=1000) as bc:
        yield bc
