"""The delivery ledger: what the Iterable project has accepted, so a re-read sends nothing twice.

Iterable starts journeys whenever an event or purchase is *added to or updated on* a profile, and
a User Profile Update journey whenever a users/update or bulkUpdate call *contains* the field,
changed or not (Iterable support, "Journey Setup: The Start Tile"; notes: iterable-api.md §2b).
Upserting by id keeps Iterable's data free of duplicates, not its journeys; this ledger keeps
what was accepted:

- per operation and record key, a fingerprint of the content sent (`delivered`);
- per user, a fingerprint per profile field (`user_fields`).

Rows are written only after Iterable confirmed the write; a crash between the confirmation and the
write may resend that record once. Every row carries the *scope*: the Iterable project the API key
belongs to (see `project_scope`), so pointing the pipeline at another project sends it everything.

Any SQLAlchemy URL (`database_url`); the default is a SQLite file under the working directory, like
the mapper's store. The database's own id (`ledger_id`) travels in STATE (see `state_marker.py`):
a run whose state says an earlier run delivered data through another ledger stops instead of
re-triggering every journey.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from target_iterable.contract import encoding

DEFAULT_DATABASE_URL = "sqlite:///.target-iterable/ledger.sqlite"
_LOOKUP_CHUNK = 500  # keys per IN (...) query: well under every backend's parameter limit

metadata = sa.MetaData()
ledger_meta = sa.Table(
    "ledger_meta",
    metadata,
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
delivered = sa.Table(
    "delivered",
    metadata,
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("operation", sa.String(32), primary_key=True),
    sa.Column("record_key", sa.String(700), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
)
user_fields = sa.Table(
    "user_fields",
    metadata,
    sa.Column("scope", sa.String(64), primary_key=True),
    sa.Column("user_key", sa.String(400), primary_key=True),
    sa.Column("field", sa.String(255), primary_key=True),
    sa.Column("fingerprint", sa.String(64), nullable=False),
)


class LedgerError(RuntimeError):
    """The ledger cannot be used; the message names the `database_url` setting."""


def fingerprint(value: Any) -> str:
    """A short, stable digest of a JSON value (key order does not matter)."""
    text = encoding.dumps(value, allow_nan=True, sort_keys=True)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def project_scope(api_url: str, api_key: str) -> str:
    """Which Iterable project the rows describe, without storing the key.

    Iterable's API has no endpoint that names the project of a key (the GET endpoints in its
    Swagger list campaigns, catalogs, lists, templates... none returns a project id), and a key
    belongs to exactly one project in one data center (notes §1): a one-way digest of the API
    root and the key stands for the project. A new key of the same project is a new scope
    (everything is sent once more); `ledger_scope` names the scope explicitly to avoid that.
    """
    return hashlib.sha256(f"target-iterable ledger\n{api_url}\n{api_key}".encode()).hexdigest()[:32]


class DeliveryLedger:
    """Thread-safe access to the ledger of one project (the senders run in threads)."""

    def __init__(self, database_url: str, scope: str) -> None:
        self.scope = scope
        self._lock = threading.Lock()
        try:
            url = make_url(database_url)
        except (SQLAlchemyError, ValueError) as error:
            raise LedgerError(f"database_url is not an SQLAlchemy URL: {error}") from None
        self._where = _describe(url)
        sqlite = url.get_backend_name() == "sqlite"
        try:
            if sqlite and url.database not in (None, "", ":memory:"):
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            connect_args = {"check_same_thread": False} if sqlite else {}
            self._engine = sa.create_engine(url, connect_args=connect_args)
            if sqlite:
                sa.event.listen(self._engine, "connect", _sqlite_write_ahead_log)
            metadata.create_all(self._engine)
            self._conn = self._engine.connect()
            self.ledger_id, self.is_new = self._own_id()
            self._conn.commit()
        except (SQLAlchemyError, OSError, ImportError) as error:  # ImportError: no driver
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            raise LedgerError(
                f"database_url: cannot open the delivery ledger at {self._where} ({reason}). "
                "Point database_url at a working database (nothing was sent)."
            ) from None

    def _own_id(self) -> tuple[str, bool]:
        found = self._conn.execute(
            sa.select(ledger_meta.c.value).where(ledger_meta.c.key == "ledger_id")
        ).scalar_one_or_none()
        if found is not None:
            return str(found), False
        new_id = uuid.uuid4().hex
        self._conn.execute(ledger_meta.insert().values(key="ledger_id", value=new_id))
        return new_id, True

    def has_deliveries(self) -> bool:
        """Whether this ledger holds anything for its project."""
        with self._lock:
            row = self._conn.execute(
                sa.select(delivered.c.record_key).where(delivered.c.scope == self.scope).limit(1)
            ).first()
            if row is None:
                row = self._conn.execute(
                    sa.select(user_fields.c.user_key)
                    .where(user_fields.c.scope == self.scope)
                    .limit(1)
                ).first()
            self._conn.commit()
            return row is not None

    # -- records -----------------------------------------------------------------------------

    def delivered(self, operation: str, keys: Iterable[str]) -> dict[str, str]:
        """Record key -> fingerprint of what Iterable accepted, for the keys it has."""
        found: dict[str, str] = {}
        with self._lock:
            for chunk in _chunks(sorted(set(keys))):
                rows = self._conn.execute(
                    sa.select(delivered.c.record_key, delivered.c.fingerprint).where(
                        delivered.c.scope == self.scope,
                        delivered.c.operation == operation,
                        delivered.c.record_key.in_(chunk),
                    )
                )
                found.update({row.record_key: row.fingerprint for row in rows})
            self._conn.commit()
        return found

    def record(self, operation: str, entries: dict[str, str]) -> None:
        """Iterable accepted these records (key -> fingerprint): remember them."""
        if not entries:
            return
        with self._lock:
            self._upsert(
                delivered,
                ("record_key", "fingerprint"),
                {"operation": operation},
                entries,
            )

    def count_since(self, operation: str, since: str) -> int:
        """How many records of `operation` were accepted at or after `since`, for operations
        whose fingerprint is the ISO 8601 UTC time of acceptance (`user_forgets`)."""
        with self._lock:
            count = self._conn.execute(
                sa.select(sa.func.count()).where(
                    delivered.c.scope == self.scope,
                    delivered.c.operation == operation,
                    delivered.c.fingerprint >= since,
                )
            ).scalar_one()
            self._conn.commit()
        return int(count)

    # -- users -------------------------------------------------------------------------------

    def user_fields(self, user_keys: Iterable[str]) -> dict[str, dict[str, str]]:
        """User key -> field -> fingerprint of the value Iterable last accepted."""
        found: dict[str, dict[str, str]] = {}
        with self._lock:
            for chunk in _chunks(sorted(set(user_keys))):
                rows = self._conn.execute(
                    sa.select(user_fields).where(
                        user_fields.c.scope == self.scope, user_fields.c.user_key.in_(chunk)
                    )
                )
                for row in rows:
                    found.setdefault(row.user_key, {})[row.field] = row.fingerprint
            self._conn.commit()
        return found

    def record_user_fields(self, user_key: str, fields: dict[str, str]) -> None:
        if not fields:
            return
        with self._lock:
            self._upsert(
                user_fields,
                ("field", "fingerprint"),
                {"user_key": user_key},
                fields,
            )

    def forget_user(self, user_key: str) -> None:
        """The user was deleted from Iterable: a later update must send every field again."""
        with self._lock:
            self._conn.execute(
                user_fields.delete().where(
                    user_fields.c.scope == self.scope, user_fields.c.user_key == user_key
                )
            )
            self._conn.commit()

    def close(self) -> None:
        with self._lock:
            self._conn.close()
            self._engine.dispose()

    # -- helpers -----------------------------------------------------------------------------

    def _upsert(
        self,
        table: sa.Table,
        columns: tuple[str, str],
        fixed: dict[str, str],
        entries: dict[str, str],
    ) -> None:
        """Portable upsert of (key -> value) rows under `fixed` columns, in one transaction."""
        key_name, value_name = columns
        key_column = table.c[key_name]
        scope_and_fixed = [table.c.scope == self.scope] + [
            table.c[name] == value for name, value in fixed.items()
        ]
        existing: set[str] = set()
        for chunk in _chunks(sorted(entries)):
            existing.update(
                self._conn.execute(
                    sa.select(key_column).where(*scope_and_fixed, key_column.in_(chunk))
                ).scalars()
            )
        base = {"scope": self.scope, **fixed}
        new_rows = [
            {**base, key_name: key, value_name: value}
            for key, value in entries.items()
            if key not in existing
        ]
        if new_rows:
            self._conn.execute(table.insert(), new_rows)
        updates = [{"k": key, "v": value} for key, value in entries.items() if key in existing]
        if updates:
            self._conn.execute(
                table.update()
                .where(*scope_and_fixed, key_column == sa.bindparam("k"))
                .values({value_name: sa.bindparam("v")}),
                updates,
            )
        self._conn.commit()


def _sqlite_write_ahead_log(dbapi_connection: Any, _record: Any) -> None:
    """Every accepted record is committed at once (a crash must not forget it), so each commit's
    cost sets the target's pace. SQLite's default rollback journal syncs the database and its
    journal several times per commit; its write-ahead log syncs the log once per commit at
    `synchronous=FULL` (sqlite.org/pragma.html#pragma_synchronous: only NORMAL "might roll back
    following a power loss or system crash" in WAL mode), so nothing is given up.
    Measured on the benchmark machine: 18 ms -> 5.5 ms per commit; at 50 purchases/s the
    rollback journal alone took the whole second (benchmarks/RESULTS.md, follow-mode latency)."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=FULL")
    cursor.close()


def _chunks(keys: Sequence[str]) -> Iterator[Sequence[str]]:
    for start in range(0, len(keys), _LOOKUP_CHUNK):
        yield keys[start : start + _LOOKUP_CHUNK]


def _describe(url: sa.URL) -> str:
    """Where the ledger is, for errors: never the password."""
    return url.render_as_string(hide_password=True)
