"""Plain records for the comparison's unit tests."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from bigcommerce_iterable_reconcile.records import (
    BigCommerceData,
    CatalogItem,
    Event,
    IterableData,
    Order,
    Product,
    Purchase,
    User,
)

STORE = "store1"
START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2024, 2, 1, tzinfo=UTC)


def order(
    order_id: int,
    total: str,
    *,
    day: int = 5,
    person: str = "ann@example.com",
    qualifies: bool = True,
    currency: str = "USD",
) -> Order:
    return Order(
        order_id=order_id,
        purchase_id=f"{STORE}-{order_id}",
        person=person,
        created=datetime(2024, 1, day, 12, tzinfo=UTC),
        currency=currency,
        total=Decimal(total),
        qualifies=qualifies,
        net_in_ltv_currency=Decimal(total),
        ltv_currency=currency,
    )


def purchase(
    order_id: int,
    total: str,
    *,
    day: int = 5,
    purchase_id: str | None = None,
    currency: str = "USD",
) -> Purchase:
    return Purchase(
        purchase_id=purchase_id or f"{STORE}-{order_id}",
        order_id=order_id,
        store_hash=STORE,
        email="ann@example.com",
        user_id=None,
        created=datetime(2024, 1, day, 12, tzinfo=UTC),
        currency=currency,
        total=Decimal(total),
    )


def user(
    email: str,
    *,
    count: int | None = None,
    spent: str | None = None,
    customer: int | None = None,
    user_id: str | None = None,
) -> User:
    return User(
        email=email,
        user_id=user_id,
        bc_customer_id=customer,
        orders_count=count,
        total_spent=Decimal(spent) if spent is not None else None,
        ltv_currency="USD" if spent is not None else None,
    )


def event(event_id: str) -> Event:
    return Event(
        event_id, "bc_order_status_changed", "ann@example.com", datetime(2024, 1, 5, tzinfo=UTC)
    )


def product(product_id: int, price: str, name: str = "Mug") -> Product:
    return Product(f"{STORE}-{product_id}", product_id, name, Decimal(price))


def item(product_id: int, price: str, name: str = "Mug") -> CatalogItem:
    return CatalogItem(f"{STORE}-{product_id}", name, Decimal(price))


def bigcommerce(orders: list[Order], products: list[Product] | None = None) -> BigCommerceData:
    return BigCommerceData(STORE, orders, products or [])


def iterable(
    purchases: list[Purchase],
    users: list[User],
    *,
    events: list[Event] | None = None,
    items: list[CatalogItem] | None = None,
) -> IterableData:
    return IterableData(purchases, events or [], users, items or [])
