"""Read BigCommerce through the tap's own client (auth, pacing to the store's quota, retries) and
turn orders and products into plain records by the mapper's rules: purchase and catalog item ids,
who the buyer is, which orders make purchases, money rounded to the currency's minor unit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime
from decimal import Decimal
from typing import Any

from bigcommerce_iterable_reconcile.records import BigCommerceData, Order, Product
from map_bigcommerce_iterable.currency import StoreFacts
from map_bigcommerce_iterable.ids import catalog_item_id, purchase_id
from map_bigcommerce_iterable.normalise import (
    NormalisationError,
    integer,
    normalise_email,
    round_money,
    text,
    to_decimal,
)
from map_bigcommerce_iterable.order_facts import OrderFacts
from map_bigcommerce_iterable.settings import MapperSettings
from tap_bigcommerce.api import BigCommerceAPI
from tap_bigcommerce.pagination import V2PagePaginator, V3PagePaginator, page_items, response_body

PAGE_SIZE = 250  # the largest page both v2 orders and v3 lists allow
CUSTOMER_IDS_PER_REQUEST = 50  # keeps `id:in` well inside URL length limits
Progress = Callable[[str], None]


class BigCommerceReader:
    def __init__(
        self, api: BigCommerceAPI, mapper: MapperSettings, progress: Progress = lambda _: None
    ) -> None:
        self._api = api
        self._mapper = mapper
        self._progress = progress
        self._store_hash = api.settings.store_hash

    def read(
        self, start: datetime, end: datetime, *, whole_history: bool, products: bool
    ) -> BigCommerceData:
        """Orders created in [start, end), or every order when lifetime value is checked (it
        counts all of a buyer's orders), and the catalog's products."""
        store_currency, rates = self._currencies()
        params: dict[str, Any] = {"sort": "id:asc"}
        if not whole_history:
            params |= {"min_date_created": start.isoformat(), "max_date_created": end.isoformat()}
        raw_orders = list(self._list("v2", "/orders", params, "orders"))
        emails = self._customer_emails(
            {cid for o in raw_orders if (cid := integer(o.get("customer_id"), "customer_id"))}
        )
        orders = [self._order(raw, emails, store_currency, rates) for raw in raw_orders]
        catalog = (
            [
                self._product(raw, store_currency)
                for raw in self._list("v3", "/catalog/products", {}, "products")
            ]
            if products
            else []
        )
        return BigCommerceData(self._store_hash, orders, catalog)

    def _list(
        self, version: str, path: str, params: dict[str, Any], what: str | None
    ) -> Iterator[dict[str, Any]]:
        paginator = V2PagePaginator(PAGE_SIZE) if version == "v2" else V3PagePaginator(PAGE_SIZE)
        page, seen = 1, 0
        while True:
            response = self._api.request(
                "GET", version, path, params={**params, "page": page, "limit": PAGE_SIZE}
            )
            items = page_items(response, version)
            seen += len(items)
            if what:
                self._progress(f"BigCommerce {what}: {seen} read")
            yield from items
            if not paginator.has_more(response):
                return
            page += 1

    def _currencies(self) -> tuple[str, dict[str, Decimal]]:
        store = response_body(self._api.request("GET", "v2", "/store")) or {}
        currency = (text(store.get("currency")) or "").upper()
        rates: dict[str, Decimal] = {}
        for row in response_body(self._api.request("GET", "v2", "/currencies")) or []:
            code = text(row.get("currency_code"))
            rate = to_decimal(
                row.get("currency_exchange_rate"), "currencies.currency_exchange_rate"
            )
            if code and rate:
                rates[code.upper()] = rate
            if row.get("is_default") and code and not currency:
                currency = code.upper()
        return currency, rates

    def _customer_emails(self, customer_ids: set[int]) -> dict[int, str | None]:
        emails: dict[int, str | None] = {}
        ordered = sorted(customer_ids)
        for first in range(0, len(ordered), CUSTOMER_IDS_PER_REQUEST):
            chunk = ordered[first : first + CUSTOMER_IDS_PER_REQUEST]
            params = {"id:in": ",".join(map(str, chunk))}
            for customer in self._list("v3", "/customers", params, None):
                emails[int(customer["id"])] = normalise_email(customer.get("email"))
        self._progress(f"BigCommerce customers of those orders: {len(emails)} read")
        return emails

    def _order(
        self,
        raw: dict[str, Any],
        emails: dict[int, str | None],
        store_currency: str,
        rates: dict[str, Decimal],
    ) -> Order:
        order_id = integer(raw.get("id"), "orders.id") or 0
        customer_id = integer(raw.get("customer_id"), "orders.customer_id") or 0
        billing = raw.get("billing_address") if isinstance(raw.get("billing_address"), dict) else {}
        # The mapper's identity rule: a registered customer is their account's email; a guest
        # (or a customer it never saw) is the billing email.
        person = emails.get(customer_id) if customer_id else None
        person = person or normalise_email((billing or {}).get("email"))
        # The mapper's own order rules (currencies, qualifying statuses, LTV conversion).
        facts = OrderFacts.from_record(
            raw,
            order_id,
            store=StoreFacts(self._store_hash, store_currency, None, None),
            store_rate=rates.get,
            settings=self._mapper,
        )
        if facts.created is None:
            msg = f"orders record {order_id}: missing field date_created"
            raise NormalisationError(msg)
        net = max(facts.total - facts.refunded, Decimal(0))
        return Order(
            order_id=order_id,
            purchase_id=purchase_id(self._store_hash, order_id),
            person=person,
            created=facts.created,
            # The purchase's `total` is in the revenue currency (the mapper's rule, OrderFacts).
            currency=facts.revenue_currency,
            total=facts.in_revenue_currency(facts.total) or Decimal(0),
            qualifies=facts.qualifies,
            net_in_ltv_currency=(
                facts.in_revenue_currency(net) if facts.ltv_factor is not None else None
            ),
            ltv_currency=facts.ltv_currency,
        )

    def _product(self, raw: dict[str, Any], store_currency: str) -> Product:
        product_id = integer(raw.get("id"), "products.id") or 0
        price = to_decimal(raw.get("price"), "products.price")
        return Product(
            item_id=catalog_item_id(self._mapper.item_id_template, self._store_hash, product_id),
            product_id=product_id,
            name=text(raw.get("name")),
            price=round_money(price, store_currency) if price is not None else None,
        )
