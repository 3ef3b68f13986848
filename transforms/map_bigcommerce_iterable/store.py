"""The embedded store: what the mapper must remember across runs.

Identity index (email -> person), the order ledger behind lifetime value, refunds, order status
history, and the catalog/store facts used to enrich later records. SQLite by default, any
SQLAlchemy URL at scale. Nothing here decides what is emitted: a re-run re-emits everything it
reads (ids make that harmless), so remembering more than the target confirmed never loses data.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import Connection, NestedTransaction, make_url
from sqlalchemy.exc import SQLAlchemyError

from map_bigcommerce_iterable.tables import (
    carts,
    customers,
    field_sources,
    first_purchases,
    ledger,
    lookups,
    meta_table,
    metadata,
    order_statuses,
    people,
    phone_writes,
    products,
    refunds,
)


@dataclass(frozen=True)
class Person:
    id: int
    email_key: str | None
    user_id: str
    registered: bool


@dataclass(frozen=True)
class PhoneWrite:
    phone_number: str
    source_at: str | None


@dataclass(frozen=True)
class LedgerRow:
    order_id: int
    qualifies: bool
    total: Decimal
    refunded: Decimal
    currency: str | None
    ltv_currency: str | None
    ltv_factor: Decimal | None
    date_created: str | None


class StoreOpenError(RuntimeError):
    """The store cannot be opened (or is not a database); the message names database_url."""


class StoreMismatchError(RuntimeError):
    """The store was built with other identity settings; reusing it would split people."""


def _key(table: sa.Table, *names: str) -> sa.ColumnElement[bool]:
    return sa.and_(*(table.c[name] == sa.bindparam(f"k_{name}") for name in names))


# Statements are built once: SQLAlchemy then reuses their compiled form (much faster per record).
_PERSON_BY_ID = sa.select(people).where(people.c.id == sa.bindparam("k_id"))
_PERSON_BY_EMAIL = sa.select(people).where(_key(people, "scope", "email_key"))
_PERSON_BY_CUSTOMER = (
    sa.select(people)
    .join(customers, customers.c.person_id == people.c.id)
    .where(_key(customers, "store_hash", "customer_id"))
)
_LEDGER_FIELD = {
    name: sa.select(ledger.c[name]).where(_key(ledger, "store_hash", "order_id"))
    for name in ("person_id", "currency")
}
_LEDGER_ROWS = (
    sa.select(ledger)
    .where(ledger.c.person_id == sa.bindparam("k_person_id"))
    .order_by(ledger.c.order_id)
)
_REFUND_AMOUNTS = sa.select(refunds.c.amount).where(_key(refunds, "store_hash", "order_id"))
_ORDER_STATUSES = sa.select(order_statuses).where(_key(order_statuses, "store_hash", "order_id"))
_PRODUCT = sa.select(products.c.data).where(_key(products, "store_hash", "product_id"))
_LOOKUP = sa.select(lookups.c.value).where(_key(lookups, "store_hash", "kind", "key"))
_CART_FIELD = {
    name: sa.select(carts.c[name]).where(_key(carts, "store_hash", "cart_id"))
    for name in ("person_id", "checkout_started_at")
}
_PHONE_WRITE = sa.select(phone_writes).where(_key(phone_writes, "person_id"))
_FIRST_PURCHASE = sa.select(first_purchases).where(_key(first_purchases, "person_id"))
_FIELD_SOURCES = sa.select(field_sources.c.field, field_sources.c.source_at).where(
    _key(field_sources, "person_id")
)
_UPSERT_KEYS = {
    "phone_writes": ("person_id",),
    "first_purchases": ("person_id",),
    "field_sources": ("person_id", "field"),
    "people": ("id",),
    "customers": ("store_hash", "customer_id"),
    "order_ledger": ("store_hash", "order_id"),
    "refunds": ("store_hash", "refund_id"),
    "products": ("store_hash", "product_id"),
    "lookups": ("store_hash", "kind", "key"),
    "carts": ("store_hash", "cart_id"),
}


class EmbeddedStore:
    """Typed access to the tables above, over one connection committed at checkpoints."""

    def __init__(self, database_url: str) -> None:
        url = make_url(database_url)
        try:
            if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
                Path(url.database).parent.mkdir(parents=True, exist_ok=True)
            self._engine = sa.create_engine(url)
            if url.get_backend_name() == "sqlite":
                _own_sqlite_transactions(self._engine)
            metadata.create_all(self._engine)
            self._conn: Connection = self._engine.connect()
            self._conn.begin()
        except (SQLAlchemyError, OSError, ImportError) as error:  # ImportError: no driver
            reason = str(getattr(error, "orig", None) or error).splitlines()[0]
            msg = (
                f"database_url: cannot open the mapper's store at "
                f"{url.render_as_string(hide_password=True)} ({reason}). Point database_url at "
                "a working database; nothing was emitted."
            )
            raise StoreOpenError(msg) from None
        self._lookup_cache: dict[tuple[str, str, str], str | None] = {}
        self._product_cache: dict[tuple[str, int], dict[str, Any] | None] = {}
        self._update_statements: dict[tuple[str, tuple[str, ...]], Any] = {}
        self._record_savepoint: NestedTransaction | None = None

    # -- lifecycle ---------------------------------------------------------------------------

    def begin_record(self) -> None:
        """A savepoint before one input record, so a record that fails half-way leaves no row."""
        self._record_savepoint = self._conn.begin_nested()

    def end_record(self) -> None:
        if self._record_savepoint is not None:
            self._record_savepoint.commit()  # releases the savepoint; the checkpoint commits
            self._record_savepoint = None

    def undo_record(self) -> None:
        if self._record_savepoint is not None:
            self._record_savepoint.rollback()
            self._record_savepoint = None
        # The caches may hold what the record wrote: the database is the truth again.
        self._lookup_cache.clear()
        self._product_cache.clear()

    def commit(self) -> None:
        self._conn.commit()
        self._conn.begin()

    def close(self) -> None:
        self._conn.commit()
        self._conn.close()
        self._engine.dispose()

    def own_id(self) -> tuple[str, bool]:
        """This store's id (made on first use) and whether it was just made; carried in STATE."""
        found = self._conn.execute(
            sa.select(meta_table.c.value).where(meta_table.c.key == "store_id")
        ).scalar_one_or_none()
        if found is not None:
            return str(found), False
        new_id = uuid.uuid4().hex
        self._conn.execute(meta_table.insert().values(key="store_id", value=new_id))
        self.commit()
        return new_id, True

    def check_meta(self, key: str, value: str) -> None:
        """Record a setting the stored data depends on; refuse a store built with another."""
        found = self._conn.execute(
            sa.select(meta_table.c.value).where(meta_table.c.key == key)
        ).scalar_one_or_none()
        if found is None:
            self._conn.execute(meta_table.insert().values(key=key, value=value))
        elif found != value:
            msg = (
                f"The embedded store was built with {key}={found!r}, but {key} is {value!r}. "
                "Use another database_url (or the original setting)."
            )
            raise StoreMismatchError(msg)

    # -- identity ----------------------------------------------------------------------------

    def person_by_email(self, scope: str, email_key: str) -> Person | None:
        row = self._conn.execute(
            _PERSON_BY_EMAIL, {"k_scope": scope, "k_email_key": email_key}
        ).first()
        return _person(row)

    def person_by_customer(self, store_hash: str, customer_id: int) -> Person | None:
        row = self._conn.execute(
            _PERSON_BY_CUSTOMER, {"k_store_hash": store_hash, "k_customer_id": customer_id}
        ).first()
        return _person(row)

    def person(self, person_id: int) -> Person | None:
        return _person(self._conn.execute(_PERSON_BY_ID, {"k_id": person_id}).first())

    def create_person(
        self, scope: str, email_key: str | None, user_id: str, *, registered: bool
    ) -> Person:
        result = self._conn.execute(
            people.insert(),
            {"scope": scope, "email_key": email_key, "user_id": user_id, "registered": registered},
        )
        person_id = int(result.inserted_primary_key[0])  # type: ignore[index]
        return Person(person_id, email_key, user_id, registered)

    def update_person(self, person: Person) -> None:
        self._update(
            people,
            {"id": person.id},
            {
                "email_key": person.email_key,
                "user_id": person.user_id,
                "registered": person.registered,
            },
        )

    def absorb_person(self, absorbed_id: int, into_id: int) -> None:
        """One person turned out to be another (a customer took the email a guest used): the
        absorbed one's orders, carts and customer links become theirs, and of the per-person
        facts (first purchase, phone number written, field sources, locale) those the other
        lacks, as Iterable's users/merge keeps the destination's fields and copies the rest.
        The absorbed person is gone."""
        for table in (ledger, carts, customers):
            self._conn.execute(
                table.update().where(table.c.person_id == absorbed_id).values(person_id=into_id)
            )
        for table in (first_purchases, phone_writes):
            kept = self._conn.execute(sa.select(table).where(table.c.person_id == into_id))
            if kept.first() is None:
                self._conn.execute(
                    table.update().where(table.c.person_id == absorbed_id).values(person_id=into_id)
                )
        own_fields = sa.select(field_sources.c.field).where(field_sources.c.person_id == into_id)
        self._conn.execute(
            field_sources.update()
            .where(field_sources.c.person_id == absorbed_id, ~field_sources.c.field.in_(own_fields))
            .values(person_id=into_id)
        )
        if self.shopper_locale(into_id) is None:
            self._conn.execute(
                lookups.update().where(_shopper_locale_of(absorbed_id)).values(key=str(into_id))
            )
        for table in (first_purchases, phone_writes, field_sources):
            self._conn.execute(table.delete().where(table.c.person_id == absorbed_id))
        self._conn.execute(lookups.delete().where(_shopper_locale_of(absorbed_id)))
        self._conn.execute(people.delete().where(people.c.id == absorbed_id))

    def link_customer(self, store_hash: str, customer_id: int, person_id: int) -> None:
        self._upsert(
            customers,
            {"store_hash": store_hash, "customer_id": customer_id},
            {"person_id": person_id},
        )

    # -- ledger ------------------------------------------------------------------------------

    def put_order(self, store_hash: str, order_id: int, values: dict[str, Any]) -> None:
        self._upsert(ledger, {"store_hash": store_hash, "order_id": order_id}, values)

    def order_person(self, store_hash: str, order_id: int) -> int | None:
        return self._ledger_field("person_id", store_hash, order_id)

    def order_currency(self, store_hash: str, order_id: int) -> str | None:
        return self._ledger_field("currency", store_hash, order_id)

    def _ledger_field(self, name: str, store_hash: str, order_id: int) -> Any:
        return self._conn.execute(
            _LEDGER_FIELD[name], {"k_store_hash": store_hash, "k_order_id": order_id}
        ).scalar_one_or_none()

    def ledger_rows(self, person_id: int) -> Iterator[tuple[str, LedgerRow]]:
        for row in self._conn.execute(_LEDGER_ROWS, {"k_person_id": person_id}).all():
            yield (
                row.store_hash,
                LedgerRow(
                    order_id=row.order_id,
                    qualifies=row.qualifies,
                    total=Decimal(row.total),
                    refunded=Decimal(row.refunded),
                    currency=row.currency,
                    ltv_currency=row.ltv_currency,
                    ltv_factor=Decimal(row.ltv_factor) if row.ltv_factor is not None else None,
                    date_created=row.date_created,
                ),
            )

    def put_refund(self, store_hash: str, refund_id: int, order_id: int, amount: Decimal) -> None:
        self._upsert(
            refunds,
            {"store_hash": store_hash, "refund_id": refund_id},
            {"order_id": order_id, "amount": str(amount)},
        )

    def refunded_total(self, store_hash: str, order_id: int) -> Decimal:
        amounts = self._conn.execute(
            _REFUND_AMOUNTS, {"k_store_hash": store_hash, "k_order_id": order_id}
        ).scalars()
        return sum((Decimal(amount) for amount in amounts), Decimal(0))

    # -- order status history ----------------------------------------------------------------

    def status_change(
        self, store_hash: str, order_id: int, status_id: int, seen_at: str
    ) -> tuple[str, int | None]:
        """When this status was first seen and the status before it (recorded on first sight)."""
        rows = self._conn.execute(
            _ORDER_STATUSES, {"k_store_hash": store_hash, "k_order_id": order_id}
        ).all()
        for row in rows:
            if row.status_id == status_id:
                return row.first_seen, row.previous_status_id
        latest = max(rows, key=lambda row: row.first_seen, default=None)
        previous = latest.status_id if latest is not None else None
        self._conn.execute(
            order_statuses.insert(),
            {
                "store_hash": store_hash,
                "order_id": order_id,
                "status_id": status_id,
                "first_seen": seen_at,
                "previous_status_id": previous,
            },
        )
        return seen_at, previous

    # -- catalog and store facts -------------------------------------------------------------

    def put_product(self, store_hash: str, product_id: int, data: dict[str, Any]) -> None:
        self._product_cache[(store_hash, product_id)] = data
        self._upsert(
            products,
            {"store_hash": store_hash, "product_id": product_id},
            {"data": json.dumps(data, sort_keys=True)},
        )

    def product(self, store_hash: str, product_id: int) -> dict[str, Any] | None:
        key = (store_hash, product_id)
        if key not in self._product_cache:
            raw = self._conn.execute(
                _PRODUCT, {"k_store_hash": store_hash, "k_product_id": product_id}
            ).scalar_one_or_none()
            self._product_cache[key] = json.loads(raw) if raw is not None else None
        return self._product_cache[key]

    def put_lookup(self, store_hash: str, kind: str, key: str, value: str) -> None:
        self._lookup_cache[(store_hash, kind, key)] = value
        self._upsert(
            lookups, {"store_hash": store_hash, "kind": kind, "key": key}, {"value": value}
        )

    def lookup(self, store_hash: str, kind: str, key: str) -> str | None:
        cache_key = (store_hash, kind, key)
        if cache_key not in self._lookup_cache:
            self._lookup_cache[cache_key] = self._conn.execute(
                _LOOKUP, {"k_store_hash": store_hash, "k_kind": kind, "k_key": key}
            ).scalar_one_or_none()
        return self._lookup_cache[cache_key]

    # -- shoppers' own locales (not cached: one row per person) ---------------------------------

    def shopper_locale(self, person_id: int) -> tuple[str, str] | None:
        """(locale, when it was true as a `source_stamp`), or None if none is known."""
        locale, source_at = (
            self._conn.execute(
                _LOOKUP, {"k_store_hash": "", "k_kind": kind, "k_key": str(person_id)}
            ).scalar_one_or_none()
            for kind in ("shopper_locale", "shopper_locale_at")
        )
        if locale is None:
            return None
        return locale, source_at or ""  # "": remembered before its date was (the oldest)

    def put_shopper_locale(self, person_id: int, locale: str, source_at: str) -> None:
        for kind, value in (("shopper_locale", locale), ("shopper_locale_at", source_at)):
            self._upsert(
                lookups,
                {"store_hash": "", "kind": kind, "key": str(person_id)},
                {"value": value},
            )

    # -- carts -------------------------------------------------------------------------------

    def put_cart(self, store_hash: str, cart_id: str, person_id: int) -> None:
        self._upsert(
            carts, {"store_hash": store_hash, "cart_id": cart_id}, {"person_id": person_id}
        )

    def cart_person(self, store_hash: str, cart_id: str) -> int | None:
        return self._conn.execute(
            _CART_FIELD["person_id"], {"k_store_hash": store_hash, "k_cart_id": cart_id}
        ).scalar_one_or_none()

    def checkout_started(self, store_hash: str, cart_id: str, at: str) -> str:
        """When checkout started for this cart (the first time asked, stable after that)."""
        found = self._conn.execute(
            _CART_FIELD["checkout_started_at"], {"k_store_hash": store_hash, "k_cart_id": cart_id}
        ).scalar_one_or_none()
        if found:
            return str(found)
        self._update(
            carts, {"store_hash": store_hash, "cart_id": cart_id}, {"checkout_started_at": at}
        )
        return at

    # -- phone numbers written -----------------------------------------------------------------

    def phone_write(self, person_id: int) -> PhoneWrite | None:
        row = self._conn.execute(_PHONE_WRITE, {"k_person_id": person_id}).first()
        return PhoneWrite(row.phone_number, row.source_at) if row is not None else None

    def put_phone_write(self, person_id: int, write: PhoneWrite) -> None:
        self._upsert(
            phone_writes,
            {"person_id": person_id},
            {"phone_number": write.phone_number, "source_at": write.source_at},
        )

    # -- first purchases ---------------------------------------------------------------------

    def first_purchase(self, person_id: int) -> tuple[str, int] | None:
        row = self._conn.execute(_FIRST_PURCHASE, {"k_person_id": person_id}).first()
        return (row.store_hash, int(row.order_id)) if row is not None else None

    def put_first_purchase(self, person_id: int, store_hash: str, order_id: int) -> None:
        self._upsert(
            first_purchases,
            {"person_id": person_id},
            {"store_hash": store_hash, "order_id": order_id},
        )

    # -- when each emitted profile field was true ----------------------------------------------

    def field_sources(self, person_id: int) -> dict[str, str]:
        rows = self._conn.execute(_FIELD_SOURCES, {"k_person_id": person_id})
        return {row.field: row.source_at for row in rows}

    def put_field_sources(self, person_id: int, sources: dict[str, str]) -> None:
        for name, source_at in sources.items():
            self._upsert(
                field_sources, {"person_id": person_id, "field": name}, {"source_at": source_at}
            )

    # -- helpers -----------------------------------------------------------------------------

    def _update(self, table: sa.Table, key: dict[str, Any], values: dict[str, Any]) -> int:
        names = tuple(values)
        statement = self._update_statements.get((table.name, names))
        if statement is None:
            statement = (
                table.update()
                .where(_key(table, *_UPSERT_KEYS[table.name]))
                .values({name: sa.bindparam(f"v_{name}") for name in names})
            )
            self._update_statements[(table.name, names)] = statement
        parameters = {f"k_{k}": v for k, v in key.items()} | {
            f"v_{k}": v for k, v in values.items()
        }
        return int(self._conn.execute(statement, parameters).rowcount)

    def _upsert(self, table: sa.Table, key: dict[str, Any], values: dict[str, Any]) -> None:
        """Portable upsert (update, else insert): works on every SQLAlchemy backend."""
        if self._update(table, key, values) == 0:
            self._conn.execute(table.insert(), {**key, **values})


def _own_sqlite_transactions(engine: sa.Engine) -> None:
    """Let SQLAlchemy, not Python's sqlite3 module, begin transactions, so savepoints nest.

    sqlite3 delays BEGIN until the first write, so a SAVEPOINT before it would open (and its
    release commit) the whole transaction. SQLAlchemy's documented recipe for pysqlite.
    """

    @event.listens_for(engine, "connect")
    def _no_implicit_begin(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")


def _shopper_locale_of(person_id: int) -> sa.ColumnElement[bool]:
    """The lookup rows of a person's own locale (see `shopper_locale`)."""
    return sa.and_(
        lookups.c.store_hash == "",
        lookups.c.kind.in_(("shopper_locale", "shopper_locale_at")),
        lookups.c.key == str(person_id),
    )


def _person(row: Any) -> Person | None:
    if row is None:
        return None
    return Person(row.id, row.email_key, row.user_id, bool(row.registered))
