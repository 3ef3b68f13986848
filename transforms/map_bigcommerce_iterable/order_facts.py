"""The normalised facts of one order, shared by its ledger row, purchase and events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from map_bigcommerce_iterable.context import MapperContext
from map_bigcommerce_iterable.currency import StoreFacts, conversion_factor
from map_bigcommerce_iterable.normalise import (
    NormalisationError,
    boolean,
    integer,
    money,
    parse_timestamp,
    round_money,
    text,
    to_decimal,
)
from map_bigcommerce_iterable.settings import MapperSettings


@dataclass(frozen=True)
class OrderFacts:
    """The normalised facts of one order that several outputs share."""

    store_hash: str
    order_id: int
    status_id: int | None
    qualifies: bool
    currency: str
    total: Decimal
    refunded: Decimal
    ltv_currency: str
    ltv_factor: Decimal | None
    created: datetime | None
    modified: datetime | None
    locale: str | None

    @classmethod
    def read(
        cls, ctx: MapperContext, store_hash: str, order_id: int, record: dict[str, Any]
    ) -> OrderFacts:
        return cls.from_record(
            record,
            order_id,
            store=ctx.store_facts(store_hash),
            store_rate=ctx.currency_rate(store_hash),
            settings=ctx.settings,
        )

    @classmethod
    def from_record(
        cls,
        record: dict[str, Any],
        order_id: int,
        *,
        store: StoreFacts,
        store_rate: Callable[[str], Decimal | None],
        settings: MapperSettings,
    ) -> OrderFacts:
        """The mapper's order rules without its store, so the reconciler applies the same ones."""
        status_id = integer(record.get("status_id"), "orders.status_id")
        archived = bool(boolean(record.get("is_archived"), "orders.is_archived")) or bool(
            boolean(record.get("is_deleted"), "orders.is_deleted")
        )
        currency = (
            text(record.get("default_currency_code"))
            or text(record.get("currency_code"))
            or store.currency
        )
        if not currency:
            msg = f"orders record {order_id}: no currency (default_currency_code/currency_code)"
            raise NormalisationError(msg, "orders.currency_code")
        currency = currency.upper()
        store_currency = (
            text(record.get("store_default_currency_code")) or store.currency or currency
        ).upper()
        total = to_decimal(record.get("total_inc_tax"), "orders.total_inc_tax")
        if total is None:
            msg = f"orders record {order_id}: missing field total_inc_tax"
            raise NormalisationError(msg, "orders.total_inc_tax")

        def factor(target: str) -> Decimal | None:
            return conversion_factor(
                order_currency=currency,
                store_currency=store_currency,
                store_to_order_rate=to_decimal(
                    record.get("store_default_to_transactional_exchange_rate"),
                    "orders.store_default_to_transactional_exchange_rate",
                ),
                target_currency=target,
                store_rate=store_rate,
            )

        ltv_currency = settings.reporting_currency or store_currency
        return cls(
            store_hash=store.store_hash,
            order_id=order_id,
            status_id=status_id,
            qualifies=status_id in settings.purchase_status_ids and not archived,
            currency=currency,
            total=total,
            refunded=to_decimal(record.get("refunded_amount"), "orders.refunded_amount")
            or Decimal(0),
            ltv_currency=ltv_currency,
            ltv_factor=factor(ltv_currency),
            created=parse_timestamp(record.get("date_created"), "orders.date_created"),
            modified=parse_timestamp(record.get("date_modified"), "orders.date_modified"),
            locale=text(record.get("customer_locale")) or store.locale,
        )

    def ledger_values(self, person_id: int) -> dict[str, Any]:
        return {
            "person_id": person_id,
            "qualifies": self.qualifies,
            "total": str(self.total),
            "refunded": str(self.refunded),
            "currency": self.currency,
            "ltv_currency": self.ltv_currency,
            "ltv_factor": str(self.ltv_factor) if self.ltv_factor is not None else None,
            "date_created": self.created.isoformat() if self.created else None,
        }

    def money(self, record: dict[str, Any], field: str) -> float | None:
        return money(record.get(field), self.currency, f"orders.{field}")

    @property
    def revenue_currency(self) -> str:
        """The currency purchase totals, line prices and lifetime value are expressed in: the
        reporting currency, else the store's default; the order's own when not convertible."""
        return self.ltv_currency if self.ltv_factor is not None else self.currency

    def in_revenue_currency(self, amount: Decimal | None) -> Decimal | None:
        """An order-currency amount in the revenue currency, rounded to its minor unit (each order
        rounded once, so purchase totals and lifetime value add up to the cent)."""
        if amount is None:
            return None
        converted = amount * self.ltv_factor if self.ltv_factor is not None else amount
        return round_money(converted, self.revenue_currency)

    def revenue_money(self, value: Any, field: str) -> float | None:
        """A money field of the order (or a line item) as a JSON double in the revenue currency."""
        amount = to_decimal(value, field)
        if amount is None:
            return None
        converted = amount * self.ltv_factor if self.ltv_factor is not None else amount
        return money(converted, self.revenue_currency, field)  # rounded once, errors named
