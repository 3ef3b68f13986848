"""A whole generated store: the in-memory catalog plus on-demand customers, orders, subscribers."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime

from sandbox.generator.catalog import Catalog, build_catalog
from sandbox.generator.collection import DerivedCollection
from sandbox.generator.model import Cart, Customer, Order, Product, Refund, Subscriber
from sandbox.generator.orders import OrderFactory
from sandbox.generator.people import CustomerFactory, PeopleFaker, SubscriberFactory


@dataclass(frozen=True)
class StoreSize:
    orders: int
    customers: int
    products: int
    subscribers: int

    @classmethod
    def for_orders(
        cls,
        orders: int,
        customers: int | None = None,
        products: int | None = None,
        subscribers: int | None = None,
    ) -> StoreSize:
        if orders < 0:
            msg = f"orders must be >= 0, got {orders}"
            raise ValueError(msg)
        customer_count = customers if customers is not None else max(10, orders // 2)
        return cls(
            orders=orders,
            customers=customer_count,
            products=products if products is not None else min(max(20, orders // 10), 500),
            subscribers=subscribers if subscribers is not None else customer_count // 2 + 5,
        )


@dataclass
class RefundIndex:
    """Refund id -> order id, in refund id order (built on first use: it scans every order)."""

    order_ids: list[int] = field(default_factory=list)
    stored: dict[int, Refund] = field(default_factory=dict)


class GeneratedStore:
    """Deterministic by (seed, size); mutable through `sandbox.generator.delta`."""

    def __init__(self, *, seed: int = 1, store_hash: str = "sandbox1", size: StoreSize) -> None:
        self.seed = seed
        self.size = size
        self.lock = threading.RLock()
        self.catalog: Catalog = build_catalog(seed, store_hash, size.products)
        people = PeopleFaker()
        self.customer_factory = CustomerFactory(seed, size.customers, self.catalog, people)
        self.order_factory = OrderFactory(
            seed, size.orders, self.catalog, self.customer_factory, people
        )
        self.subscriber_factory = SubscriberFactory(seed, size.subscribers, self.customer_factory)
        self.customers: DerivedCollection[Customer] = DerivedCollection(
            size.customers,
            self.customer_factory.build,
            self.customer_factory.modified,
            lambda c: c.date_modified,
            self.customer_factory.modified_epoch,
        )
        self.orders: DerivedCollection[Order] = DerivedCollection(
            size.orders,
            self.order_factory.build,
            self.order_factory.modified,
            lambda o: o.date_modified,
            self.order_factory.modified_epoch,
        )
        self.subscribers: DerivedCollection[Subscriber] = DerivedCollection(
            size.subscribers,
            self.subscriber_factory.build,
            self.subscriber_factory.modified,
            lambda s: s.date_modified,
        )
        products = self.catalog.products
        self.products: DerivedCollection[Product] = DerivedCollection(
            len(products),
            lambda n: products[n - 1],
            lambda n: products[n - 1].date_modified,
            lambda p: p.date_modified,
        )
        self.carts: dict[str, Cart] = {}
        self._refunds: RefundIndex | None = None
        # Per generated order: status id in the low 4 bits, 16 if archived (built on first use).
        self._order_flags: bytearray | None = None
        self.deltas_applied = 0

    # -- cheap order facts for list filters ----------------------------------------------------

    def order_status(self, order_id: int) -> int:
        changed = self.orders.stored(order_id)
        if changed is not None:
            return changed.status_id
        return self._flags()[order_id] & 15

    def order_archived(self, order_id: int) -> bool:
        changed = self.orders.stored(order_id)
        if changed is not None:
            return changed.is_deleted
        return bool(self._flags()[order_id] & 16)

    def _flags(self) -> bytearray:
        if self._order_flags is None:
            status = self.order_factory.status
            flags = bytearray(self.size.orders + 1)
            for order_id in range(1, self.size.orders + 1):
                status_id, archived, _ = status(order_id)
                flags[order_id] = status_id | (16 if archived else 0)
            self._order_flags = flags
        return self._order_flags

    # -- refunds ----------------------------------------------------------------------------

    def refund_order_ids(self) -> list[int]:
        """Order id for each refund id (refund id = position + 1)."""
        with self.lock:
            return list(self._refund_index().order_ids)

    def refund(self, refund_id: int) -> Refund | None:
        with self.lock:
            index = self._refund_index()
            if not 1 <= refund_id <= len(index.order_ids):
                return None
            if refund_id in index.stored:
                return index.stored[refund_id]
            order_id = index.order_ids[refund_id - 1]
            order = self.orders.require(order_id)
        return self.order_factory.refund(refund_id, order, self.order_factory.modified(order_id))

    def refund_created(self, refund_id: int) -> datetime:
        """When a refund happened, without building its order."""
        with self.lock:
            index = self._refund_index()
            if refund_id in index.stored:
                return index.stored[refund_id].created
            return self.order_factory.modified(index.order_ids[refund_id - 1])

    def add_refund(self, refund: Refund) -> None:
        with self.lock:
            index = self._refund_index()
            if refund.id != len(index.order_ids) + 1:
                msg = f"refund ids are sequential: expected {len(index.order_ids) + 1}"
                raise ValueError(msg)
            index.order_ids.append(refund.order_id)
            index.stored[refund.id] = refund

    def next_refund_id(self) -> int:
        with self.lock:
            return len(self._refund_index().order_ids) + 1

    def _refund_index(self) -> RefundIndex:
        if self._refunds is None:
            status = self.order_factory.status
            self._refunds = RefundIndex(
                order_ids=[n for n in range(1, self.size.orders + 1) if status(n)[2]]
            )
        return self._refunds
