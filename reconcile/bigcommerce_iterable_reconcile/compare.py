"""The comparison: pure functions from plain records to a list of discrepancies and daily totals.

BigCommerce says what should be in Iterable (by the mapper's own rules, applied when reading);
Iterable's export says what is there. Every discrepancy names the ids to act on.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal

from bigcommerce_iterable_reconcile.records import (
    BigCommerceData,
    Event,
    IterableData,
    Order,
    Purchase,
    User,
)
from map_bigcommerce_iterable.normalise import round_money

# Every kind of discrepancy, with the title its table gets in the reports (in report order).
KINDS: dict[str, str] = {
    "purchase_missing": "Orders missing in Iterable",
    "purchase_without_order": "Purchases in Iterable with no qualifying order",
    "purchase_total_mismatch": "Purchases whose total or currency differs from the order",
    "purchase_date_mismatch": "Purchases dated on another day than the order",
    "duplicate_purchase": "Duplicate purchases",
    "duplicate_event_id": "Duplicate event ids",
    "user_missing": "Buyers missing in Iterable",
    "duplicate_user": "The same person as two users",
    "ltv_mismatch": "Lifetime value that disagrees with the orders",
    "catalog_item_missing": "Catalog items missing",
    "catalog_item_stale": "Catalog items with a stale price or name",
}
# Discrepancies a dead letter can explain: only absences. A duplicate or a wrong total is never
# explained by a record the target refused.
EXPLAINABLE_KINDS = frozenset({"purchase_missing", "user_missing", "catalog_item_missing"})


@dataclass(frozen=True)
class Discrepancy:
    kind: str  # a key of KINDS
    subject: str  # the id to act on (purchase id, order id, email, item id...)
    detail: str
    bigcommerce: str = ""
    iterable: str = ""
    day: str = ""
    currency: str = ""
    dead_letter: str = ""  # the reason, when the target's dead-letter log accounts for it


@dataclass(frozen=True)
class DailyTotal:
    day: date
    currency: str
    bigcommerce_count: int
    bigcommerce_revenue: Decimal
    iterable_count: int
    iterable_revenue: Decimal

    def agrees(self, revenue_tolerance: Decimal) -> bool:
        return (
            self.bigcommerce_count == self.iterable_count
            and abs(self.bigcommerce_revenue - self.iterable_revenue) <= revenue_tolerance
        )


@dataclass(frozen=True)
class Tolerance:
    max_discrepancies: int = 0
    revenue: Decimal = Decimal(0)  # per purchase, per day and per lifetime value, in currency units


@dataclass(frozen=True)
class Checks:
    lifetime_value: bool = True
    catalog: bool = True


@dataclass
class Reconciliation:
    start: datetime
    end: datetime
    store_hash: str
    tolerance: Tolerance
    daily: list[DailyTotal] = field(default_factory=list)
    discrepancies: list[Discrepancy] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def unexplained(self) -> list[Discrepancy]:
        """The discrepancies no dead letter accounts for: only these count against tolerance."""
        return [d for d in self.discrepancies if not d.dead_letter]

    @property
    def agrees(self) -> bool:
        return len(self.unexplained) <= self.tolerance.max_discrepancies

    def by_kind(self) -> dict[str, list[Discrepancy]]:
        grouped: dict[str, list[Discrepancy]] = {kind: [] for kind in KINDS}
        for discrepancy in self.discrepancies:
            grouped[discrepancy.kind].append(discrepancy)
        return grouped


def reconcile(
    bigcommerce: BigCommerceData,
    iterable: IterableData,
    *,
    start: datetime,
    end: datetime,
    tolerance: Tolerance,
    checks: Checks | None = None,
    dead_letters: Mapping[str, str] | None = None,
) -> Reconciliation:
    """Compare; `dead_letters` (subject → reason) marks absences the target dead-lettered."""
    checks = checks or Checks()

    def in_range(moment: datetime | None) -> bool:
        return moment is not None and start <= moment < end

    orders = [o for o in bigcommerce.orders if in_range(o.created)]
    expected = {o.purchase_id: o for o in orders if o.qualifies and o.person is not None}
    purchases = [
        p
        for p in iterable.purchases
        if in_range(p.created) and p.store_hash in (None, bigcommerce.store_hash)
    ]
    events = [e for e in iterable.events if in_range(e.created)]
    result = Reconciliation(start, end, bigcommerce.store_hash, tolerance)
    result.counts = {
        "orders_in_range": len(orders),
        "qualifying_orders": len(expected),
        "orders_without_person": sum(1 for o in orders if o.qualifies and o.person is None),
        "iterable_purchases": len(purchases),
        "iterable_events": len(events),
        "iterable_users": len(iterable.users),
        "products": len(bigcommerce.products),
        "catalog_items": len(iterable.catalog_items or []),
    }
    found = result.discrepancies
    found += purchase_discrepancies(expected, purchases, bigcommerce.orders, tolerance.revenue)
    found += duplicate_event_ids(events)
    buyers = {o.person for o in expected.values() if o.person}
    found += user_discrepancies(buyers, iterable.users)
    if checks.lifetime_value:
        found += lifetime_value_discrepancies(
            buyers, bigcommerce.orders, iterable.users, tolerance.revenue
        )
    if checks.catalog:
        found += catalog_discrepancies(bigcommerce, iterable, tolerance.revenue)
    result.daily = daily_totals(expected.values(), purchases)
    if dead_letters:
        result.discrepancies = [_explain(d, dead_letters) for d in found]
    return result


def _explain(discrepancy: Discrepancy, dead_letters: Mapping[str, str]) -> Discrepancy:
    reason = dead_letters.get(discrepancy.subject)
    if reason is None or discrepancy.kind not in EXPLAINABLE_KINDS:
        return discrepancy
    return replace(discrepancy, dead_letter=reason)


def _money(amount: Decimal | None, currency: str | None = None) -> str:
    if amount is None:
        return "-"
    return f"{amount} {currency}".strip() if currency else str(amount)


def purchase_discrepancies(
    expected: dict[str, Order],
    purchases: list[Purchase],
    all_orders: list[Order],
    revenue_tolerance: Decimal,
) -> list[Discrepancy]:
    found: list[Discrepancy] = []
    by_id: dict[str, list[Purchase]] = defaultdict(list)
    by_order: dict[int, set[str]] = defaultdict(set)
    for purchase in purchases:
        by_id[purchase.purchase_id].append(purchase)
        if purchase.order_id is not None:
            by_order[purchase.order_id].add(purchase.purchase_id)
    for purchase_id, copies in sorted(by_id.items()):
        if len(copies) > 1:
            found.append(
                Discrepancy(
                    "duplicate_purchase",
                    purchase_id,
                    f"purchase id {purchase_id} is in Iterable {len(copies)} times",
                    iterable=f"{len(copies)} purchases",
                )
            )
    duplicated_ids: set[str] = set()
    for order_id, ids in sorted(by_order.items()):
        if len(ids) > 1:
            duplicated_ids |= ids
            found.append(
                Discrepancy(
                    "duplicate_purchase",
                    f"order {order_id}",
                    f"order {order_id} has {len(ids)} purchases: {', '.join(sorted(ids))}",
                    iterable=", ".join(sorted(ids)),
                )
            )
    for purchase_id, order in sorted(expected.items()):
        if purchase_id not in by_id:
            found.append(
                Discrepancy(
                    "purchase_missing",
                    purchase_id,
                    f"order {order.order_id} ({order.person}) has no purchase in Iterable",
                    bigcommerce=_money(order.total, order.currency),
                    day=order.day.isoformat(),
                    currency=order.currency,
                )
            )
            continue
        purchase = by_id[purchase_id][0]
        if purchase.currency != order.currency or (
            purchase.total is None or abs(purchase.total - order.total) > revenue_tolerance
        ):
            found.append(
                Discrepancy(
                    "purchase_total_mismatch",
                    purchase_id,
                    f"order {order.order_id}: total differs",
                    bigcommerce=_money(order.total, order.currency),
                    iterable=_money(purchase.total, purchase.currency),
                    day=order.day.isoformat(),
                    currency=order.currency,
                )
            )
        if purchase.day != order.day:
            found.append(
                Discrepancy(
                    "purchase_date_mismatch",
                    purchase_id,
                    f"order {order.order_id} was placed on {order.day}",
                    bigcommerce=order.created.isoformat(),
                    iterable=purchase.created.isoformat() if purchase.created else "-",
                    day=order.day.isoformat(),
                    currency=order.currency,
                )
            )
    orders_by_purchase_id = {o.purchase_id: o for o in all_orders}
    for purchase_id, copies in sorted(by_id.items()):
        if purchase_id in expected or purchase_id in duplicated_ids:
            continue
        purchase = copies[0]
        known = orders_by_purchase_id.get(purchase_id)
        why = (
            f"order {known.order_id} does not make a purchase (status or archived)"
            if known
            else "no BigCommerce order in the range has this id"
        )
        found.append(
            Discrepancy(
                "purchase_without_order",
                purchase_id,
                why,
                iterable=_money(purchase.total, purchase.currency),
                day=purchase.day.isoformat() if purchase.day else "",
                currency=purchase.currency or "",
            )
        )
    return found


def duplicate_event_ids(events: Iterable[Event]) -> list[Discrepancy]:
    counts: dict[str, int] = defaultdict(int)
    names: dict[str, str] = {}
    for event in events:
        if event.event_id:
            counts[event.event_id] += 1
            names[event.event_id] = event.name or ""
    return [
        Discrepancy(
            "duplicate_event_id",
            event_id,
            f"event id {event_id} ({names[event_id]}) is in Iterable {count} times",
            iterable=f"{count} events",
        )
        for event_id, count in sorted(counts.items())
        if count > 1
    ]


def _profile(user: User) -> str:
    return " / ".join(part for part in (user.email, user.user_id) if part) or "?"


def user_discrepancies(buyers: set[str], users: list[User]) -> list[Discrepancy]:
    found: list[Discrepancy] = []
    emails = {user.email for user in users if user.email}
    for email in sorted(buyers - emails):
        found.append(
            Discrepancy("user_missing", email, "buyer of an order in the range has no user")
        )
    profiles_by_email: dict[str, set[str]] = defaultdict(set)
    profiles_by_customer: dict[int, set[str]] = defaultdict(set)
    for user in users:
        if user.email:
            profiles_by_email[user.email].add(_profile(user))
        if user.bc_customer_id:
            profiles_by_customer[user.bc_customer_id].add(_profile(user))
    for email, profiles in sorted(profiles_by_email.items()):
        if len(profiles) > 1:
            found.append(
                Discrepancy(
                    "duplicate_user",
                    email,
                    f"email {email} is on {len(profiles)} users",
                    iterable="; ".join(sorted(profiles)),
                )
            )
    for customer_id, profiles in sorted(profiles_by_customer.items()):
        if len(profiles) > 1:
            found.append(
                Discrepancy(
                    "duplicate_user",
                    f"customer {customer_id}",
                    f"BigCommerce customer {customer_id} is on {len(profiles)} users",
                    iterable="; ".join(sorted(profiles)),
                )
            )
    return found


def expected_lifetime_value(orders: Iterable[Order]) -> tuple[int, Decimal, str] | None:
    """ordersCount, totalSpent, ltvCurrency by the mapper's rule (qualifying orders, net of
    refunds, never below 0 per order); None when no order of the person can be counted."""
    counted = [o for o in orders if o.qualifies and o.net_in_ltv_currency is not None]
    if not counted:
        return None
    currency = counted[0].ltv_currency
    total = sum((o.net_in_ltv_currency or Decimal(0) for o in counted), Decimal(0))
    return len(counted), round_money(total, currency), currency


def lifetime_value_discrepancies(
    buyers: set[str], all_orders: list[Order], users: list[User], revenue_tolerance: Decimal
) -> list[Discrepancy]:
    orders_by_person: dict[str, list[Order]] = defaultdict(list)
    for order in all_orders:
        if order.person in buyers:
            orders_by_person[order.person].append(order)
    users_by_email = {user.email: user for user in users if user.email}
    found = []
    for email in sorted(buyers):
        user = users_by_email.get(email)
        expected = expected_lifetime_value(orders_by_person[email])
        if user is None or expected is None:
            continue  # a missing user is reported once, as user_missing
        count, total, currency = expected
        agrees = (
            user.orders_count == count
            and user.total_spent is not None
            and abs(user.total_spent - total) <= revenue_tolerance
            and user.ltv_currency in (None, currency)
        )
        if not agrees:
            found.append(
                Discrepancy(
                    "ltv_mismatch",
                    email,
                    "ordersCount / totalSpent differ from the orders",
                    bigcommerce=f"{count} orders, {_money(total, currency)}",
                    iterable=f"{user.orders_count} orders, "
                    f"{_money(user.total_spent, user.ltv_currency)}",
                    currency=currency,
                )
            )
    return found


def catalog_discrepancies(
    bigcommerce: BigCommerceData, iterable: IterableData, price_tolerance: Decimal
) -> list[Discrepancy]:
    items = {item.item_id: item for item in iterable.catalog_items or []}
    found = []
    for product in sorted(bigcommerce.products, key=lambda p: p.item_id):
        item = items.get(product.item_id)
        if item is None:
            found.append(
                Discrepancy(
                    "catalog_item_missing",
                    product.item_id,
                    f"product {product.product_id} ({product.name}) is not in the catalog",
                    bigcommerce=_money(product.price),
                )
            )
            continue
        stale = []
        if product.price is not None and (
            item.price is None or abs(item.price - product.price) > price_tolerance
        ):
            stale.append("price")
        if product.name and item.name != product.name:
            stale.append("name")
        if stale:
            found.append(
                Discrepancy(
                    "catalog_item_stale",
                    product.item_id,
                    f"product {product.product_id}: {' and '.join(stale)} differ",
                    bigcommerce=f"{product.name} at {_money(product.price)}",
                    iterable=f"{item.name} at {_money(item.price)}",
                )
            )
    return found


def daily_totals(expected: Iterable[Order], purchases: list[Purchase]) -> list[DailyTotal]:
    bigcommerce: dict[tuple[date, str], list[Decimal]] = defaultdict(list)
    iterable: dict[tuple[date, str], list[Decimal]] = defaultdict(list)
    for order in expected:
        bigcommerce[(order.day, order.currency)].append(order.total)
    for purchase in purchases:
        if purchase.day is not None:
            key = (purchase.day, purchase.currency or "?")
            iterable[key].append(purchase.total or Decimal(0))
    return [
        DailyTotal(
            day,
            currency,
            len(bigcommerce[(day, currency)]),
            sum(bigcommerce[(day, currency)], Decimal(0)),
            len(iterable[(day, currency)]),
            sum(iterable[(day, currency)], Decimal(0)),
        )
        for day, currency in sorted(set(bigcommerce) | set(iterable))
    ]
