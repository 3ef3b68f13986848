"""An order's coupon codes, read from its line items; when `/orders/{id}/coupons` is still needed.

The v2 order list embeds the order products (`include=consignments.line_items`: "the response
returned from the request to the `/orders/{order_id}/products` endpoint", orders.v2.oas2.yml
lines 1449-1450), and each order product lists the discounts applied to it: `applied_discounts[]`
with `amount` and `code` ("Coupon Code. There is no code when creating a manual discount.",
orders.v2.oas2.yml `#/components/schemas/orderProductAppliedDiscounts`, lines 3593-3627). So the
codes of coupons that discounted products need no request of their own.

The sources leave two things open, so both are handled:
- whether every coupon shows on the lines: a coupon that discounts only shipping lowers no
  line's price, and the spec does not say BigCommerce lists it there. When the lines' coded
  discounts do not add up to the order's `coupon_discount`, the coupons endpoint is asked.
- whether a code is null or an empty string when there is none (both are spec-valid): both
  count as no code.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from tap_bigcommerce.values import ValueFormatError, to_decimal

# Line amounts are rounded per line; a difference up to this much per coded line is rounding,
# not an unseen coupon. (A larger one costs one request, never a lost code.)
ROUNDING_PER_LINE = Decimal("0.01")


def _amount(value: Any) -> Decimal | None:
    try:
        return to_decimal(value)
    except ValueFormatError:
        return None  # the normaliser names the bad field; here it only means "not accounted"


def _coded_discounts(line_items: Iterable[Any]) -> Iterable[tuple[str, Any]]:
    for item in line_items:
        if not isinstance(item, dict):
            continue
        for discount in item.get("applied_discounts") or []:
            if isinstance(discount, dict) and isinstance(discount.get("code"), str):
                code = discount["code"].strip()
                if code:
                    yield code, discount.get("amount")


def coupon_codes(line_items: Iterable[Any], coupons: Iterable[Any] = ()) -> list[str]:
    """Distinct codes, first seen first: the lines' coupons, then any the endpoint returned."""
    items = list(line_items)
    codes = [code for code, _ in _coded_discounts(items)]
    codes += [
        coupon["code"].strip()
        for coupon in coupons
        if isinstance(coupon, dict) and isinstance(coupon.get("code"), str)
    ]
    return list(dict.fromkeys(code for code in codes if code))


def lines_account_for_coupons(order: dict[str, Any], line_items: Iterable[Any]) -> bool:
    """True when the lines' coded discounts cover the order's `coupon_discount`."""
    expected = _amount(order.get("coupon_discount")) or Decimal(0)
    if expected <= 0:
        return True
    coded = list(_coded_discounts(line_items))
    amounts = [_amount(amount) for _, amount in coded]
    if not coded or any(amount is None for amount in amounts):
        return False
    found = sum((amount for amount in amounts if amount is not None), Decimal(0))
    return expected - found <= ROUNDING_PER_LINE * len(coded)
