"""Plain records both readers produce and the comparison consumes (no HTTP, no JSON shapes)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal


@dataclass(frozen=True)
class Order:
    """A BigCommerce order, with what the mapper derives from it (its purchase id, its person)."""

    order_id: int
    purchase_id: str
    person: str | None  # normalised email of the Iterable user it belongs to; None: skipped
    created: datetime
    currency: str  # the revenue currency the purchase total is in (mapper's OrderFacts)
    total: Decimal  # total_inc_tax in that currency, rounded to its minor unit
    qualifies: bool  # makes a purchase (status in purchase_status_ids, not archived)
    net_in_ltv_currency: Decimal | None  # (total - refunded) in the LTV currency; None: no rate
    ltv_currency: str

    @property
    def day(self) -> date:
        return self.created.date()


@dataclass(frozen=True)
class Product:
    item_id: str
    product_id: int
    name: str | None
    price: Decimal | None


@dataclass(frozen=True)
class BigCommerceData:
    store_hash: str
    orders: list[Order]  # every order read (the whole history when lifetime value is checked)
    products: list[Product]


@dataclass(frozen=True)
class Purchase:
    """An Iterable purchase from the export."""

    purchase_id: str
    order_id: int | None  # dataFields.orderId
    store_hash: str | None
    email: str | None
    user_id: str | None
    created: datetime | None
    currency: str | None
    total: Decimal | None

    @property
    def day(self) -> date | None:
        return self.created.date() if self.created else None


@dataclass(frozen=True)
class Event:
    event_id: str | None
    name: str | None
    email: str | None
    created: datetime | None


@dataclass(frozen=True)
class User:
    """An Iterable user profile, with the fields the pipeline writes that can be checked."""

    email: str | None  # normalised
    user_id: str | None
    bc_customer_id: int | None
    orders_count: int | None
    total_spent: Decimal | None
    ltv_currency: str | None


@dataclass(frozen=True)
class CatalogItem:
    item_id: str
    name: str | None
    price: Decimal | None


@dataclass(frozen=True)
class IterableData:
    purchases: list[Purchase]
    events: list[Event]
    users: list[User]
    catalog_items: list[CatalogItem] | None  # None: the catalog does not exist
