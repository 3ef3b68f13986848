"""Orders and refunds, each derived on demand from (seed, order id).

The first orders of every store are the awkward cases (guests without email, a 60-line
order, refunds, archived and incomplete orders, other currencies...), so even a 50-order
store exercises them; later orders draw the same cases at realistic rates.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import NamedTuple

from sandbox.generator.catalog import Catalog
from sandbox.generator.discounts import (
    CouponOffer,
    applied,
    draw_offers,
    line_amounts,
    manual,
    order_coupon,
    shipping_amount,
    spread,
)
from sandbox.generator.hashing import mix, rng_seed, salt, unit
from sandbox.generator.model import (
    AppliedDiscount,
    LineItem,
    Order,
    OrderCoupon,
    Product,
    Refund,
    RefundItem,
    Variant,
)
from sandbox.generator.people import CustomerFactory, PeopleFaker, ascii_slug, postal_address
from sandbox.generator.shopper_input import LONG_MESSAGE, checkout_form_fields, line_options
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
_COUPON = salt("order.coupon")
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
    13: "shipping_coupon",  # a coupon no line carries: only `coupon_discount` shows it
    14: "digital",
    15: "gift_certificate",
}
# Partial refunds refund one part of the order (orders.v3.yml GET
# /orders/payment_actions/refunds 200 `data[].items[].item_type` enum).
_PARTIAL_REFUND_PARTS = ("PRODUCT", "PRODUCT", "SHIPPING", "HANDLING", "GIFT_WRAPPING", "FEE")
_EXTRAS = salt("order.extras")

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
    case: str | None = None  # the forced case, if any


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
            coupon=case in {"coupon", "shipping_coupon"} or (case is None and roll > 0.8),
            many_items=case == "many_items" or (case is None and order_id % 5000 == 0),
            shipping_addresses=self._shipping_address_count(order_id, case),
            case=case,
        )

    def _shipping_address_count(self, order_id: int, case: str | None) -> int:
        """Most orders ship to one address; about 3% split over two or three (consignments)."""
        if case == "multi_shipping":
            return 2
        roll = unit(self.seed, order_id, _EXTRAS)
        if case is None and roll < 0.03:
            return 2 + int(roll * 1000) % 2
        return 1

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
        # New shapes draw from their own stream, so the older draws stay as they were.
        extras = random.Random(rng_seed(self.seed, order_id, "order.extras"))
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
            picks = self._picks(rng, line_count, profile.case)
        places = Decimal(1).scaleb(-currency.decimal_places) if currency.decimal_places else 1
        places = Decimal(places)
        lines = self._lines(order_id, picks, rate=rate, places=places, profile=profile, rng=extras)
        if profile.case == "gift_certificate" or (picks and extras.random() < 0.02):
            lines = (*lines, self._gift_certificate(order_id, len(lines), rate, places))
        refund_part = self._refund_part(order_id, profile)
        if refund_part == "GIFT_WRAPPING" or (refund_part is None and extras.random() < 0.03):
            lines = (replace(lines[0], wrapping_cost=money(Decimal("3.00") * rate)), *lines[1:])
        ships = any(line.type == "physical" for line in lines)
        offers = (
            draw_offers(
                unit(self.seed, order_id, _COUPON),
                ships=ships,
                case=profile.case,
            )
            if profile.coupon
            else ()
        )
        subtotal_ex = sum((line.total_ex_tax for line in lines), Decimal("0"))
        subtotal_inc = sum((line.total_inc_tax for line in lines), Decimal("0"))
        free_over = subtotal_ex > 100 * rate
        # Shipping coupons and shipping refunds only happen where shipping was charged.
        charged = ships and (
            not free_over
            or refund_part == "SHIPPING"
            or any(offer.discounts_shipping for offer in offers)
        )
        shipping_ex = money(Decimal("9.99") * rate) if charged else Decimal("0")
        shipping_inc = money(shipping_ex * (1 + TAX_RATE))
        handling = Decimal("0")
        if refund_part == "HANDLING" or (ships and refund_part is None and extras.random() < 0.04):
            handling = money(Decimal("4.00") * rate)
        fee = money(Decimal("2.50") * rate) if refund_part == "FEE" else Decimal("0")
        discount = money(Decimal("5") * rate) if rng.random() < 0.1 else Decimal("0")
        lines, coupons, coupon_discount = self._apply_discounts(
            order_id, lines, offers, discount, shipping_ex, rate=rate, places=places
        )
        extra_costs = handling + fee + sum((line.wrapping_cost for line in lines), Decimal(0))
        total_ex = max(
            subtotal_ex + shipping_ex + extra_costs - coupon_discount - discount, Decimal("0")
        )
        total_inc = max(
            subtotal_inc + shipping_inc + extra_costs - coupon_discount - discount, Decimal("0")
        )
        refunded = Decimal("0")
        if profile.refund == "full":
            refunded = total_inc
        elif profile.refund == "partial":
            refunded = self._partial_refund_amount(refund_part, lines, shipping_inc, handling, fee)
        address_count = profile.shipping_addresses if ships else 0
        shipping = tuple(
            billing
            if index == 0
            else postal_address(
                self.people.person(rng_seed(self.seed, order_id * 4 + index, "order.ship")),
                email,
            )
            for index in range(address_count)
        )
        shipped = profile.status_id in {2, 3, 4, 10, 14} and not profile.archived
        gift_paid, credit_paid = self._paid_otherwise(
            extras, profile, registered=bool(customer_id), total=total_inc, rate=rate
        )
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
            store_credit_amount=credit_paid,
            is_deleted=profile.archived,
            channel_id=2 if order_id % 19 == 0 else 1,
            cart_id="" if profile.status_id == 0 else str(self.cart_uuid(order_id)),
            payment_method="" if profile.status_id == 0 else rng.choice(["Credit Card", "PayPal"]),
            payment_status=self._payment_status(profile, order_id),
            is_email_opt_in=rng.random() < 0.4,
            customer_message=self._customer_message(order_id),
            staff_notes="",
            order_source="www" if order_id % 19 else "external",
            ip_address=person.ip_address,
            customer_locale=person.locale.split("_")[0],
            billing_address=billing,
            shipping_addresses=shipping,
            line_items=lines,
            coupons=coupons,
            gift_certificate_amount=gift_paid,
            handling_cost=handling,
            fee_cost=fee,
            payment_provider_id=self._payment_provider_id(order_id, profile),
            billing_form_fields=(checkout_form_fields(extras) if extras.random() < 0.08 else ()),
            shipping_form_fields=(
                checkout_form_fields(extras) if ships and extras.random() < 0.05 else ()
            ),
        )

    @staticmethod
    def _paid_otherwise(
        rng: random.Random,
        profile: OrderProfile,
        *,
        registered: bool,
        total: Decimal,
        rate: Decimal,
    ) -> tuple[Decimal, Decimal]:
        """(gift certificate amount, store credit amount): parts of the total paid without a
        card (v2 order `gift_certificate_amount`, `store_credit_amount`)."""
        if profile.status_id == 0:
            return Decimal("0"), Decimal("0")
        gift = min(total, money(Decimal("25") * rate)) if rng.random() < 0.03 else Decimal("0")
        credit = Decimal("0")
        if registered and rng.random() < 0.04:
            credit = min(total - gift, money(Decimal("10") * rate))
        return gift, credit

    def _picks(self, rng: random.Random, count: int, case: str | None) -> list[Pick]:
        picks = self.pick(rng, count)
        if case == "digital":
            digital = [p for p in self.catalog.products if p.type == "digital"]
            if digital:
                product = digital[0]
                return [Pick(product, product.variants[0], 1)]
        return picks

    def _refund_part(self, order_id: int, profile: OrderProfile) -> str | None:
        if profile.refund != "partial":
            return None
        return _PARTIAL_REFUND_PARTS[order_id % len(_PARTIAL_REFUND_PARTS)]

    @staticmethod
    def _partial_refund_amount(
        part: str | None,
        lines: tuple[LineItem, ...],
        shipping_inc: Decimal,
        handling: Decimal,
        fee: Decimal,
    ) -> Decimal:
        if part == "SHIPPING" and shipping_inc:
            return shipping_inc
        if part == "HANDLING" and handling:
            return handling
        if part == "GIFT_WRAPPING" and lines[0].wrapping_cost:
            return lines[0].wrapping_cost
        if part == "FEE" and fee:
            return fee
        return lines[0].price_inc_tax

    def _apply_discounts(
        self,
        order_id: int,
        lines: tuple[LineItem, ...],
        offers: tuple[CouponOffer, ...],
        discount: Decimal,
        shipping_ex: Decimal,
        *,
        rate: Decimal,
        places: Decimal,
    ) -> tuple[tuple[LineItem, ...], tuple[OrderCoupon, ...], Decimal]:
        """Lines with their applied discounts, the order's coupons and its `coupon_discount`."""
        per_line: list[list[AppliedDiscount]] = [[] for _ in lines]
        coupons = []
        totals = [line.total_ex_tax for line in lines]
        quantities = [line.quantity for line in lines]
        for index, offer in enumerate(offers, start=1):
            if offer.discounts_shipping:
                amount = shipping_amount(offer, shipping_ex, rate=rate)
            else:
                shares = line_amounts(offer, totals, quantities, rate=rate, places=places)
                for share, mine in zip(shares, per_line, strict=True):
                    if share:
                        mine.append(applied(offer, share))
                amount = sum(shares, Decimal(0))
            coupons.append(order_coupon(order_id, index, offer, amount))
        if discount:
            for share, mine in zip(spread(discount, totals, places), per_line, strict=True):
                if share:
                    mine.append(manual(share, order_id))
        discounted = tuple(
            replace(line, applied_discounts=tuple(mine))
            for line, mine in zip(lines, per_line, strict=True)
        )
        return discounted, tuple(coupons), sum((c.discount for c in coupons), Decimal(0))

    def _gift_certificate(
        self, order_id: int, index: int, rate: Decimal, places: Decimal
    ) -> LineItem:
        """A gift certificate bought with the order: no product, no variant, no tax
        (orders.v2.oas2.yml orderProducts `type` giftcertificate, `gift_certificate_id`)."""
        value = (Decimal("25") * rate).quantize(places, rounding=ROUND_HALF_UP)
        return LineItem(
            id=order_id * 100 + index + 1,
            order_id=order_id,
            product_id=0,
            variant_id=0,
            name=f"{value} Gift Certificate",
            sku="",
            brand="",
            quantity=1,
            base_price=value,
            price_ex_tax=value,
            price_inc_tax=value,
            total_ex_tax=value,
            total_inc_tax=value,
            quantity_refunded=0,
            refund_amount=Decimal("0"),
            weight=Decimal("0"),
            type="giftcertificate",
            gift_certificate_id=order_id * 10 + 1,
        )

    @staticmethod
    def _customer_message(order_id: int) -> str:
        if order_id % 97 == 41:
            return LONG_MESSAGE
        return "Bitte klingeln 🔔" if order_id % 23 == 0 else ""

    @staticmethod
    def _payment_provider_id(order_id: int, profile: OrderProfile) -> str | int:
        """The gateway's transaction id: text for most gateways, a number for some
        (orders.v2.oas2.yml GET /orders 200 `[].payment_provider_id` oneOf string | number);
        empty when unpaid."""
        if profile.status_id == 0:
            return ""
        if order_id % 5 == 0:
            return 80_000_000 + order_id
        return f"ch_{order_id:08d}"

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
    def _payment_status(profile: OrderProfile, order_id: int) -> str:
        """Every value of orders.v2.oas2.yml GET /orders 200 `[].payment_status` enum, each
        with an order status it goes with."""
        if profile.status_id == 0:
            return ""
        if profile.refund == "full":
            return "refunded"
        if profile.refund == "partial":
            return "partially refunded"
        if profile.status_id == 1:
            return "pending"
        if profile.status_id == 7:  # Awaiting Payment: not paid yet, or the card was declined
            return ("pending", "declined")[order_id % 2]
        if profile.status_id in {9, 11}:  # awaiting shipment or fulfilment: paid or authorised
            return ("authorized", "capture pending", "held for review", "authorized")[order_id % 4]
        if profile.status_id == 5:
            return ("void", "void pending")[order_id % 2]
        return "paid" if order_id % 7 == 0 else "captured"

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
        rng: random.Random,
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
            line_id = order_id * 100 + index + 1
            lines.append(
                LineItem(
                    id=line_id,
                    order_id=order_id,
                    product_id=product.id,
                    variant_id=variant.id,
                    name=product.name,
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
                    weight=Decimal("0") if product.type == "digital" else product.weight,
                    type=product.type,
                    options=line_options(rng, line_id, product, variant),
                )
            )
        return tuple(lines)

    def refund(self, refund_id: int, order: Order, created: datetime) -> Refund:
        """The refund an order's profile implies (one per refunded order)."""
        amount = order.refunded_amount
        tax = money(amount - amount / (1 + TAX_RATE))
        first = order.line_items[0]
        part = _PARTIAL_REFUND_PARTS[order.id % len(_PARTIAL_REFUND_PARTS)]
        if amount == order.total_inc_tax:
            items = (RefundItem("ORDER", order.id, None, amount, "Order cancelled"),)
            reason = "Customer cancelled the order"
        elif part == "SHIPPING" and amount == order.shipping_inc_tax:
            # item_id: "order_address.id corresponding to the item_types of SHIPPING, HANDLING"
            items = (RefundItem("SHIPPING", order.id * 10 + 1, None, amount, "Late delivery"),)
            reason = "Shipping refunded"
        elif part == "HANDLING" and amount == order.handling_cost:
            items = (RefundItem("HANDLING", order.id * 10 + 1, None, amount, "Handling waived"),)
            reason, tax = "Handling refunded", Decimal("0")
        elif part == "GIFT_WRAPPING" and amount == first.wrapping_cost:
            items = (RefundItem("GIFT_WRAPPING", first.id, None, None, "Wrapping torn"),)
            reason, tax = "Gift wrapping refunded", Decimal("0")
        elif part == "FEE" and amount == order.fee_cost:
            items = (RefundItem("FEE", order.id, None, amount, "Surcharge waived"),)
            reason, tax = "Fee refunded", Decimal("0")
        else:
            items = (RefundItem("PRODUCT", first.id, 1, None, "Damaged in transit"),)
            reason = "Damaged item"
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
