"""Read Iterable through the target's client (pacing, retries, redaction): the export API for
purchases, custom events and users, user lookups for buyers the export did not show, and the
catalog's items.

`GET /api/export/data.json` allows 4 requests a minute per project, so the calls are planned up
front and spaced by that limit (never provoking a 429), with progress and an ETA while waiting.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from bigcommerce_iterable_reconcile.records import (
    CatalogItem,
    Event,
    IterableData,
    Purchase,
    User,
)
from map_bigcommerce_iterable.normalise import integer, normalise_email, text, to_decimal
from target_iterable.client import Answer, IterableClient, IterableError
from target_iterable.endpoints import Endpoint

EXPORT_DATA = Endpoint(
    "export_data_json", "GET", "/api/export/data.json", 4 / 60, "Iterable: 4 req/min per project"
)
GET_USER_BY_EMAIL = Endpoint(
    "users_get_by_email", "GET", "/api/users/getByEmail", 20.0, "Iterable: 100 req/s; 20 here"
)
LIST_CATALOG_ITEMS = Endpoint(
    "catalog_items_list",
    "GET",
    "/api/catalogs/{catalog}/items",
    20.0,
    "Iterable: 100 req/s per API key; 20 here",
)
EXPORT_DATE_FORMAT = "%Y-%m-%d %H:%M:%S +00:00"  # Swagger: yyyy-MM-dd HH:mm:ss ZZ
CATALOG_PAGE_SIZE = 100
PROGRESS_EVERY_SECONDS = 5.0
Progress = Callable[[str], None]
LOGGER = logging.getLogger("bigcommerce_iterable_reconcile")


class IterableReadError(Exception):
    """Iterable answered a read with an error; the message names the request (never the key)."""


@dataclass(frozen=True)
class ExportCall:
    data_type: str  # dataTypeName: user, purchase or customEvent
    start: datetime
    end: datetime


def export_plan(start: datetime, end: datetime, now: datetime) -> list[ExportCall]:
    """Purchases and events created in the range; users updated since its start (a buyer's
    profile is written when their orders are synced, which is after they were placed)."""
    return [
        ExportCall("purchase", start, end),
        ExportCall("customEvent", start, end),
        ExportCall("user", start, max(end, now)),
    ]


def parse_moment(value: Any) -> datetime | None:
    """Export dates: `yyyy-MM-dd HH:mm:ss +00:00`, ISO 8601, or epoch seconds/milliseconds."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        seconds = value / 1000 if value >= 1e11 else value
        return datetime.fromtimestamp(seconds, UTC)
    raw = str(value).strip()
    for layout in (EXPORT_DATE_FORMAT, "%Y-%m-%d %H:%M:%S %z", "%Y-%m-%d %H:%M:%S"):
        try:
            moment = datetime.strptime(raw, layout)
        except ValueError:
            continue
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)


def _decimal(value: Any, field: str) -> Decimal | None:
    try:
        return to_decimal(value, field)
    except ValueError:
        return None


def _integer(value: Any, field: str) -> int | None:
    try:
        return integer(value, field)
    except ValueError:
        return None


def _fields(row: dict[str, Any]) -> dict[str, Any]:
    nested = row.get("dataFields")
    return nested if isinstance(nested, dict) else row


def purchase_from_row(row: dict[str, Any]) -> Purchase:
    fields = _fields(row)
    return Purchase(
        purchase_id=str(row.get("id") or ""),
        order_id=_integer(fields.get("orderId"), "orderId"),
        store_hash=text(fields.get("storeHash")),
        email=normalise_email(row.get("email")),
        user_id=text(row.get("userId")),
        created=parse_moment(row.get("createdAt")),
        # `total` is in `revenueCurrency` (older purchases: in the order's `currencyCode`).
        currency=(
            text(fields.get("revenueCurrency")) or text(fields.get("currencyCode")) or ""
        ).upper()
        or None,
        total=_decimal(row.get("total"), "total"),
    )


def event_from_row(row: dict[str, Any]) -> Event:
    return Event(
        event_id=text(row.get("id") or row.get("eventId")),
        name=text(row.get("eventName")),
        email=normalise_email(row.get("email")),
        created=parse_moment(row.get("createdAt")),
    )


def user_from_row(row: dict[str, Any]) -> User:
    fields = {**row, **_fields(row)} if "dataFields" in row else row
    return User(
        email=normalise_email(row.get("email")) or normalise_email(fields.get("email")),
        user_id=text(row.get("userId")),
        bc_customer_id=_integer(fields.get("bcCustomerId"), "bcCustomerId"),
        orders_count=_integer(fields.get("ordersCount"), "ordersCount"),
        total_spent=_decimal(fields.get("totalSpent"), "totalSpent"),
        ltv_currency=text(fields.get("ltvCurrency")),
    )


def parse_lines(text_body: str) -> list[dict[str, Any]]:
    rows = []
    for number, line in enumerate(text_body.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            msg = f"Iterable export line {number} is not JSON: {exc}"
            raise IterableReadError(msg) from exc
        if isinstance(row, dict):
            rows.append(row)
    return rows


class IterableReader:
    def __init__(
        self,
        client: IterableClient,
        *,
        catalog_name: str,
        export_rate_per_minute: float,
        progress: Progress = lambda _: None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._client = client
        self._catalog = catalog_name
        self._interval = 60.0 / export_rate_per_minute
        self._progress = progress
        self._clock = clock
        self._sleep = sleep
        self._last_export: float | None = None

    def read(
        self,
        start: datetime,
        end: datetime,
        *,
        buyers: Iterable[str],
        max_lookups: int,
        catalog: bool,
    ) -> IterableData:
        plan = export_plan(start, end, datetime.now(UTC))
        eta = self._interval * (len(plan) - 1)
        self._progress(
            f"Iterable export: {len(plan)} requests planned at "
            f"{60 / self._interval:g}/min (at least {eta:.0f} s of waiting)"
        )
        rows: dict[str, list[dict[str, Any]]] = {}
        for number, call in enumerate(plan, start=1):
            remaining = self._interval * (len(plan) - number)
            self._wait_for_slot(f"export {number}/{len(plan)} ({call.data_type})", remaining)
            rows[call.data_type] = self._export(call)
            self._progress(
                f"Iterable export {number}/{len(plan)}: {len(rows[call.data_type])} "
                f"{call.data_type} rows"
            )
        users = [user_from_row(row) for row in rows["user"]]
        users += self._lookups(set(buyers) - {u.email for u in users if u.email}, max_lookups)
        return IterableData(
            purchases=[purchase_from_row(row) for row in rows["purchase"]],
            events=[event_from_row(row) for row in rows["customEvent"]],
            users=users,
            catalog_items=self._catalog_items() if catalog else [],
        )

    def _wait_for_slot(self, label: str, remaining_after: float) -> None:
        """Wait until the export limit allows the next call, saying so every few seconds."""
        if self._last_export is None:
            return
        ready_at = self._last_export + self._interval
        while (wait := ready_at - self._clock()) > 0:
            self._progress(
                f"  {label}: waiting {wait:.0f} s for Iterable's export limit "
                f"(ETA {wait + remaining_after:.0f} s)"
            )
            self._sleep(min(wait, PROGRESS_EVERY_SECONDS))

    def _checked(self, answer: Answer, what: str) -> Answer:
        if not answer.ok:
            msg = f"Iterable {what} failed: HTTP {answer.status} {answer.code}: {answer.message}"
            raise IterableReadError(msg)
        return answer

    def _export(self, call: ExportCall) -> list[dict[str, Any]]:
        self._last_export = self._clock()
        query = {
            "dataTypeName": call.data_type,
            "startDateTime": call.start.strftime(EXPORT_DATE_FORMAT),
            "endDateTime": call.end.strftime(EXPORT_DATE_FORMAT),
        }
        try:
            answer = self._client.call(EXPORT_DATA, query=query, full_text=True)
        except IterableError as exc:
            raise IterableReadError(str(exc)) from exc
        return parse_lines(self._checked(answer, f"export of {call.data_type}").text)

    def _lookups(self, emails: set[str], max_lookups: int) -> list[User]:
        """Buyers the export did not list (not updated in its window): ask for each one."""
        if not emails:
            return []
        chosen = sorted(emails)[:max_lookups]
        if len(chosen) < len(emails):
            LOGGER.warning(
                "%d buyers not in the user export; looking up only %d (--max-lookups)",
                len(emails),
                len(chosen),
            )
        self._progress(f"Iterable: looking up {len(chosen)} buyers not in the user export")
        found = []
        for email in chosen:
            try:
                answer = self._client.call(GET_USER_BY_EMAIL, query={"email": email})
            except IterableError as exc:
                raise IterableReadError(str(exc)) from exc
            if answer.status == 404:
                continue
            user = self._checked(answer, "user lookup").body.get("user")
            if isinstance(user, dict) and user:
                found.append(user_from_row(user))
        return found

    def _catalog_items(self) -> list[CatalogItem] | None:
        items: list[CatalogItem] = []
        page = 1
        while True:
            try:
                answer = self._client.call(
                    LIST_CATALOG_ITEMS,
                    path_params={"catalog": self._catalog},
                    query={"page": str(page), "pageSize": str(CATALOG_PAGE_SIZE)},
                )
            except IterableError as exc:
                raise IterableReadError(str(exc)) from exc
            if answer.status == 404:
                return None  # no such catalog: every product is missing
            body = self._checked(answer, f"catalog {self._catalog} items").body
            params = body.get("params")
            listing: dict[str, Any] = params if isinstance(params, dict) else body
            rows = listing.get("catalogItemsWithProperties") or []
            for row in rows:
                value = row.get("value") if isinstance(row.get("value"), dict) else {}
                items.append(
                    CatalogItem(
                        item_id=str(row.get("itemId")),
                        name=text(value.get("name")),
                        price=_decimal(value.get("price"), "price"),
                    )
                )
            self._progress(f"Iterable catalog {self._catalog}: {len(items)} items read")
            total = listing.get("totalItemsCount")
            if not rows or (isinstance(total, int) and len(items) >= total):
                return items
            page += 1
