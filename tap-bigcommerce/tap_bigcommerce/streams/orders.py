"""`orders` (v2): every order with all its line items, coupons and shipping addresses.

Line items come embedded in the order page (`include=consignments.line_items`, 250 orders per
request). BigCommerce embeds at most 50 line items per consignment (and says so with a
`__warning__`), so only orders that hit that cap, or whose embedded items do not add up to
`items_total`, cost one more paged request to `/orders/{id}/products`. Coupon codes come from
the embedded lines; `/orders/{id}/coupons` is asked only for an order whose lines do not account
for its `coupon_discount` (`coupons.py`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, ClassVar

from singer_sdk.helpers.types import Context

from tap_bigcommerce.client import KeysetStream
from tap_bigcommerce.streams.coupons import coupon_codes, lines_account_for_coupons
from tap_bigcommerce.streams.order_schema import ORDER_SCHEMA

EMBEDDED_LINE_ITEM_CAP = 50
INCOMPLETE_STATUS_ID = 0
DEFAULT_SCOPE, ARCHIVED_SCOPE, INCOMPLETE_SCOPE = "default", "archived", "incomplete"


def _scope(context: Context | None) -> str:
    return str((context or {}).get("status_scope", DEFAULT_SCOPE))


def _consignment_groups(consignments: Any) -> Iterator[dict[str, Any]]:
    """Every consignment object, for both the object and the legacy array structure."""
    if isinstance(consignments, list):
        for entry in consignments:
            yield from _consignment_groups(entry)
    elif isinstance(consignments, dict):
        if "line_items" in consignments:
            yield consignments
        for value in consignments.values():
            if isinstance(value, list | dict):
                yield from _consignment_groups(value)


def embedded_line_items(order: dict[str, Any]) -> tuple[list[dict[str, Any]], bool]:
    """(line items found in the consignments, whether they may be incomplete)."""
    items: dict[Any, dict[str, Any]] = {}
    maybe_truncated = False
    for consignment in _consignment_groups(order.get("consignments")):
        if "__warning__" in consignment:
            maybe_truncated = True
        line_items = consignment.get("line_items")
        if isinstance(line_items, dict):  # a single {url, resource} link
            line_items = [line_items]
        if not isinstance(line_items, list):
            continue
        if len(line_items) >= EMBEDDED_LINE_ITEM_CAP:
            maybe_truncated = True
        for item in line_items:
            if isinstance(item, dict) and "product_id" in item:
                items[item.get("id")] = item
            else:  # a link instead of the item itself
                maybe_truncated = True
    found = list(items.values())
    quantity = sum(int(item.get("quantity") or 0) for item in found)
    expected = order.get("items_total")
    if isinstance(expected, int | str) and str(expected).isdigit() and quantity < int(expected):
        maybe_truncated = True
    return found, maybe_truncated


def shipping_addresses(order: dict[str, Any]) -> list[dict[str, Any]]:
    """Shipping consignments carry the order's shipping addresses (without their line items)."""
    consignments = order.get("consignments")
    groups = consignments if isinstance(consignments, list) else [consignments]
    addresses = []
    for group in groups:
        if isinstance(group, dict):
            for shipping in group.get("shipping") or []:
                # Without the embedded items and the API links (`shipping_quotes`).
                address = {
                    k: v for k, v in shipping.items() if k not in {"line_items", "shipping_quotes"}
                }
                address.setdefault("order_id", order.get("id"))
                addresses.append(address)
    return addresses


class OrdersStream(KeysetStream):
    name = "orders"
    path = "/orders"
    api_version = "v2"
    schema = ORDER_SCHEMA
    min_filter_param = "min_date_modified"
    sort_params: ClassVar[dict[str, str]] = {"sort": "date_modified:asc"}
    extra_params: ClassVar[dict[str, str]] = {
        "include": "consignments.line_items",
        "consignment_structure": "object",
    }
    # orders.v2.oas2.yml does not require `total_inc_tax`, but an order without a total cannot
    # be a purchase (the mapper refuses it): dead-lettered here, where it can be re-extracted.
    required_references = ("total_inc_tax",)
    # Bookmarks are written more often than the SDK default: a page holds 250 orders.
    STATE_MSG_FREQUENCY = 1000

    @property
    def partitions(self) -> list[dict[str, Any]] | None:
        # Archived orders (asked with `is_deleted=true`) and Incomplete ones (status 0) may be
        # missing from the default list: each gets its own pass with its own bookmark.
        scopes = [DEFAULT_SCOPE]
        if self._archived_pass:
            scopes.append(ARCHIVED_SCOPE)
        if self.config.get("include_incomplete_orders"):
            scopes.append(INCOMPLETE_SCOPE)
        return [{"status_scope": scope} for scope in scopes]

    @property
    def _archived_pass(self) -> bool:
        return bool(self.config.get("include_archived_orders", True))

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params = super().get_url_params(context, next_page_token)
        scope = _scope(context)
        if scope == ARCHIVED_SCOPE:
            params["is_deleted"] = "true"
        elif scope == INCOMPLETE_SCOPE:
            params["status_id"] = INCOMPLETE_STATUS_ID
        return params

    def _wanted(self, order: dict[str, Any], context: Context | None) -> bool:
        scope = _scope(context)
        archived = bool(order.get("is_deleted"))
        status_id = order.get("status_id")
        if scope == ARCHIVED_SCOPE and not archived:
            return False  # the default pass has it (the filter was ignored)
        if scope == DEFAULT_SCOPE and archived and self._archived_pass:
            return False  # listed by default here, but the archived pass emits it
        if status_id == INCOMPLETE_STATUS_ID:
            # Only the incomplete pass emits them, whichever pass listed them.
            return scope == INCOMPLETE_SCOPE
        if scope == INCOMPLETE_SCOPE:
            return False
        allowed = self.config.get("order_status_ids")
        return not allowed or status_id in allowed

    def transform(self, record: dict[str, Any], context: Context | None) -> dict[str, Any] | None:
        if not self._wanted(record, context):
            return None
        order_id = record["id"]
        line_items, maybe_truncated = embedded_line_items(record)
        if maybe_truncated:
            line_items = self.get_all_pages(f"/orders/{order_id}/products")
        record["line_items"] = line_items
        record["shipping_addresses"] = shipping_addresses(record)
        record["coupons"] = self._coupons(record, line_items)
        record["coupon_codes"] = coupon_codes(line_items, record["coupons"])
        record["is_archived"] = bool(record.get("is_deleted"))
        for link in ("consignments", "products", "fees"):
            record.pop(link, None)
        return record

    def _coupons(self, order: dict[str, Any], line_items: list[dict[str, Any]]) -> list[Any]:
        """`/orders/{id}/coupons`, asked only when the setting says so (see `coupons.py`)."""
        mode = self.config.get("order_coupons", "when_used")
        if mode == "never":
            return []
        if mode == "when_used" and lines_account_for_coupons(order, line_items):
            return []
        return self.get_all_pages(f"/orders/{order['id']}/coupons")
