"""`customer_deletions`: BigCommerce's `store/customer/deleted` deliveries, read from the inbox.

The emulator deletes customers as `DELETE /v3/customers` does and sends the webhook
(webhooks.v3.yml, `store/customer/deleted`); the real receiver stores the deliveries; the tap reads
one record per delivery, duplicates once, and a delivery without a customer id is dead-lettered.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import requests

from sandbox.bigcommerce.testing import RunningBigCommerce
from tap_bigcommerce.follow import streams_for_scopes
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.cli import SECRET_ENV

from .helpers import run_tap, tap_config
from .test_tap_cart_events import receiver, register  # noqa: F401 (a fixture)
from .test_tap_webhooks import HEADER, SECRET, delivery


def test_one_record_per_deleted_customer_then_nothing(
    bigcommerce: RunningBigCommerce,
    receiver: tuple[str, Inbox],  # noqa: F811
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    destination, inbox = receiver
    monkeypatch.setenv(SECRET_ENV, SECRET)
    register(bigcommerce, tmp_path, destination, in_process=True)
    bigcommerce.emulator.configure(webhook_duplicates=True)  # BigCommerce may send twice
    assert bigcommerce.emulator.delete_customers([4, 7]) == [4, 7]
    assert bigcommerce.emulator.webhooks.wait_idle(10)
    deliveries = [
        a for a in bigcommerce.emulator.webhook_attempts() if a.scope == "store/customer/deleted"
    ]
    assert len(deliveries) == 4
    assert all(a.status == 200 for a in deliveries)
    # A delivery that names no customer: dead-lettered, and read past.
    broken = {**delivery(99, "store/customer/deleted"), "data": {"type": "customer"}}
    posted = requests.post(destination, json=broken, headers={HEADER: SECRET}, timeout=5)
    assert posted.status_code == 200

    letters = tmp_path / "tap-letters.jsonl"
    config = tap_config(bigcommerce, inbox.url, dead_letter_path=str(letters))
    output = run_tap(config, streams={"customer_deletions"})
    deletions = output.records["customer_deletions"]
    assert sorted(d["customer_id"] for d in deletions) == [4, 7]
    by_id = {d["customer_id"]: d for d in deletions}
    for customer_id in (4, 7):
        sent = next(a.payload for a in deliveries if a.payload["data"]["id"] == customer_id)
        record = by_id[customer_id]
        assert record["store_hash"] == bigcommerce.store_hash
        assert record["deleted_at"].endswith("+00:00")
        assert record["deleted_at"] == _iso(sent["created_at"])
        assert record["inbox_id"] == inbox.inbox_id
    (letter,) = [json.loads(line) for line in letters.read_text().splitlines()]
    assert letter["stream"] == "customer_deletions"
    assert letter["field"] == "customer_id"

    again = run_tap(config, state=output.final_state, streams={"customer_deletions"})
    assert again.records["customer_deletions"] == []
    bigcommerce.emulator.delete_customers([9])
    assert bigcommerce.emulator.webhooks.wait_idle(10)
    newer = run_tap(config, state=output.final_state, streams={"customer_deletions"})
    assert [d["customer_id"] for d in newer.records["customer_deletions"]] == [9]


def test_customer_webhooks_wake_the_deletions_stream() -> None:
    assert {"customers", "customer_deletions"} <= streams_for_scopes({"store/customer/deleted"})
    assert "customer_deletions" not in streams_for_scopes({"store/order/created"})


def _iso(unix_seconds: int) -> str:
    return datetime.fromtimestamp(unix_seconds, UTC).isoformat()
