"""Orders and refunds, each derived on demand from (seed, order id).

The first orders of every store are the awkward cases (guests without email, a 60-line
order, refunds, archived and incomplete orders, other currencies...), so even a 50-order
store exercises them; later orders draw the same cases at realistic rates.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sandbox.generator.catalog import Catalog
from sandbox.generator.hashing import mix, rng_seed, salt, unit
from sandbox.generator.model import (
    LineItem,
    Order,
    OrderCoupon,
    Product,
    Refund,
    RefundItem,
    Variant,
)
from sandbox.generator.people import CustomerFactory, PeopleFaker, ascii_slug, postal_address
from sandbox.generator.timeline import DST_INSTANTS, ORDERS_START, STORE_NOW, epoch, from_epoch

CENT = Decimal("0.01")
TAX_RATE = Decimal("0.08")
MANY_ITEMS = 60  # more than the 50 line items BigCommerce embeds in consignments

_SPAN = (STORE_NOW - ORDERS_START).total_seconds()
_START_S = epoch(ORDERS_START)
_NOW_S = epoch(STORE_NOW)
_CREATED = salt("order.created")
_MODIFIED = salt("order.modified")
_KIND = salt("order.kind")
_GUEST = salt("order.guest")
_CURRENCY = salt("order.currency")
_CUSTOMER = salt("order.customer")
_TIE_EVERY = 17  # every 17th order is modified in the same second as the one before

# Order id -> the case it always is (when the store has that many orders).
FORCED_CASES = {
    1: "registered",
    2: "guest_empty_email",
    3: "guest_same_email_other_case",
    4: "incomplete",
    5: "archived",
    6: "multi_currency",
    7: "many_items",
    8: "full_refund",
    9: "partial_refund",
    10: "coupon",
    11: "guest_invalid_email",
    12: "multi_shipping",
}

STATUS_NAMES = {
    0: "Incomplete",
    1: "Pending",
    2: "Shipped",
    3: "Partially Shipped",
    4: "Refunded",
    5: "Cancelled",
    6: "Declined",
    7: "Awaiting Payment",
    8: "Awaiting Pickup",
    9: "Awaiting Shipment",
    10: "Completed",
    11: "Awaiting Fulfillment",
    12: "Manual Verification Required",
    13: "Disputed",
    14: "Partially Refunded",
}


@dataclass(frozen=True)
class OrderProfile:
    """What kind of order this is; cheap to compute for a million orders."""

    status_id: int
    archived: bool
    refund: str | None  # "full" | "partial"
    guest: str | None  # None (registered) | "plain" | "empty" | "case" | "invalid"
    currency_code: str
    coupon: bool
    many_items: bool
    shipping_addresses: int


class Pick(NamedTuple):
    """One line of an order or cart before pricing."""

    product: Product
    variant: Variant
    quantity: int


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


class OrderFactory:
    def __init__(
        self,
        seed: int,
        count: int,
        catalog: Catalog,
        customers: CustomerFactory,
        people: PeopleFaker,
    ) -> None:
        self.seed = seed
        self.count = count
        self.catalog = catalog
        self.customers = customers
        self.people = people
        spacing = _SPAN / max(count, 1)
        # Orders whose time slot holds a clock change are placed exactly at it.
        self._dst_epochs = {
            1 + int((instant - ORDERS_START).total_seconds() // spacing): epoch(instant)
            for instant in DST_INSTANTS
        }

    # -- cheap per-order facts (used to index a million orders) --------------------------

    def status(self, order_id: int) -> tuple[int, bool, str | None]:
        """(status_id, archived, refund kind) without building the order."""
        case = FORCED_CASES.get(order_id) if order_id <= self.count else None
        roll = unit(self.seed, order_id, _KIND)
        if case == "incomplete" or (case is None and roll < 0.03):
            return 0, False, None
        if case == "archived" or (case is None and roll < 0.06):
            return (5 if roll < 0.045 else 10), True, None
        if case == "full_refund" or (case is None and roll < 0.10):
            return 4, False, "full"
        if case == "partial_refund" or (case is None and roll < 0.15):
            return 14, False, "partial"
        if case is None and roll < 0.22:
            return (1, 7, 11, 9)[int(roll * 1000) % 4], False, None
        if case is None and roll < 0.35:
            return 2, False, None
        return 10, False, None

    def profile(self, order_id: int) -> OrderProfile:
        case = FORCED_CASES.get(order_id) if order_id <= self.count else None
        roll = unit(self.seed, order_id, _KIND)
        guest_roll = unit(self.seed, order_id, _GUEST)
        currency_roll = unit(self.seed, order_id, _CURRENCY)
        status_id, archived, refund = self.status(order_id)
        guest: str | None = None
        if case == "guest_empty_email":
            guest = "empty"
        elif case == "guest_same_email_other_case":
            guest = "case"
        elif case == "guest_invalid_email":
            guest = "invalid"
        elif case is None and guest_roll < 0.22:
            guest = ("plain", "plain", "plain", "case", "empty", "invalid")[
                int(guest_roll * 1000) % 6
            ]
        currency = "USD"
        if case == "multi_currency":
            currency = "EUR"
        elif case is None and currency_roll < 0.15:
            currency = ("EUR", "GBP", "CAD", "JPY")[int(currency_roll * 1000) % 4]
        return OrderProfile(
            status_id=status_id,
            archived=archived,
            refund=refund,
            guest=guest,
            currency_code=currency,
            coupon=case == "coupon" or (case is None and roll > 0.8),
            many_items=case == "many_items" or (case is None and order_id % 5000 == 0),
            shipping_addresses=2 if case == "multi_shipping" else 1,
        )

    def created_epoch(self, order_id: int) -> int:
        """Unix seconds; cheap enough to index a million orders."""
        if order_id in self._dst_epochs:
            return self._dst_epochs[order_id]
        spacing = _SPAN / max(self.count, 1)
        natural = _START_S + int(
            (order_id - 1) * spacing + unit(self.seed, order_id, _CREATED) * spacing * 0.9
        )
        if order_id % _TIE_EVERY == 0 and order_id > 1:
            return min(natural, self.modified_epoch(order_id - 1))
        return natural

    def modified_epoch(self, order_id: int) -> int:
        created = self.created_epoch(order_id)
        if order_id % _TIE_EVERY == 0 and order_id > 1:
            return max(self.modified_epoch(order_id - 1), created)
        if self.status(order_id)[0] == 0:
            return created
        room = _NOW_S - created - 1
        later = min(room, 3600 + unit(self.seed, order_id, _MODIFIED) * 14 * 86400)
        return created + int(max(later, 0))

    def created(self, order_id: int) -> datetime:
        return from_epoch(self.created_epoch(order_id))

    def modified(self, order_id: int) -> datetime:
        return from_epoch(self.modified_epoch(order_id))

    def customer_id(self, order_id: int) -> int:
        """A customer whose account existed when the order was placed."""
        registered = self.customers.count_created_by(self.created_epoch(order_id))
        return 1 + mix(self.seed, order_id, _CUSTOMER) % max(registered, 1)

    # -- the full order ------------------------------------------------------------------

    def build(self, order_id: int) -> Order:
        return self.compose(
            order_id, self.profile(order_id), self.created(order_id), self.modified(order_id)
        )

    def new_order(
        self,
        order_id: int,
        at: datetime,
        picks: list[Pick] | None = None,
        currency_code: str | None = None,
    ) -> Order:
        """An order placed at `at` (awaiting fulfilment), optionally of a cart's items."""
        base = self.profile(order_id)
        profile = OrderProfile(
            status_id=11,
            archived=False,
            refund=None,
            guest=base.guest,
            currency_code=currency_code or base.currency_code,
            coupon=False,
            many_items=False,
            shipping_addresses=1,
        )
        return self.compose(order_id, profile, at, at, picks=picks)

    def compose(
        self,
        order_id: int,
        profile: OrderProfile,
        created: datetime,
        modified: datetime,
        *,
        picks: list[Pick] | None = None,
    ) -> Order:
        rng = random.Random(rng_seed(self.seed, order_id, "order"))
        currency = self.catalog.currency(profile.currency_code)
        rate = currency.exchange_rate
        customer_id = 0 if profile.guest else self.customer_id(order_id)
        person = (
            self.customers.person(customer_id)
            if customer_id
            else self.people.person(rng_seed(self.seed, order_id, "order.guest"))
        )
        email = self._email(order_id, profile, customer_id, person.first_name)
        billing = postal_address(person, email)
        line_count = MANY_ITEMS if profile.many_items else rng.choice([1, 1, 1, 2, 2, 3, 4, 6])
        if picks is None:
            picks = self.pick(rng, line_count)
        places = Decimal(1).scaleb(-currency.decimal_places) if currency.decimal_places else 1
        lines = self._lines(order_id, picks, rate=rate, places=Decimal(places), profile=profile)
        subtotal_ex = sum((line.total_ex_tax for line in lines), Decimal("0"))
        subtotal_inc = sum((line.total_inc_tax for line in lines), Decimal("0"))
        shipping_ex = Decimal("0") if subtotal_ex > 100 * rate else money(Decimal("9.99") * rate)
        shipping_inc = money(shipping_ex * (1 + TAX_RATE))
        coupons: tuple[OrderCoupon, ...] = ()
        coupon_discount = Decimal("0")
        if profile.coupon:
            coupon_discount = money(subtotal_ex * Decimal("0.10"))
            coupons = (
                OrderCoupon(
                    id=order_id,
                    coupon_id=7,
                    code="SAVE10",
                    amount=Decimal("10"),
                    type=1,
                    discount=coupon_discount,
                ),
            )
        discount = money(Decimal("5") * rate) if rng.random() < 0.1 else Decimal("0")
        total_ex = max(subtotal_ex + shipping_ex - coupon_discount - discount, Decimal("0"))
        total_inc = max(subtotal_inc + shipping_inc - coupon_discount - discount, Decimal("0"))
        refunded = Decimal("0")
        if profile.refund == "full":
            refunded = total_inc
        elif profile.refund == "partial":
            refunded = lines[0].price_inc_tax
        shipping = tuple(
            billing
            if index == 0
            else postal_address(
                self.people.person(rng_seed(self.seed, order_id, "order.ship")), email
            )
            for index in range(profile.shipping_addresses)
        )
        shipped = profile.status_id in {2, 3, 4, 10, 14} and not profile.archived
        return Order(
            id=order_id,
            customer_id=customer_id,
            status_id=profile.status_id,
            date_created=created,
            date_modified=modified,
            date_shipped=modified if shipped else None,
            currency_id=currency.id,
            currency_code=currency.code,
            exchange_rate=rate,
            store_currency_code=self.catalog.profile.currency,
            subtotal_ex_tax=subtotal_ex,
            subtotal_inc_tax=subtotal_inc,
            shipping_ex_tax=shipping_ex,
            shipping_inc_tax=shipping_inc,
            discount_amount=discount,
            coupon_discount=coupon_discount,
            total_ex_tax=total_ex,
            total_inc_tax=total_inc,
            refunded_amount=refunded,
            store_credit_amount=Decimal("0"),
            is_deleted=profile.archived,
            channel_id=2 if order_id % 19 == 0 else 1,
            cart_id="" if profile.status_id == 0 else str(self.cart_uuid(order_id)),
            payment_method="" if profile.status_id == 0 else rng.choice(["Credit Card", "PayPal"]),
            payment_status=self._payment_status(profile),
            is_email_opt_in=rng.random() < 0.4,
            customer_message="Bitte klingeln 🔔" if order_id % 23 == 0 else "",
            staff_notes="",
            order_source="www" if order_id % 19 else "external",
            ip_address=person.ip_address,
            customer_locale=person.locale.split("_")[0],
            billing_address=billing,
            shipping_addresses=shipping,
            line_items=lines,
            coupons=coupons,
        )

    def cart_uuid(self, order_id: int) -> uuid.UUID:
        return uuid.UUID(int=mix(self.seed, order_id, salt("cart")) << 64 | order_id, version=4)

    def _email(self, order_id: int, profile: OrderProfile, customer_id: int, first: str) -> str:
        if profile.guest is None:
            return self.customers.email(customer_id)
        if profile.guest == "empty":
            return ""
        if profile.guest == "case":
            # A registered shopper checking out as guest, typing their email differently.
            known = self.customers.email(self.customer_id(order_id))
            return f"  {known.upper()} " if order_id % 2 else known.swapcase()
        if profile.guest == "invalid":
            return f"{ascii_slug(first)}.at.example.com" if order_id % 2 else "guest@@example"
        return f"{ascii_slug(first)}.guest{order_id}@example.net"

    @staticmethod
    def _payment_status(profile: OrderProfile) -> str:
        if profile.status_id == 0:
            return ""
        if profile.refund == "full":
            return "refunded"
        if profile.refund == "partial":
            return "partially refunded"
        if profile.status_id in {1, 7}:
            return "pending"
        if profile.status_id == 5:
            return "void"
        return "captured"

    def pick(self, rng: random.Random, count: int) -> list[Pick]:
        """`count` catalog variants with quantities."""
        products = self.catalog.products
        picks = []
        for _ in range(count):
            product = products[rng.randrange(len(products))]
            variant = product.variants[rng.randrange(len(product.variants))]
            picks.append(Pick(product, variant, rng.choice([1, 1, 1, 2, 3])))
        return picks

    def _lines(
        self,
        order_id: int,
        picks: list[Pick],
        *,
        rate: Decimal,
        places: Decimal,
        profile: OrderProfile,
    ) -> tuple[LineItem, ...]:
        brands = {brand.id: brand.name for brand in self.catalog.brands}
        lines = []
        for index, (product, variant, quantity) in enumerate(picks):
            unit_ex = (variant.calculated_price * rate).quantize(places, rounding=ROUND_HALF_UP)
            unit_inc = (unit_ex * (1 + TAX_RATE)).quantize(places, rounding=ROUND_HALF_UP)
            refunded_qty = 0
            if profile.refund == "full":
                refunded_qty = quantity
            elif profile.refund == "partial" and index == 0:
                refunded_qty = 1
            name = product.name
            lines.append(
                LineItem(
                    id=order_id * 100 + index + 1,
                    order_id=order_id,
                    product_id=product.id,
                    variant_id=variant.id,
                    name=name,
                    sku=variant.sku,
                    brand=brands.get(product.brand_id, ""),
                    quantity=quantity,
                    base_price=unit_ex,
                    price_ex_tax=unit_ex,
                    price_inc_tax=unit_inc,
                    total_ex_tax=unit_ex * quantity,
                    total_inc_tax=unit_inc * quantity,
                    quantity_refunded=refunded_qty,
                    refund_amount=unit_inc * refunded_qty,
                    option_label=variant.option_label,
                    option_value=variant.option_value,
                    option_value_id=variant.option_value_id,
                    applied_discount=Decimal("0"),
                    weight=product.weight,
                )
            )
        return tuple(lines)

    def refund(self, refund_id: int, order: Order, created: datetime) -> Refund:
        """The refund an order's profile implies (one per refunded order)."""
        if order.refunded_amount == order.total_inc_tax:
            items = (RefundItem("ORDER", order.id, None, order.total_inc_tax, "Order cancelled"),)
            reason = "Customer cancelled the order"
        else:
            first = order.line_items[0]
            items = (RefundItem("PRODUCT", first.id, 1, None, "Damaged in transit"),)
            reason = "Damaged item"
        tax = money(order.refunded_amount - order.refunded_amount / (1 + TAX_RATE))
        return Refund(
            id=refund_id,
            order_id=order.id,
            created=created,
            reason=reason,
            total_amount=order.refunded_amount,
            total_tax=tax,
            uses_merchant_override_values=False,
            items=items,
            payment_provider="storecredit" if order.id % 2 else "braintree",
            payment_amount=order.refunded_amount,
            payment_offline=False,
        )
