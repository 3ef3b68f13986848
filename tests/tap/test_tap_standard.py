"""singer-sdk's standard tap tests, run against a BigCommerce emulator started for this module."""

from __future__ import annotations

import atexit
import contextlib
import json
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from singer_sdk.testing import SuiteConfig, get_tap_test_class

from sandbox.bigcommerce.testing import running_bigcommerce
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.tap import TapBigCommerce

# The standard suite takes its config when the test class is built (at collection), so the
# emulator starts with the module and stops at interpreter exit or module teardown.
_STACK = contextlib.ExitStack()
atexit.register(_STACK.close)
_BC = _STACK.enter_context(
    running_bigcommerce(orders=40, rate_limit_quota=10000, rate_limit_window_ms=1000)
)
_WORKDIR = Path(_STACK.enter_context(tempfile.TemporaryDirectory()))
_INBOX_URL = f"sqlite:///{_WORKDIR / 'inbox.sqlite'}"

# One cart webhook in the inbox, so `cart_events` has a record (its cart 404s: converted), and
# one customer deletion, so `customer_deletions` has one.
_inbox = Inbox(_INBOX_URL)
_inbox.add(
    {
        "scope": "store/cart/converted",
        "store_id": "1001",
        "data": {"type": "cart", "id": "0d3c5a7e-0000-4000-8000-000000000001", "orderId": 1},
        "hash": "3f1c2bb1a6f0e3b8d7e5a1c9b2d4f6a8c0e2d4f6",
        "created_at": 1735689600,
        "producer": f"stores/{_BC.store_hash}",
    }
)
_inbox.add(
    {
        "scope": "store/customer/deleted",
        "store_id": "1001",
        "data": {"type": "customer", "id": 32},
        "hash": "352e4afc6dd3fc85ea26bfdf3f91852604d57528",
        "created_at": 1735689601,
        "producer": f"stores/{_BC.store_hash}",
    }
)
_inbox.close()

CONFIG = {
    "store_hash": _BC.store_hash,
    "access_token": _BC.access_token,
    "api_url": _BC.api_url,
    "inbox_url": _INBOX_URL,
    "request_timeout": 5,
    "retry_base_seconds": 0.01,
    "retry_max_seconds": 0.05,
}

TestTapBigCommerce = get_tap_test_class(
    TapBigCommerce,
    config=CONFIG,
    suite_config=SuiteConfig(max_records_limit=50),
)


@pytest.fixture(scope="module", autouse=True)
def _stop_emulator() -> Iterator[None]:
    yield
    _STACK.close()


def test_config_is_serialisable() -> None:
    assert json.loads(json.dumps(CONFIG))["api_url"].startswith("http://127.0.0.1:")
