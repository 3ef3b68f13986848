"""Which coupon codes an order used, and when the lines leave `/orders/{id}/coupons` to ask."""

from __future__ import annotations

from typing import Any

import pytest

from tap_bigcommerce.streams.coupons import coupon_codes, lines_account_for_coupons


def _line(*discounts: tuple[str, Any]) -> dict[str, Any]:
    return {
        "id": 1,
        "applied_discounts": [
            {"id": f"d{n}", "amount": amount, "code": code, "target": "order"}
            for n, (amount, code) in enumerate(discounts)
        ],
    }


@pytest.mark.parametrize(
    ("coupon_discount", "lines", "accounted"),
    [
        ("0.0000", [], True),  # no coupon
        ("", [], True),  # blank is no coupon
        ("5.0000", [_line(("3.0000", "SAVE"), ("1.0000", None)), _line(("2.0000", "SAVE"))], True),
        ("4.9900", [_line(("2.5000", "SAVE")), _line(("2.4800", "SAVE"))], True),  # rounding
        ("9.9900", [], False),  # lines without discounts: ask
        ("9.9900", [_line(("9.9900", None))], False),  # discounted, but no code: ask
        ("9.9900", [_line(("9.9900", ""))], False),  # an empty code is no code either
        ("14.9900", [_line(("5.0000", "SAVE"))], False),  # a shipping coupon on top: ask
        ("5.0000", [_line(("five", "SAVE"))], False),  # unreadable amount: ask, don't crash
        ("0.0000", [_line(("2.0000", "PROMO"))], True),  # a code outside coupon_discount
    ],
)
def test_lines_account_for_coupon_discount(
    coupon_discount: str, lines: list[dict[str, Any]], accounted: bool
) -> None:
    assert lines_account_for_coupons({"coupon_discount": coupon_discount}, lines) is accounted


def test_codes_are_distinct_trimmed_and_null_or_empty_is_none() -> None:
    lines = [_line(("1", "SAVE10"), ("1", None)), _line(("1", " SAVE10 "), ("1", ""))]
    coupons = [{"code": "SHIP5"}, {"code": None}, {"code": "SAVE10"}]
    assert coupon_codes(lines, coupons) == ["SAVE10", "SHIP5"]
    assert coupon_codes([{"applied_discounts": None}, "not a line"]) == []
