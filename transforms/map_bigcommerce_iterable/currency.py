"""Currency facts of a store and conversion of order amounts with the order's own exchange rate.

BigCommerce order amounts are in the transactional currency (`default_currency_code`);
`store_default_to_transactional_exchange_rate` converts the store's default currency into it.
A reporting currency other than the store default goes through the store's `currencies` rates
(amount of that currency per one unit of the default currency).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal


@dataclass(frozen=True)
class StoreFacts:
    """What every user, event and purchase carries about its store."""

    store_hash: str
    currency: str | None
    locale: str | None
    base_url: str | None
    country_code: str | None = None  # ISO 3166-1 alpha-2: the last region to read phones in
    time_zone: str | None = None  # IANA name, e.g. America/Chicago


def conversion_factor(
    *,
    order_currency: str,
    store_currency: str,
    store_to_order_rate: Decimal | None,
    target_currency: str,
    store_rate: Callable[[str], Decimal | None],
) -> Decimal | None:
    """Multiply an order amount by this to get it in `target_currency`; None if not derivable."""
    if target_currency == order_currency:
        return Decimal(1)
    if order_currency == store_currency:
        to_store = Decimal(1)
    elif store_to_order_rate:
        to_store = 1 / store_to_order_rate
    else:
        rate = store_rate(order_currency)
        if not rate:
            return None
        to_store = 1 / rate
    if target_currency == store_currency:
        return to_store
    target_rate = store_rate(target_currency)
    return to_store * target_rate if target_rate else None
