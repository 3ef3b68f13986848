"""Lifetime value from the order ledger: correct across incremental runs, re-runs and backfills.

The ledger holds one row per (store, order id), upserted whenever the order is seen, so a re-sent
order replaces itself instead of counting twice. Refunds (the larger of the order's own
`refunded_amount` and the sum of refund records seen for it) reduce the order's net amount.
"""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

from map_bigcommerce_iterable.normalise import iterable_date, round_money
from map_bigcommerce_iterable.store import EmbeddedStore

logger = logging.getLogger(__name__)


def lifetime_value(store: EmbeddedStore, person_id: int) -> dict[str, Any]:
    rows = [(store_hash, row) for store_hash, row in store.ledger_rows(person_id) if row.qualifies]
    convertible = [(s, r) for s, r in rows if r.ltv_factor is not None and r.ltv_currency]
    if len(convertible) < len(rows):
        logger.warning(
            "Person %s: %d order(s) left out of lifetime value (no exchange rate to the "
            "lifetime value currency)",
            person_id,
            len(rows) - len(convertible),
        )
    currencies = {row.ltv_currency for _, row in convertible}
    if len(currencies) > 1:
        # Unified identity over stores with different currencies and no reporting_currency:
        # only like can be added to like, so keep the currency of the latest order.
        latest = max(convertible, key=lambda pair: pair[1].date_created or "")[1].ltv_currency
        logger.warning(
            "Person %s has orders in %s; lifetime value counts only %s (set reporting_currency)",
            person_id,
            sorted(c for c in currencies if c),
            latest,
        )
        convertible = [(s, r) for s, r in convertible if r.ltv_currency == latest]
    if not convertible:
        return {"ordersCount": 0, "totalSpent": 0.0, "averageOrderValue": 0.0}
    currency = convertible[0][1].ltv_currency
    total = Decimal(0)
    for store_hash, row in convertible:
        refunded = max(row.refunded, store.refunded_total(store_hash, row.order_id))
        net = max(row.total - refunded, Decimal(0))
        # Rounded per order, as each purchase's `total` is: the sum of a person's purchases in
        # Iterable and their lifetime value then agree to the cent.
        total += round_money(net * (row.ltv_factor or Decimal(1)), currency)
    count = len(convertible)
    dates = sorted(row.date_created for _, row in convertible if row.date_created)
    return {
        "ordersCount": count,
        "totalSpent": float(round_money(total, currency)),
        "averageOrderValue": float(round_money(total / count, currency)),
        "firstOrderDate": iterable_date(dates[0], "firstOrderDate") if dates else None,
        "lastOrderDate": iterable_date(dates[-1], "lastOrderDate") if dates else None,
        "ltvCurrency": currency,
    }
