"""The "delta" step: change chosen records with later modification times, as a live store does.

Per collection, the first changed record gets the same second as that collection's newest
record (the case that catches `>` instead of `>=` bookmarks); the rest get later seconds.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal

from sandbox.generator.events import StoreEvent
from sandbox.generator.hashing import rng_seed
from sandbox.generator.model import Refund, RefundItem
from sandbox.generator.orders import TAX_RATE, money
from sandbox.generator.store import GeneratedStore

_MOVABLE_STATUSES = {1, 2, 7, 9, 10, 11}


@dataclass
class DeltaResult:
    order_ids: list[int] = field(default_factory=list)
    new_order_ids: list[int] = field(default_factory=list)
    customer_ids: list[int] = field(default_factory=list)
    new_customer_ids: list[int] = field(default_factory=list)
    product_ids: list[int] = field(default_factory=list)
    subscriber_ids: list[int] = field(default_factory=list)
    refund_ids: list[int] = field(default_factory=list)
    events: list[StoreEvent] = field(default_factory=list)

    def as_dict(self) -> dict[str, list[int]]:
        return {
            "order_ids": self.order_ids,
            "new_order_ids": self.new_order_ids,
            "customer_ids": self.customer_ids,
            "new_customer_ids": self.new_customer_ids,
            "product_ids": self.product_ids,
            "subscriber_ids": self.subscriber_ids,
            "refund_ids": self.refund_ids,
        }


def _moments(newest: datetime | None, at: datetime, count: int) -> list[datetime]:
    """First at the newest existing second, then one second apart from `at`."""
    first = [newest] if newest is not None and count else []
    return first + [at + timedelta(seconds=i) for i in range(count - len(first))]


def apply_delta(
    store: GeneratedStore,
    *,
    at: datetime,
    orders: int = 5,
    new_orders: int = 2,
    customers: int = 3,
    products: int = 2,
    subscribers: int = 1,
    new_customers: int = 0,
) -> DeltaResult:
    """Change records chosen by (seed, how many deltas came before); `at` = when it happens."""
    result = DeltaResult()
    with store.lock:
        store.deltas_applied += 1
        rng = random.Random(rng_seed(store.seed, store.deltas_applied, "delta"))
        _change_orders(store, rng, at, orders, result)
        _add_orders(store, at, new_orders, result)
        _change_customers(store, rng, at, customers, result)
        _add_customers(store, at, new_customers, result)
        _change_products(store, rng, at, products, result)
        _change_subscribers(store, rng, at, subscribers, result)
    return result


def _choose(rng: random.Random, count: int, how_many: int) -> list[int]:
    return sorted(rng.sample(range(1, count + 1), min(how_many, count))) if count else []


def _change_orders(
    store: GeneratedStore, rng: random.Random, at: datetime, how_many: int, result: DeltaResult
) -> None:
    # Orders still in progress or completed move on; refunded, cancelled, archived and
    # incomplete ones stay as they are.
    ids = [
        i
        for i in _choose(rng, store.orders.count, how_many * 4)
        if not store.orders.require(i).is_deleted
        and store.orders.require(i).status_id in _MOVABLE_STATUSES
    ][:how_many]
    moments = _moments(store.orders.newest_modified(), at, len(ids))
    for position, (order_id, moment) in enumerate(zip(ids, moments, strict=True)):
        order = store.orders.require(order_id)
        previous_status = order.status_id
        if position == 1 and order.refunded_amount == 0 and order.line_items:
            # One changed order gets a partial refund of its first line.
            first = order.line_items[0]
            amount = first.price_inc_tax
            lines = (
                replace(first, quantity_refunded=1, refund_amount=amount),
                *order.line_items[1:],
            )
            changed = replace(
                order,
                status_id=14,
                payment_status="partially refunded",
                refunded_amount=amount,
                line_items=lines,
                date_modified=moment,
            )
            refund_id = store.next_refund_id()
            store.add_refund(
                Refund(
                    id=refund_id,
                    order_id=order_id,
                    created=moment,
                    reason="Arrived damaged",
                    total_amount=amount,
                    total_tax=money(amount - amount / (1 + TAX_RATE)),
                    uses_merchant_override_values=False,
                    items=(RefundItem("PRODUCT", first.id, 1, None, "Arrived damaged"),),
                    payment_provider="braintree",
                    payment_amount=amount,
                    payment_offline=False,
                )
            )
            result.refund_ids.append(refund_id)
            result.events.append(
                StoreEvent(
                    "store/order/refund/created",
                    {"type": "order", "id": order_id, "refund": {"refund_id": refund_id}},
                )
            )
        else:
            changed = replace(
                order,
                status_id=2 if previous_status != 2 else 10,
                date_shipped=order.date_shipped or moment,
                staff_notes=f"Updated by delta {store.deltas_applied}",
                date_modified=moment,
            )
        store.orders.put(order_id, changed)
        result.order_ids.append(order_id)
        result.events.append(StoreEvent("store/order/updated", {"type": "order", "id": order_id}))
        if changed.status_id != previous_status:
            result.events.append(
                StoreEvent(
                    "store/order/statusUpdated",
                    {
                        "type": "order",
                        "id": order_id,
                        "status": {
                            "previous_status_id": previous_status,
                            "new_status_id": changed.status_id,
                        },
                    },
                )
            )


def _add_orders(store: GeneratedStore, at: datetime, how_many: int, result: DeltaResult) -> None:
    for index in range(how_many):
        order_id = store.orders.next_id()
        order = store.order_factory.new_order(order_id, at + timedelta(seconds=index))
        store.orders.put(order_id, order)
        result.new_order_ids.append(order_id)
        result.events.append(StoreEvent("store/order/created", {"type": "order", "id": order_id}))


def _change_customers(
    store: GeneratedStore, rng: random.Random, at: datetime, how_many: int, result: DeltaResult
) -> None:
    ids = _choose(rng, store.customers.count, how_many)
    moments = _moments(store.customers.newest_modified(), at, len(ids))
    for customer_id, moment in zip(ids, moments, strict=True):
        customer = store.customers.get(customer_id)
        if customer is None:
            continue  # deleted
        changed = replace(
            customer,
            last_name=f"{customer.last_name}-Nouveau",
            phone=f"+1 512 555 {customer_id % 10000:04d}",
            accepts_marketing=not customer.accepts_marketing,
            date_modified=moment,
        )
        store.customers.put(customer_id, changed)
        result.customer_ids.append(customer_id)
        result.events.append(
            StoreEvent("store/customer/updated", {"type": "customer", "id": customer_id})
        )


def _add_customers(store: GeneratedStore, at: datetime, how_many: int, result: DeltaResult) -> None:
    for index in range(how_many):
        customer_id = store.customers.next_id()
        moment = at + timedelta(seconds=index)
        customer = replace(
            store.customer_factory.build(customer_id), date_created=moment, date_modified=moment
        )
        store.customers.put(customer_id, customer)
        result.new_customer_ids.append(customer_id)
        result.events.append(
            StoreEvent("store/customer/created", {"type": "customer", "id": customer_id})
        )


def _change_products(
    store: GeneratedStore, rng: random.Random, at: datetime, how_many: int, result: DeltaResult
) -> None:
    ids = _choose(rng, store.products.count, how_many)
    moments = _moments(store.products.newest_modified(), at, len(ids))
    for product_id, moment in zip(ids, moments, strict=True):
        product = store.products.require(product_id)
        changed = replace(
            product,
            price=product.price + Decimal("1.00"),
            inventory_level=max(product.inventory_level - 1, 0),
            date_modified=moment,
        )
        store.products.put(product_id, changed)
        result.product_ids.append(product_id)
        result.events.append(
            StoreEvent("store/product/updated", {"type": "product", "id": product_id})
        )


def _change_subscribers(
    store: GeneratedStore, rng: random.Random, at: datetime, how_many: int, result: DeltaResult
) -> None:
    ids = _choose(rng, store.subscribers.count, how_many)
    moments = _moments(store.subscribers.newest_modified(), at, len(ids))
    for subscriber_id, moment in zip(ids, moments, strict=True):
        subscriber = store.subscribers.require(subscriber_id)
        consents = () if subscriber.consents else ("marketing_newsletter",)
        store.subscribers.put(
            subscriber_id, replace(subscriber, consents=consents, date_modified=moment)
        )
        result.subscriber_ids.append(subscriber_id)
        result.events.append(
            StoreEvent("store/subscriber/updated", {"type": "subscriber", "id": subscriber_id})
        )
