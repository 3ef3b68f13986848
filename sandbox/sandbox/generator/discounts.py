"""Coupons and discounts of an order, spread over its lines the way BigCommerce reports them.

orders.v2.oas2.yml `#/components/schemas/orderProductAppliedDiscounts`: every order line lists
the discounts applied to it (`id`, `amount`, `name`, `code`, `target` order|product); an
order-level discount "is distributed across products in proportion to the products price".
A coupon that discounts shipping (`GET /orders/{order_id}/coupons` `type` 3 shipping_discount,
4 free_shipping) lowers the shipping cost, so no line carries it: only the order's
`coupon_discount` and the coupons endpoint show it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal

from sandbox.generator.model import AppliedDiscount, OrderCoupon

# `GET /orders/{order_id}/coupons` `type` enum (orderCoupons_Base): 0 per_item_discount,
# 1 percentage_discount, 2 per_total_discount, 3 shipping_discount, 4 free_shipping, 5 promotions.
PER_ITEM, PERCENTAGE, PER_TOTAL, SHIPPING, FREE_SHIPPING, PROMOTION = range(6)


@dataclass(frozen=True)
class CouponOffer:
    """A coupon as the merchant defined it: `amount` is 10 for 10% or $10 alike (the spec's
    `amount`: "Dollar and percentage discounts will return the same")."""

    coupon_id: int
    code: str
    type: int
    amount: Decimal
    name: str

    @property
    def discounts_shipping(self) -> bool:
        return self.type in {SHIPPING, FREE_SHIPPING}


SAVE10 = CouponOffer(7, "SAVE10", PERCENTAGE, Decimal(10), "10% off")
LINE_OFFERS = (
    SAVE10,
    SAVE10,
    SAVE10,
    CouponOffer(8, "FIVEOFF", PER_TOTAL, Decimal(5), "$5 off your order"),
    CouponOffer(8, "FIVEOFF", PER_TOTAL, Decimal(5), "$5 off your order"),
    CouponOffer(9, "TEE2", PER_ITEM, Decimal(2), "$2 off each item"),
    CouponOffer(10, "SPRING15", PROMOTION, Decimal(15), "Spring sale: 15% off"),
    CouponOffer(11, "welcome-20", PERCENTAGE, Decimal(20), "Bienvenue ! -20 %"),
)
SHIP5 = CouponOffer(12, "SHIP5", SHIPPING, Decimal(5), "$5 off shipping")
FREESHIP = CouponOffer(13, "FREESHIP", FREE_SHIPPING, Decimal(0), "Free shipping")
SHIPPING_OFFERS = (SHIP5, FREESHIP)


def draw_offers(roll: float, *, ships: bool, case: str | None) -> tuple[CouponOffer, ...]:
    """The coupons an order that used one applied: mostly one line coupon; a shipping coupon
    alone (physical orders only), or a line coupon and a shipping coupon together. The forced
    cases (`orders.FORCED_CASES`) always get the same one."""
    if case == "shipping_coupon":
        return (SHIP5,)
    if case == "coupon":
        return (SAVE10,)
    line = LINE_OFFERS[int(roll * 10_000) % len(LINE_OFFERS)]
    if not ships or roll < 0.85:
        return (line,)
    shipping = SHIPPING_OFFERS[int(roll * 100_000) % 2]
    return (shipping,) if roll < 0.93 else (line, shipping)


def spread(total: Decimal, weights: Sequence[Decimal], places: Decimal) -> list[Decimal]:
    """`total` split in proportion to `weights`, rounded down to `places`; the last share takes
    the remainder, so the shares add up to `total` exactly."""
    whole = sum(weights, Decimal(0))
    if not weights or whole <= 0:
        return [Decimal(0) for _ in weights]
    shares = [(total * w / whole).quantize(places, rounding=ROUND_DOWN) for w in weights[:-1]]
    return [*shares, total - sum(shares, Decimal(0))]


def line_amounts(
    offer: CouponOffer,
    totals: Sequence[Decimal],
    quantities: Sequence[int],
    *,
    rate: Decimal,
    places: Decimal,
) -> list[Decimal]:
    """What a line coupon takes off each line (ex tax, order currency)."""
    if offer.type in {PERCENTAGE, PROMOTION}:
        return [
            (total * offer.amount / 100).quantize(places, rounding=ROUND_HALF_UP)
            for total in totals
        ]
    if offer.type == PER_ITEM:
        each = (offer.amount * rate).quantize(places, rounding=ROUND_HALF_UP)
        return [min(each * qty, total) for total, qty in zip(totals, quantities, strict=True)]
    subtotal = sum(totals, Decimal(0))
    off = min((offer.amount * rate).quantize(places, rounding=ROUND_HALF_UP), subtotal)
    return spread(off, totals, places)


def shipping_amount(offer: CouponOffer, shipping_ex: Decimal, *, rate: Decimal) -> Decimal:
    if offer.type == FREE_SHIPPING:
        return shipping_ex
    return min((offer.amount * rate).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP), shipping_ex)


def applied(offer: CouponOffer, amount: Decimal) -> AppliedDiscount:
    """A coupon as a line shows it: per-item coupons target the product, the rest the order."""
    return AppliedDiscount(
        id=f"coupon-{offer.coupon_id}",
        amount=amount,
        name=offer.name,
        code=offer.code,
        target="product" if offer.type == PER_ITEM else "order",
    )


def manual(amount: Decimal, order_id: int) -> AppliedDiscount:
    """A discount without a coupon code: a manual one (the spec's example: id `manual-discount`,
    name `Manual Discount`, `code: null`) or an automatic promotion, some of which send an empty
    code rather than null (both are spec-valid; a reader must treat them alike)."""
    if order_id % 2:
        return AppliedDiscount("manual-discount", amount, "Manual Discount", None, "order")
    return AppliedDiscount("promotion-4", amount, "Spend $50, save $5", "", "order")


def order_coupon(order_id: int, index: int, offer: CouponOffer, discount: Decimal) -> OrderCoupon:
    return OrderCoupon(
        id=order_id * 10 + index,
        coupon_id=offer.coupon_id,
        code=offer.code,
        amount=offer.amount,
        type=offer.type,
        discount=discount,
    )
