"""Incremental runs with state: only changes, same-second deltas kept, reset backfills."""

from __future__ import annotations

import contextlib
import dataclasses
import io
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import requests

from sandbox.bigcommerce.testing import RunningBigCommerce
from tap_bigcommerce.client import UnsortedResponseError
from tap_bigcommerce.pagination import KeysetToken
from tap_bigcommerce.tap import TapBigCommerce

from .helpers import run_tap, tap_config

INCREMENTAL = {"orders", "customers", "products", "subscribers", "refunds", "customer_groups"}


def bookmark(state: dict[str, Any], stream: str, scope: str | None = None) -> str:
    entry = state["bookmarks"][stream]
    if scope is not None:
        entry = next(p for p in entry["partitions"] if p["context"]["status_scope"] == scope)
    return str(entry["replication_key_value"])


def touch_order(bc: RunningBigCommerce, order_id: int, modified: datetime) -> None:
    """Change an order in the emulator the way BigCommerce would: a new `date_modified`."""
    orders = bc.emulator.store.orders
    orders.put(order_id, dataclasses.replace(orders.require(order_id), date_modified=modified))


def test_second_run_emits_only_changes(bigcommerce: RunningBigCommerce, inbox_url: str) -> None:
    config = tap_config(bigcommerce, inbox_url)
    first = run_tap(config, streams=INCREMENTAL)
    second = run_tap(config, state=first.final_state, streams=INCREMENTAL)
    for stream in ("orders", "customers", "products"):
        assert len(first.records[stream]) > 10
        for record in second.records[stream]:
            # Inclusive start: only records of the bookmark's own second come again
            # (orders: each pass, default and archived, has its own bookmark).
            mark = bookmark(first.final_state, stream, record.get("status_scope"))
            assert record["date_modified"] == mark, (stream, record["id"])
        assert len(second.records[stream]) <= 4, stream
    assert second.records["refunds"] == [] or all(
        r["created"] >= bookmark(first.final_state, "refunds") for r in second.records["refunds"]
    )


def test_delta_in_the_bookmark_second_is_not_lost(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    config = tap_config(bigcommerce, inbox_url)
    first = run_tap(config, streams={"orders"})
    mark = bookmark(first.final_state, "orders", "default")
    same_second = datetime.fromisoformat(mark)
    last_ids = {o["id"] for o in first.records["orders"] if o["date_modified"] == mark}
    # One order changes in the very second of the bookmark (after the first run read it),
    # another one later.
    listed = [o for o in first.records["orders"] if o["status_scope"] == "default"]
    quiet = next(o["id"] for o in listed if o["id"] not in last_ids)
    later = next(o["id"] for o in reversed(listed) if o["id"] not in last_ids)
    touch_order(bigcommerce, quiet, same_second)
    touch_order(bigcommerce, later, same_second + timedelta(minutes=5))

    second = run_tap(config, state=first.final_state, streams={"orders"})
    ids = second.ids("orders")
    assert quiet in ids
    assert later in ids
    again = {o["id"] for o in second.records["orders"] if o["status_scope"] == "default"}
    assert again <= last_ids | {quiet, later}
    assert bookmark(second.final_state, "orders", "default") > mark


def test_state_reset_backfills_everything(bigcommerce: RunningBigCommerce, inbox_url: str) -> None:
    config = tap_config(bigcommerce, inbox_url)
    first = run_tap(config, streams=INCREMENTAL)
    again = run_tap(config, state=None, streams=INCREMENTAL)
    for stream in INCREMENTAL:
        assert sorted(again.ids(stream)) == sorted(first.ids(stream)), stream


def test_start_date_limits_the_first_run(bigcommerce: RunningBigCommerce, inbox_url: str) -> None:
    everything = run_tap(tap_config(bigcommerce, inbox_url), streams={"orders"})
    dates = sorted(o["date_modified"] for o in everything.records["orders"])
    start = dates[len(dates) // 2]
    later = run_tap(tap_config(bigcommerce, inbox_url, start_date=start), streams={"orders"})
    assert later.records["orders"]
    assert all(o["date_modified"] >= start for o in later.records["orders"])
    expected = {o["id"] for o in everything.records["orders"] if o["date_modified"] >= start}
    assert set(later.ids("orders")) == expected


def test_small_pages_and_ties_lose_nothing(bigcommerce: RunningBigCommerce, inbox_url: str) -> None:
    """Keyset paging across pages of 3, through orders sharing a second: same records, once."""
    whole = run_tap(tap_config(bigcommerce, inbox_url), streams={"orders", "customers"})
    paged = run_tap(
        tap_config(bigcommerce, inbox_url, page_size=3), streams={"orders", "customers"}
    )
    for stream in ("orders", "customers"):
        ids = paged.ids(stream)
        assert len(ids) == len(set(ids)), f"{stream}: duplicates"
        assert sorted(ids) == sorted(whole.ids(stream)), stream
    stamps = [o["date_modified"] for o in whole.records["orders"]]
    assert len(stamps) > len(set(stamps)), "the store must contain same-second ties"


def test_state_is_resumable_and_only_covers_emitted(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    """Every bookmark written mid-run is <= the newest record emitted before it."""
    output = run_tap(tap_config(bigcommerce, inbox_url, page_size=5), streams={"customers"})
    newest = ""
    for line in output.raw_lines:
        message = json.loads(line)
        if message["type"] == "RECORD":
            newest = max(newest, message["record"]["date_modified"])
        elif message["type"] == "STATE":
            value = message["value"]["bookmarks"].get("customers", {}).get("replication_key_value")
            assert value is None or value <= newest


def test_emulator_delta_is_picked_up_completely(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    """`apply_delta` changes records, the first of each kind in the bookmark's own second."""
    config = tap_config(bigcommerce, inbox_url)
    first = run_tap(config, streams=INCREMENTAL)
    delta = bigcommerce.emulator.apply_delta(orders=4, new_orders=2, customers=3, products=2)
    second = run_tap(config, state=first.final_state, streams=INCREMENTAL)
    assert set(delta.order_ids + delta.new_order_ids) <= set(second.ids("orders"))
    assert set(delta.customer_ids) <= set(second.ids("customers"))
    assert set(delta.product_ids) <= set(second.ids("products"))
    assert set(delta.subscriber_ids) <= set(second.ids("subscribers"))
    assert set(delta.refund_ids) <= set(second.ids("refunds"))
    # Only the delta (and the bookmark seconds' own records) came again.
    assert len(second.records["orders"]) <= len(delta.order_ids + delta.new_order_ids) + 4
    third = run_tap(config, state=second.final_state, streams={"orders"})
    for order in third.records["orders"]:
        mark = bookmark(second.final_state, "orders", order["status_scope"])
        assert order["date_modified"] == mark


def test_record_modified_mid_run_shifts_nothing_out(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    """An order changed between two pages moves to the end of the sort order; with offset
    paging the order after the page boundary would slide into the page already read and be
    skipped. Keyset paging asks for "modified at or after the last one seen" instead."""
    config = tap_config(bigcommerce, inbox_url, page_size=10, include_archived_orders=False)
    tap = TapBigCommerce(config=config)
    for name, stream in tap.streams.items():
        stream.selected = name == "orders"
    touched: list[int] = []

    def after_first_page(response: requests.Response, *args: object, **kwargs: object) -> None:
        if response.request.path_url.split("?")[0].endswith("/v2/orders") and not touched:
            first_page = response.json()
            touched.append(first_page[2]["id"])
            touch_order(bigcommerce, touched[0], datetime(2025, 6, 1, tzinfo=UTC))

    # A requests response hook (not a patch of the tap's client): the store changes mid-run.
    tap.session.hooks["response"].append(after_first_page)
    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        tap.sync_all()
    ids = [
        json.loads(line)["record"]["id"]
        for line in buffer.getvalue().splitlines()
        if line.startswith('{"type":"RECORD"')
    ]
    expected = run_tap(tap_config(bigcommerce, inbox_url), streams={"orders"})
    listed = {o["id"] for o in expected.records["orders"] if o["status_scope"] == "default"}
    assert touched
    assert set(ids) == listed
    assert ids.count(touched[0]) == 2  # before and after its change; nothing else twice
    assert len(ids) == len(listed) + 1


def test_unsorted_answers_stop_the_run_instead_of_losing_records(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    """If BigCommerce ever ignored `sort` or the `:min` filter, keyset paging would skip
    records; the stream refuses such a page (checked on the stream, no HTTP involved)."""
    tap = TapBigCommerce(config=tap_config(bigcommerce, inbox_url))
    stream = tap.streams["customers"]
    start = datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
    stream.before_pages(None)
    stream.get_url_params(None, KeysetToken(start))
    stream._floor = start  # as if resuming from a bookmark
    record = {"id": 1, "email": "a@example.com", "date_modified": "2024-05-01T12:00:05Z"}
    assert stream.post_process(dict(record)) is not None
    with pytest.raises(UnsortedResponseError, match="after a record modified"):
        stream.post_process({**record, "id": 2, "date_modified": "2024-05-01T12:00:03Z"})
    with pytest.raises(UnsortedResponseError, match="older than the requested"):
        stream.post_process({**record, "id": 3, "date_modified": "2024-04-30T00:00:00Z"})
    # The overlap second re-read on purpose is dropped quietly.
    assert stream.post_process({**record, "id": 4, "date_modified": "2024-05-01T11:59:59Z"}) is None
