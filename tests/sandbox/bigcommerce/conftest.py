"""Fixtures for the BigCommerce emulator tests: one small store served for the whole module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import requests

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce


@pytest.fixture(scope="module")
def bc() -> Iterator[RunningBigCommerce]:
    # A quota high enough that a module's requests never hit it.
    with running_bigcommerce(seed=1, orders=50, rate_limit_quota=100000) as running:
        yield running


@pytest.fixture(scope="module")
def http(bc: RunningBigCommerce) -> Iterator[requests.Session]:
    with requests.Session() as session:
        session.headers.update(bc.headers)
        yield session
