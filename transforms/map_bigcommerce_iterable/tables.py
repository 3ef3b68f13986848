"""The embedded store's tables (created on first use)."""

from __future__ import annotations

import sqlalchemy as sa

metadata = sa.MetaData()

meta_table = sa.Table(
    "meta", metadata, sa.Column("key", sa.String(64), primary_key=True), sa.Column("value", sa.Text)
)
people = sa.Table(
    "people",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("scope", sa.String(64), nullable=False),
    sa.Column("email_key", sa.String(320)),
    sa.Column("user_id", sa.String(52), nullable=False),
    sa.Column("registered", sa.Boolean, nullable=False),
    sa.UniqueConstraint("scope", "email_key"),
)
customers = sa.Table(
    "customers",
    metadata,
    sa.Column("store_hash", sa.String(64), primary_key=True),
    sa.Column("customer_id", sa.BigInteger, primary_key=True),
    sa.Column("person_id", sa.Integer, nullable=False, index=True),
)
ledger = sa.Table(
    "order_ledger",
    metadata,
    sa.Column("store_hash", sa.String(64), primary_key=True),
    sa.Column("order_id", sa.BigInteger, primary_key=True),
    sa.Column("person_id", sa.Integer, nullable=False, index=True),
    sa.Column("qualifies", sa.Boolean, nullable=False),
    sa.Column("total", sa.String(40), nullable=False),
    sa.Column("refunded", sa.String(40), nullable=False),
    sa.Column("currency", sa.String(3)),
    # Multiply an order-currency amount by ltv_factor to get it in ltv_currency (null: unknown).
    sa.Column("ltv_currency", sa.String(3)),
    sa.Column("ltv_factor", sa.String(60)),
    sa.Column("date_created", sa.String(40)),
)
refunds = sa.Table(
    "refunds",
    metadata,
    sa.Column("store_hash", sa.String(64), primary_key=True),
    sa.Column("refund_id", sa.BigInteger, primary_key=True),
    sa.Column("order_id", sa.BigInteger, nullable=False, index=True),
    sa.Column("amount", sa.String(40), nullable=False),
)
order_statuses = sa.Table(
    "order_statuses",
    metadata,
    sa.Column("store_hash", sa.String(64), primary_key=True),
    sa.Column("order_id", sa.BigInteger, primary_key=True),
    sa.Column("status_id", sa.Integer, primary_key=True),
    sa.Column("first_seen", sa.String(40), nullable=False),
    sa.Column("previous_status_id", sa.Integer),
)
products = sa.Table(
    "products",
    metadata,
    sa.Column("store_hash", sa.String(64), primary_key=True),
    sa.Column("product_id", sa.BigInteger, primary_key=True),
    sa.Column("data", sa.Text, nullable=False),
)
lookups = sa.Table(
    "lookups",
    metadata,
    sa.Column("store_hash", sa.String(64), primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("key", sa.String(64), primary_key=True),
    sa.Column("value", sa.Text, nullable=False),
)
carts = sa.Table(
    "carts",
    metadata,
    sa.Column("store_hash", sa.String(64), primary_key=True),
    sa.Column("cart_id", sa.String(64), primary_key=True),
    sa.Column("person_id", sa.Integer, nullable=False),
    sa.Column("checkout_started_at", sa.String(40)),
)
# The E.164 number last written to each person's `phoneNumber`, and the time of the BigCommerce
# record it came from: a number is written again only when BigCommerce's changed since (phone.py).
phone_writes = sa.Table(
    "phone_writes",
    metadata,
    sa.Column("person_id", sa.Integer, primary_key=True),
    sa.Column("phone_number", sa.String(20), nullable=False),
    sa.Column("source_at", sa.String(40)),
)
# The first qualifying order of each person (decided once, so event ids never change).
first_purchases = sa.Table(
    "first_purchases",
    metadata,
    sa.Column("person_id", sa.Integer, primary_key=True),
    sa.Column("store_hash", sa.String(64), nullable=False),
    sa.Column("order_id", sa.BigInteger, nullable=False),
)
# When the value last emitted for each profile field was true at BigCommerce (the `as_of` of the
# record it came from): a later run re-reading an older record (an inclusive bookmark, a full
# refresh, a backfill) does not overwrite a newer value, so newest-wins holds across runs.
field_sources = sa.Table(
    "field_sources",
    metadata,
    sa.Column("person_id", sa.Integer, primary_key=True),
    sa.Column("field", sa.String(255), primary_key=True),
    sa.Column("source_at", sa.String(40), nullable=False),
)
