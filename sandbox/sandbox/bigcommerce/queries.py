"""Filtering and sorting the store's collections as the list endpoints' query parameters ask.

Each function returns the ordered ids of every matching record; the route pages over them.
Filters on the modification time and sorting by id or modification time use the index and
never build records; other filters build the records they test.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, TypeVar

from starlette.datastructures import QueryParams

from sandbox.bigcommerce.wire import (
    BadFilter,
    parse_bool,
    parse_filter_date,
    parse_int,
    parse_int_list,
)
from sandbox.generator.collection import DerivedCollection
from sandbox.generator.model import Customer, Order, Product
from sandbox.generator.store import GeneratedStore

R = TypeVar("R")

ORDER_SORTS = {
    "id",
    "customer_id",
    "date_created",
    "date_modified",
    "status_id",
    "channel_id",
    "external_id",
}
CUSTOMER_SORTS = {"date_created", "last_name", "date_modified"}
PRODUCT_SORTS = {
    "id",
    "name",
    "sku",
    "price",
    "date_modified",
    "date_last_imported",
    "inventory_level",
    "is_visible",
    "total_sold",
    "calculated_price",
}


def _date(query: QueryParams, name: str, now: datetime | None = None) -> datetime | None:
    raw = query.get(name)
    return None if raw is None else parse_filter_date(name, raw, now=now)


def _by_modified(
    collection: DerivedCollection[Any],
    low: datetime | None,
    high: datetime | None,
    sort_field: str,
    descending: bool,
) -> list[int]:
    """Ids within the modification window, by (modified, id) or by id."""
    if low is None and high is None and sort_field == "id":
        ids = list(collection.ids())
    else:
        ids = collection.ids_by_modified(low, high)
        if sort_field == "id":
            ids.sort()
    if descending:
        ids.reverse()
    return ids


def _split_sort(field: str, raw: str, allowed: set[str], default: str) -> tuple[str, bool]:
    if not raw:
        return default, False
    name, _, direction = raw.partition(":")
    if name not in allowed or direction not in {"", "asc", "desc"}:
        raise BadFilter(field, raw)
    return name, direction == "desc"


def _filter(
    ids: Iterable[int], get: Callable[[int], R | None], test: Callable[[R], bool]
) -> list[int]:
    return [i for i in ids if (record := get(i)) is not None and test(record)]


def order_ids(
    store: GeneratedStore,
    query: QueryParams,
    *,
    archived_by_default: bool,
    incomplete_by_default: bool,
) -> list[int]:
    sort_field, descending = _split_sort("sort", query.get("sort", ""), ORDER_SORTS, "id")
    low = _date(query, "min_date_modified")
    high = _date(query, "max_date_modified")
    index_sort = sort_field if sort_field in {"id", "date_modified"} else "id"
    min_id = parse_int("min_id", query.get("min_id"), 1)
    max_id = parse_int("max_id", query.get("max_id"), store.orders.count)
    if low is None and high is None and index_sort == "id":
        ids = list(range(max(min_id, 1), min(max_id, store.orders.count) + 1))
    else:
        ids = _by_modified(store.orders, low, high, index_sort, descending and index_sort != "id")
        if "min_id" in query or "max_id" in query:
            ids = [i for i in ids if min_id <= i <= max_id]
    deleted = query.get("is_deleted")
    if deleted is not None:
        want = parse_bool("is_deleted", deleted)
        ids = [i for i in ids if store.order_archived(i) == want]
    elif not archived_by_default:
        ids = [i for i in ids if not store.order_archived(i)]
    if "status_id" in query:
        status_id = parse_int("status_id", query["status_id"], 0)
        ids = [i for i in ids if store.order_status(i) == status_id]
    elif not incomplete_by_default:
        ids = [i for i in ids if store.order_status(i) != 0]
    tests: list[Callable[[Order], bool]] = []
    if "customer_id" in query:
        customer_id = parse_int("customer_id", query["customer_id"], 0)
        tests.append(lambda o: o.customer_id == customer_id)
    if "channel_id" in query:
        channel_id = parse_int("channel_id", query["channel_id"], 0)
        tests.append(lambda o: o.channel_id == channel_id)
    if "email" in query:
        email = query["email"]
        tests.append(lambda o: o.billing_address.email == email)
    if "cart_id" in query:
        cart_id = query["cart_id"]
        tests.append(lambda o: o.cart_id == cart_id)
    created_low = _date(query, "min_date_created")
    created_high = _date(query, "max_date_created")
    if created_low is not None:
        tests.append(lambda o: o.date_created >= created_low)
    if created_high is not None:
        tests.append(lambda o: o.date_created <= created_high)
    if tests:
        ids = _filter(ids, store.orders.get, lambda o: all(t(o) for t in tests))
    if sort_field not in {"id", "date_modified"}:
        orders = list(store.orders.records(ids))
        orders.sort(key=lambda o: (_order_sort_value(o, sort_field), o.id), reverse=descending)
        ids = [o.id for o in orders]
    elif sort_field == "id" and descending:
        ids.sort(reverse=True)
    return ids


def _order_sort_value(order: Order, field: str) -> object:
    if field == "external_id":
        return ""
    value: object = getattr(order, field)
    return value


def customer_ids(store: GeneratedStore, query: QueryParams) -> list[int]:
    sort_field, descending = _split_sort("sort", query.get("sort", ""), CUSTOMER_SORTS, "id")
    low = _date(query, "date_modified:min")
    high = _date(query, "date_modified:max")
    if "date_modified" in query:
        low = high = _date(query, "date_modified")
    index_sort = "date_modified" if sort_field == "date_modified" else "id"
    ids = _by_modified(store.customers, low, high, index_sort, descending and index_sort != "id")
    if "id:in" in query:
        wanted = parse_int_list("id:in", query["id:in"])
        ids = [i for i in ids if i in wanted]
    tests: list[Callable[[Customer], bool]] = []
    if "email:in" in query:
        emails = {e.strip().lower() for e in query["email:in"].split(",")}
        tests.append(lambda c: c.email.lower() in emails)
    if "customer_group_id:in" in query:
        groups = parse_int_list("customer_group_id:in", query["customer_group_id:in"])
        tests.append(lambda c: c.customer_group_id in groups)
    if "name:like" in query:
        needle = query["name:like"].lower()
        tests.append(lambda c: needle in f"{c.first_name} {c.last_name}".lower())
    created_low = _date(query, "date_created:min")
    created_high = _date(query, "date_created:max")
    if created_low is not None:
        tests.append(lambda c: c.date_created >= created_low)
    if created_high is not None:
        tests.append(lambda c: c.date_created <= created_high)
    if tests:
        ids = _filter(ids, store.customers.get, lambda c: all(t(c) for t in tests))
    if sort_field in {"date_created", "last_name"}:
        customers = list(store.customers.records(ids))
        customers.sort(key=lambda c: (getattr(c, sort_field), c.id), reverse=descending)
        ids = [c.id for c in customers]
    return ids


def product_ids(store: GeneratedStore, query: QueryParams, now: datetime) -> list[int]:
    sort_field = query.get("sort", "id")
    if sort_field not in PRODUCT_SORTS:
        raise BadFilter("sort", sort_field)
    direction = query.get("direction", "asc")
    if direction not in {"asc", "desc"}:
        raise BadFilter("direction", direction)
    descending = direction == "desc"
    # A date without a time gets the current time of the request (documented for products).
    low = _date(query, "date_modified:min", now)
    high = _date(query, "date_modified:max", now)
    ids = _by_modified(
        store.products, low, high, "date_modified" if sort_field == "date_modified" else "id", False
    )
    id_bounds = {
        "id:min": lambda a, b: a >= b,
        "id:max": lambda a, b: a <= b,
        "id:greater": lambda a, b: a > b,
        "id:less": lambda a, b: a < b,
    }
    for name, compare in id_bounds.items():
        if name in query:
            bound = parse_int(name, query[name], 0)
            ids = [i for i in ids if compare(i, bound)]
    if "id:in" in query:
        wanted = parse_int_list("id:in", query["id:in"])
        ids = [i for i in ids if i in wanted]
    if "id" in query:
        single = parse_int("id", query["id"], 0)
        ids = [i for i in ids if i == single]
    tests: list[Callable[[Product], bool]] = []
    if "is_visible" in query:
        visible = parse_bool("is_visible", query["is_visible"])
        tests.append(lambda p: p.is_visible == visible)
    if "brand_id" in query:
        brand_id = parse_int("brand_id", query["brand_id"], 0)
        tests.append(lambda p: p.brand_id == brand_id)
    if "categories:in" in query:
        wanted_categories = parse_int_list("categories:in", query["categories:in"])
        tests.append(lambda p: bool(wanted_categories & set(p.categories)))
    if "sku" in query:
        sku = query["sku"]
        tests.append(lambda p: p.sku == sku)
    if tests:
        ids = _filter(ids, store.products.get, lambda p: all(t(p) for t in tests))
    if sort_field not in {"id", "date_modified"}:
        products = list(store.products.records(ids))
        products.sort(key=lambda p: (_product_sort_value(p, sort_field), p.id))
        ids = [p.id for p in products]
    if descending:
        ids.reverse()
    return ids


def _product_sort_value(product: Product, field: str) -> object:
    if field == "date_last_imported":
        return 0
    if field == "calculated_price":
        return product.calculated_price
    value: object = getattr(product, field)
    return value
