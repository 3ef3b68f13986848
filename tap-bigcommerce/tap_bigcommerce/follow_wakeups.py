"""What wakes a following tap: new deliveries in the webhook inbox.

The embedded SQLite inbox is polled (`inbox_poll_seconds`, one cheap grouped query). A PostgreSQL
inbox also pushes: the receiver sends `NOTIFY` in the transaction that stores a delivery, and
PostgreSQL delivers it only once that transaction commits ("if a NOTIFY is executed inside a
transaction, the notify events are not delivered until and unless the transaction is
committed", PostgreSQL docs, NOTIFY), so a woken tap always finds the row. Polling stays on as
the safety net: a notification sent while the tap was reconnecting is not queued for it.
"""

from __future__ import annotations

import logging
import select
import threading
from typing import Any, Protocol

from tap_bigcommerce.inbox import NOTIFY_CHANNEL, Inbox, NewEvents

LOGGER = logging.getLogger("tap_bigcommerce.follow")


class WakeSource(Protocol):
    def wait(self, timeout: float, stop: threading.Event) -> NewEvents:
        """New deliveries since the last call (empty scopes after `timeout` or a stop)."""
        ...

    def unread(self) -> tuple[int, str | None]:
        """Deliveries stored since the last call of `wait`, and when the oldest was received."""
        ...

    def close(self) -> None: ...


class InboxPolling:
    """Polls the inbox for deliveries after the position it has already reported."""

    def __init__(self, inbox: Inbox, *, store_hash: str | None, poll_seconds: float) -> None:
        self.inbox = inbox
        self.store_hash = store_hash
        self.poll_seconds = poll_seconds
        # Deliveries stored before now are covered by the catch-up that follows.
        self.position = inbox.last_seq() if inbox.refresh() else 0

    def wait(self, timeout: float, stop: threading.Event) -> NewEvents:
        remaining = timeout
        while True:
            found = self.poll()
            if found.scopes or remaining <= 0 or stop.is_set():
                return found
            pause = min(self.poll_seconds, remaining)
            self.pause(pause, stop)
            remaining -= pause

    def poll(self) -> NewEvents:
        if not self.inbox.refresh():
            return NewEvents(self.position, frozenset(), None)
        found = self.inbox.scopes_after(self.position, store_hash=self.store_hash)
        self.position = found.newest_seq
        return found

    def unread(self) -> tuple[int, str | None]:
        if not self.inbox.refresh():
            return 0, None
        return self.inbox.unread_after(self.position, store_hash=self.store_hash)

    def pause(self, seconds: float, stop: threading.Event) -> None:
        stop.wait(seconds)

    def close(self) -> None:
        self.inbox.close()


class PostgresNotifications(InboxPolling):
    """Polling, plus `LISTEN` on the inbox's channel: woken as soon as a delivery commits."""

    def __init__(self, inbox: Inbox, *, store_hash: str | None, poll_seconds: float) -> None:
        super().__init__(inbox, store_hash=store_hash, poll_seconds=poll_seconds)
        self._connection: Any = None
        self._listen()

    def _listen(self) -> None:
        try:
            raw = self.inbox.engine.raw_connection()
            connection: Any = raw.driver_connection
            raw.detach()  # out of the pool: a session of its own, LISTENing until closed
            connection.autocommit = True
            connection.execute(f"LISTEN {NOTIFY_CHANNEL}")
        except Exception as exc:  # noqa: BLE001 - any failure leaves polling in charge
            LOGGER.warning("follow: LISTEN failed (%s); polling the inbox only", type(exc).__name__)
            return
        self._connection = connection

    def pause(self, seconds: float, stop: threading.Event) -> None:
        connection = self._connection
        if connection is None:
            super().pause(seconds, stop)
            return
        try:
            # A socket wait ends at the first notification; the poll that follows reads it.
            select.select([connection.fileno()], [], [], seconds)
            for _ in connection.notifies(timeout=0):
                pass
        except Exception as exc:  # noqa: BLE001 - a lost connection: poll until a restart
            LOGGER.warning("follow: LISTEN connection lost (%s); polling", type(exc).__name__)
            self._close_listener()

    def _close_listener(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            connection.close()

    def close(self) -> None:
        self._close_listener()
        super().close()


def open_wake_source(inbox: Inbox, *, store_hash: str | None, poll_seconds: float) -> WakeSource:
    if inbox.engine.dialect.name == "postgresql":
        return PostgresNotifications(inbox, store_hash=store_hash, poll_seconds=poll_seconds)
    return InboxPolling(inbox, store_hash=store_hash, poll_seconds=poll_seconds)
