"""The webhook inbox on a real PostgreSQL server: several receivers, ordered reads, LISTEN/NOTIFY.

The tap's inbox bookmark is the last `seq` it read, so the inbox must never let a reader see a
row while a row with a smaller `seq` is still uncommitted. PostgreSQL's sequences do not promise
that by themselves (first test); the inbox's writers make it so (the others).
"""

from __future__ import annotations

import json
import os
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import psycopg
import pytest
import requests
from pg_cluster import PostgresServer
from sqlalchemy import insert

from sandbox.common.server import free_port, wait_for_port
from tap_bigcommerce.follow_wakeups import PostgresNotifications
from tap_bigcommerce.inbox import WEBHOOK_EVENTS, Inbox, event_id_of, serialise_postgres_writers
from tap_bigcommerce.webhooks.app import DEFAULT_PATH
from tap_bigcommerce.webhooks.cli import SECRET_ENV

from .test_tap_webhooks import HEADER, SECRET


def _payload(n: int, scope: str = "store/order/updated") -> dict[str, Any]:
    return {
        "scope": scope,
        "store_id": "1",
        "data": {"type": "order", "id": n},
        "hash": uuid.uuid4().hex,
        "created_at": 1_700_000_000 + n,
        "producer": "stores/store1",
    }


def _row(n: int) -> dict[str, Any]:
    payload = _payload(n)
    return {
        "event_id": event_id_of(payload),
        "hash": payload["hash"],
        "scope": payload["scope"],
        "store_hash": "store1",
        "created_at": payload["created_at"],
        "received_at": "2026-01-01T00:00:00+00:00",
        "payload": json.dumps(payload),
    }


def _psycopg(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))


def _wait_until(condition: Callable[[], bool], what: str, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out: {what}"
        time.sleep(0.01)


@pytest.fixture
def inbox_url(postgres_server: PostgresServer) -> str:
    return postgres_server.create_database(f"inbox_{uuid.uuid4().hex[:12]}")


def test_postgres_sequences_alone_can_commit_out_of_order(inbox_url: str) -> None:
    """Why the inbox serialises writers: without that, a bookmark would skip a late commit."""
    inbox = Inbox(inbox_url)
    with _psycopg(inbox_url) as slow, _psycopg(inbox_url) as fast:
        slow_seq = slow.execute(
            "INSERT INTO bigcommerce_webhook_events "
            "(event_id, hash, scope, store_hash, created_at, received_at, payload) "
            "VALUES ('slow', 'h1', 'store/order/updated', 'store1', 1, 'now', '{}') RETURNING seq"
        ).fetchone()
        fast_seq = fast.execute(
            "INSERT INTO bigcommerce_webhook_events "
            "(event_id, hash, scope, store_hash, created_at, received_at, payload) "
            "VALUES ('fast', 'h2', 'store/order/updated', 'store1', 2, 'now', '{}') RETURNING seq"
        ).fetchone()
        fast.commit()
        bookmark = max(e.seq for e in inbox.read_after(0))  # a reader runs now
        slow.commit()
    assert slow_seq is not None
    assert fast_seq is not None
    assert slow_seq[0] < fast_seq[0] == bookmark
    # The slower writer's event, committed later with a smaller number, is behind the bookmark.
    assert [e.event_id for e in inbox.read_after(bookmark)] == []
    inbox.close()


def test_writers_wait_for_each_other_so_seq_order_is_commit_order(inbox_url: str) -> None:
    inbox = Inbox(inbox_url)
    writer = Inbox(inbox_url)
    reader = Inbox(inbox_url, create=False)
    with inbox.engine.begin() as open_transaction:
        # A receiver mid-delivery: it took the writers' lock and drew its number, not committed.
        serialise_postgres_writers(open_transaction)
        open_transaction.execute(insert(WEBHOOK_EVENTS).values(**_row(1)))
        second = threading.Thread(target=writer.add, args=(_payload(2),))
        second.start()

        def waiting_for_the_lock() -> bool:
            with _psycopg(inbox_url) as probe:
                row = probe.execute(
                    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
                ).fetchone()
            return row is not None and row[0] == 1

        _wait_until(waiting_for_the_lock, "the second writer waiting for the first")
        assert list(reader.read_after(0)) == []  # nothing is visible, so nothing can be skipped
    second.join(20)
    assert not second.is_alive()
    events = list(reader.read_after(0))
    # The first writer's event first: the second drew its number after the first committed.
    assert [e.created_at for e in events] == [1_700_000_001, 1_700_000_002]
    assert events[0].seq < events[1].seq
    for opened in (inbox, writer, reader):
        opened.close()


@pytest.fixture
def receivers(inbox_url: str) -> Iterator[list[str]]:
    """Three `tap-bigcommerce-webhooks serve` processes writing one PostgreSQL inbox."""
    processes, urls = [], []
    env = {**os.environ, SECRET_ENV: SECRET}
    try:
        for _ in range(3):
            port = free_port()
            command = ["tap-bigcommerce-webhooks", "serve", "--port", str(port)]
            command += ["--inbox-url", inbox_url]
            processes.append(
                subprocess.Popen(
                    command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
                )
            )
            urls.append(f"http://127.0.0.1:{port}{DEFAULT_PATH}")
        for url in urls:
            wait_for_port(int(url.split(":")[2].split("/")[0]), 60)
        yield urls
    finally:
        for process in processes:
            process.terminate()
            process.wait(30)


def test_several_receivers_one_reader_nothing_lost_or_reordered(
    inbox_url: str, receivers: list[str]
) -> None:
    total = 600
    reader = Inbox(inbox_url, create=False)
    read: list[Any] = []
    done = threading.Event()

    def follow_the_bookmark() -> None:
        bookmark = 0
        while True:
            finished = done.is_set()  # read once more after the last delivery was answered
            reader.refresh()
            for event in reader.read_after(bookmark):
                read.append(event)
                bookmark = event.seq
            if finished:
                return

    following = threading.Thread(target=follow_the_bookmark)
    following.start()

    def deliver(n: int) -> int:
        url = receivers[n % len(receivers)]
        response = requests.post(url, json=_payload(n), headers={HEADER: SECRET}, timeout=30)
        return response.status_code

    with ThreadPoolExecutor(max_workers=12) as pool:
        statuses = list(pool.map(deliver, range(total)))
    done.set()
    following.join(60)

    assert statuses == [200] * total
    # Every delivery read exactly once, in seq order, by a reader that only kept a bookmark.
    ids = [event.payload["data"]["id"] for event in read]
    assert sorted(ids) == list(range(total))
    assert [e.seq for e in read] == sorted(e.seq for e in read)
    assert reader.count() == total
    reader.close()


def test_listen_notify_wakes_the_follower_as_soon_as_a_delivery_commits(inbox_url: str) -> None:
    writer = Inbox(inbox_url)
    # Polling every 60 s: only a notification can wake it within the deadline below.
    wakeups = PostgresNotifications(
        Inbox(inbox_url, create=False), store_hash="store1", poll_seconds=60
    )
    stop = threading.Event()
    result: list[Any] = []
    waiter = threading.Thread(target=lambda: result.append(wakeups.wait(120, stop)))
    waiter.start()
    writer.add(_payload(7, scope="store/customer/updated"))
    waiter.join(30)
    assert not waiter.is_alive(), "LISTEN/NOTIFY did not wake the follower"
    assert result[0].scopes == frozenset({"store/customer/updated"})
    stop.set()
    wakeups.close()
    writer.close()
