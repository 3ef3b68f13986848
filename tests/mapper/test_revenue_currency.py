"""A multi-currency store's revenue in Iterable adds up to the cent, in one currency.

BigCommerce orders (v2 spec): amounts are in the transactional currency (`default_currency_code`);
`store_default_to_transactional_exchange_rate` is the order's own rate from the store's default
currency. Iterable's purchase `total` has no currency (Swagger `TrackPurchaseRequest.total`), so the
mapper sends every total in one revenue currency. Mapper and target run in this process against the
emulator; the assertions read what Iterable holds.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sandbox.iterable.testing import RunningIterable, running_iterable

from . import records as r
from .helpers import load_into_iterable, run_in_process

EMAIL = "eve@example.com"
# (order id, currency, total in it, the order's rate from USD, the total in USD rounded once)
ORDERS = [
    (1, "EUR", "10.01", "0.92", Decimal("10.88")),  # 10.8804...
    (2, "GBP", "5.55", "0.79", Decimal("7.03")),  # 7.0253...
    (3, "JPY", "1234", "150", Decimal("8.23")),  # 8.2266...
    (4, "USD", "20.00", None, Decimal("20.00")),
]


def _orders() -> list[tuple[str, dict[str, Any]]]:
    return [
        (
            "orders",
            r.order(
                order_id,
                email=EMAIL,
                total=total,
                currency_code=currency,
                store_default_currency_code="USD" if rate else None,
                rate=rate,
            ),
        )
        for order_id, currency, total, rate, _ in ORDERS
    ]


@pytest.mark.parametrize("reporting_currency", [None, "USD"])
def test_purchases_and_lifetime_value_add_up_to_the_cent(
    tmp_path: Path, reporting_currency: str | None
) -> None:
    mapper_config: dict[str, Any] = {"database_url": f"sqlite:///{tmp_path / 'mapper.sqlite'}"}
    if reporting_currency:
        mapper_config["reporting_currency"] = reporting_currency
    mapped = run_in_process(
        r.messages(("store_settings", r.store_settings(currency="USD")), *_orders()),
        mapper_config,
    )
    with running_iterable() as iterable:
        assert load_into_iterable(mapped, iterable.api_url, iterable.api_key, tmp_path) == []
        _assert_revenue_adds_up(iterable)


def _assert_revenue_adds_up(iterable: RunningIterable) -> None:
    purchases = {p["id"]: p for p in iterable.emulator.purchases()}
    assert len(purchases) == len(ORDERS)
    expected = Decimal(0)
    for order_id, currency, total, _, in_usd in ORDERS:
        purchase = purchases[f"store1-{order_id}"]
        assert Decimal(str(purchase["total"])) == in_usd
        assert Decimal(str(purchase["items"][0]["price"])) == in_usd
        # The order's own currency and amount stay in dataFields.
        assert purchase["dataFields"]["currencyCode"] == currency
        assert Decimal(str(purchase["dataFields"]["totalIncTax"])) == Decimal(total)
        assert purchase["dataFields"]["revenueCurrency"] == "USD"
        expected += in_usd
    (user,) = iterable.emulator.users()
    assert user["dataFields"]["ltvCurrency"] == "USD"
    assert Decimal(str(user["dataFields"]["totalSpent"])) == expected == Decimal("46.14")
    assert sum(Decimal(str(p["total"])) for p in purchases.values()) == expected
