"""The webhook inbox: a durable table the receiver writes and the `cart_events` stream reads.

Any SQLAlchemy URL works; the default is an SQLite file, opened in WAL mode with full sync so
a delivery is on disk before the receiver answers 200. Deliveries are deduplicated by the
payload `hash` together with `scope` and `created_at`: BigCommerce sends a retried or repeated
delivery with the same hash, but the hash covers only `data`, so distinct events about one
cart (`created`, then `updated`) share it. Rows are read back in arrival order (`seq`), the
tap's bookmark: a retried delivery of an old event still arrives after the bookmark, where an
event-time bookmark would skip it.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Engine,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    insert,
    inspect,
    select,
    text,
)
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

METADATA = MetaData()

WEBHOOK_EVENTS = Table(
    "bigcommerce_webhook_events",
    METADATA,
    Column("seq", Integer, primary_key=True, autoincrement=True),
    Column("event_id", String(64), nullable=False, unique=True),
    Column("hash", String(128), nullable=False, index=True),
    Column("scope", String(255), nullable=False),
    Column("store_hash", String(64), nullable=True, index=True),
    Column("created_at", BigInteger, nullable=True),
    Column("received_at", String(40), nullable=False),
    Column("payload", Text, nullable=False),
    sqlite_autoincrement=True,
)

# One row: this inbox's identity. Arrival positions (`seq`) start over in a new database, so the
# tap keeps one bookmark per inbox id and a replaced inbox is read from its start.
INBOX_IDENTITY = Table(
    "bigcommerce_webhook_inbox",
    METADATA,
    Column("inbox_id", String(36), primary_key=True),
    Column("created_at", String(40), nullable=False),
)


@dataclass(frozen=True)
class InboxEvent:
    seq: int
    event_id: str
    hash: str
    scope: str
    store_hash: str | None
    created_at: int | None
    received_at: str
    payload: dict[str, Any]


# `LISTEN` channel a following tap is woken on (PostgreSQL inboxes).
NOTIFY_CHANNEL = "bigcommerce_webhook_events"
# Key of the transaction-level advisory lock that orders PostgreSQL writers (any fixed bigint).
WRITER_LOCK_KEY = 0x6263_7765_6268_6B73  # "bcwebhks"


def serialise_postgres_writers(connection: Connection) -> None:
    """Make arrival order (`seq`) the commit order, across receiver processes.

    A reader bookmarks the last `seq` it read, so it must never see a row while a row with a
    smaller `seq` is still uncommitted. PostgreSQL does not promise that: `nextval` hands out
    numbers at insert time and "the values might be generated out of sequence when all the
    sessions are considered" (docs, CREATE SEQUENCE); a transaction that drew 10 can commit after
    one that drew 11. So every writer first takes one transaction-level advisory lock, "released
    automatically at the end of the transaction" (docs, Advisory Locks): the next writer draws
    its number only after the previous one committed or rolled back. Rolled-back numbers leave
    gaps ("nextval operations are never rolled back", docs, Sequence Manipulation Functions),
    which readers do not mind. Readers take no lock. SQLite needs none: it has one writer at a
    time, holding the database lock from insert to commit.
    """
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITER_LOCK_KEY})


@dataclass(frozen=True)
class NewEvents:
    """Deliveries after a position: the newest position, their scopes, the oldest arrival."""

    newest_seq: int
    scopes: frozenset[str]
    oldest_received_at: str | None


def _event(row: RowMapping) -> InboxEvent:
    return InboxEvent(
        seq=row["seq"],
        event_id=row["event_id"],
        hash=row["hash"],
        scope=row["scope"],
        store_hash=row["store_hash"],
        created_at=row["created_at"],
        received_at=row["received_at"],
        payload=json.loads(row["payload"]),
    )


def _sqlite_durability(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def event_id_of(payload: Mapping[str, Any]) -> str:
    """The deduplication key of a delivery: SHA-1 of its scope, hash and creation time."""
    created_at = unix_seconds(payload.get("created_at"))
    key = f"{payload.get('scope')}\n{payload.get('hash')}\n{created_at}"
    return hashlib.sha1(key.encode(), usedforsecurity=False).hexdigest()


# `created_at` is stored in a signed 64-bit column (SQLite INTEGER, PostgreSQL BIGINT): a larger
# number is no time at all, and SQLite's driver raised OverflowError on it (a 500; found by
# tests/reliability/test_fuzz.py).
_LARGEST_STORED_INT = 2**63 - 1


def unix_seconds(value: Any) -> int | None:
    """`created_at` as an int: BigCommerce sends Unix seconds (tolerated as a digit string);
    None if it is none, or too large to be stored."""
    if isinstance(value, bool):
        return None
    seconds = value if isinstance(value, int) else None
    if isinstance(value, str) and value.strip().isdigit():
        seconds = int(value)
    if seconds is None or abs(seconds) > _LARGEST_STORED_INT:
        return None
    return seconds


def store_hash_of(payload: Mapping[str, Any]) -> str | None:
    """`producer` is `stores/{store_hash}`."""
    producer = payload.get("producer")
    if isinstance(producer, str) and producer.startswith("stores/"):
        return producer.removeprefix("stores/") or None
    return None


class Inbox:
    """Insert-once writes and ordered reads of webhook deliveries."""

    def __init__(self, url: str, *, create: bool = True) -> None:
        """Open the inbox; `create=False` (readers) never creates a database or table."""
        self.url = url
        self.engine: Engine = create_engine(url)
        if self.engine.dialect.name == "sqlite":
            event.listen(self.engine, "connect", _sqlite_durability)
        # SQLite allows one writer at a time; serialise writers of this process.
        self._write_lock = threading.Lock()
        if create:
            self._create()
            self.exists = True
        else:
            self.exists = self._exists()

    def _create(self) -> None:
        """Tables and identity, once, even when several receivers start at the same time."""
        with self._write_lock, self.engine.begin() as connection:
            if self.engine.dialect.name == "postgresql":
                serialise_postgres_writers(connection)  # PostgreSQL's DDL is transactional
            METADATA.create_all(connection)
            if connection.execute(select(INBOX_IDENTITY.c.inbox_id)).first() is None:
                connection.execute(
                    insert(INBOX_IDENTITY).values(
                        inbox_id=str(uuid.uuid4()), created_at=datetime.now(UTC).isoformat()
                    )
                )

    def refresh(self) -> bool:
        """For readers opened before a receiver created the inbox: look for it again."""
        if not self.exists:
            self.exists = self._exists()
        return self.exists

    @property
    def inbox_id(self) -> str | None:
        """This inbox's identity (None before a receiver created it)."""
        if not self.exists:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(select(INBOX_IDENTITY.c.inbox_id)).first()
        return None if row is None else str(row[0])

    def _exists(self) -> bool:
        database = self.engine.url.database
        is_file = self.engine.dialect.name == "sqlite" and database not in (None, "", ":memory:")
        if is_file and not Path(str(database)).is_file():
            return False
        tables = inspect(self.engine)
        return tables.has_table(WEBHOOK_EVENTS.name) and tables.has_table(INBOX_IDENTITY.name)

    def add(self, payload: Mapping[str, Any]) -> bool:
        """Store a delivery durably; False when it was already stored (a duplicate)."""
        created_at = unix_seconds(payload.get("created_at"))
        event_id = event_id_of(payload)
        row = {
            "event_id": event_id,
            "hash": str(payload["hash"]),
            "scope": str(payload["scope"]),
            "store_hash": store_hash_of(payload),
            "created_at": created_at,
            "received_at": datetime.now(UTC).isoformat(),
            "payload": json.dumps(payload, separators=(",", ":"), ensure_ascii=False),
        }
        with self._write_lock:
            try:
                with self.engine.begin() as connection:
                    if self.engine.dialect.name == "postgresql":
                        serialise_postgres_writers(connection)
                    connection.execute(insert(WEBHOOK_EVENTS).values(**row))
                    if self.engine.dialect.name == "postgresql":
                        # Delivered to listeners only once this transaction commits.
                        connection.execute(
                            text("SELECT pg_notify(:channel, '')"), {"channel": NOTIFY_CHANNEL}
                        )
            except IntegrityError:
                if self.contains(event_id):
                    return False
                raise
        return True

    def contains(self, event_id: str) -> bool:
        query = select(WEBHOOK_EVENTS.c.seq).where(WEBHOOK_EVENTS.c.event_id == event_id)
        with self.engine.connect() as connection:
            return connection.execute(query).first() is not None

    def count(self) -> int:
        with self.engine.connect() as connection:
            total = connection.execute(select(func.count()).select_from(WEBHOOK_EVENTS))
            return int(total.scalar_one())

    def scopes_after(self, seq: int, *, store_hash: str | None = None) -> NewEvents:
        """What arrived after `seq`, summed up by scope: what a follow-mode wake-up needs.

        One grouped query however many events arrived: a flood of webhooks is one wake-up.
        """
        if not self.exists:
            return NewEvents(seq, frozenset(), None)
        query = (
            select(
                WEBHOOK_EVENTS.c.scope,
                func.max(WEBHOOK_EVENTS.c.seq),
                func.min(WEBHOOK_EVENTS.c.received_at),
            )
            .where(WEBHOOK_EVENTS.c.seq > seq)
            .group_by(WEBHOOK_EVENTS.c.scope)
        )
        if store_hash is not None:
            query = query.where(
                (WEBHOOK_EVENTS.c.store_hash == store_hash) | WEBHOOK_EVENTS.c.store_hash.is_(None)
            )
        with self.engine.connect() as connection:
            rows = connection.execute(query).all()
        if not rows:
            return NewEvents(seq, frozenset(), None)
        return NewEvents(
            newest_seq=max(int(row[1]) for row in rows),
            scopes=frozenset(str(row[0]) for row in rows),
            oldest_received_at=min(str(row[2]) for row in rows),
        )

    def unread_after(self, seq: int, *, store_hash: str | None = None) -> tuple[int, str | None]:
        """How many deliveries arrived after `seq`, and when the oldest of them was received."""
        if not self.exists:
            return 0, None
        query = select(func.count(), func.min(WEBHOOK_EVENTS.c.received_at)).where(
            WEBHOOK_EVENTS.c.seq > seq
        )
        if store_hash is not None:
            query = query.where(
                (WEBHOOK_EVENTS.c.store_hash == store_hash) | WEBHOOK_EVENTS.c.store_hash.is_(None)
            )
        with self.engine.connect() as connection:
            count, oldest = connection.execute(query).one()
        return int(count), (str(oldest) if oldest is not None else None)

    def last_seq(self) -> int:
        """The newest arrival position (0 for an empty or missing inbox)."""
        if not self.exists:
            return 0
        with self.engine.connect() as connection:
            newest = connection.execute(select(func.max(WEBHOOK_EVENTS.c.seq))).scalar_one()
        return int(newest or 0)

    def read_received_since(self, since: str, *, store_hash: str | None = None) -> list[InboxEvent]:
        """Events received at or after `since` (ISO 8601, UTC), in arrival order."""
        if not self.exists:
            return []
        query = (
            select(WEBHOOK_EVENTS)
            .where(WEBHOOK_EVENTS.c.received_at >= since)
            .order_by(WEBHOOK_EVENTS.c.seq)
        )
        if store_hash is not None:
            query = query.where(
                (WEBHOOK_EVENTS.c.store_hash == store_hash) | WEBHOOK_EVENTS.c.store_hash.is_(None)
            )
        with self.engine.connect() as connection:
            return [_event(row) for row in connection.execute(query).mappings()]

    def read_after(
        self, seq: int, *, store_hash: str | None = None, batch_size: int = 500
    ) -> Iterator[InboxEvent]:
        """Events with `seq` greater than `seq`, in arrival order, fetched in batches."""
        if not self.exists:
            return
        last = seq
        while True:
            query = (
                select(WEBHOOK_EVENTS)
                .where(WEBHOOK_EVENTS.c.seq > last)
                .order_by(WEBHOOK_EVENTS.c.seq)
                .limit(batch_size)
            )
            if store_hash is not None:
                query = query.where(
                    (WEBHOOK_EVENTS.c.store_hash == store_hash)
                    | WEBHOOK_EVENTS.c.store_hash.is_(None)
                )
            with self.engine.connect() as connection:
                rows = connection.execute(query).mappings().all()
            for row in rows:
                last = row["seq"]
                yield _event(row)
            if len(rows) < batch_size:
                return

    def close(self) -> None:
        self.engine.dispose()
