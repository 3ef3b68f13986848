"""v2 endpoints: store, time, orders and their sub-resources, currencies, customer groups."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bigcommerce import serialize_v2
from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.bigcommerce.errors import v2_error
from sandbox.bigcommerce.paging import page_request, slice_page
from sandbox.bigcommerce.queries import order_ids
from sandbox.bigcommerce.query_cache import query_key
from sandbox.bigcommerce.responses import ExactJSONResponse, no_content
from sandbox.bigcommerce.wire import parse_int
from sandbox.generator.model import Order
from sandbox.generator.orders import STATUS_NAMES


def v2_base(request: Request, store_hash: str) -> str:
    return f"{str(request.base_url).rstrip('/')}/stores/{store_hash}/v2"


def _page(request: Request, items: Sequence[Any]) -> Response:
    """A bare-array page, or 204 when the page is empty."""
    page = list(slice_page(items, page_request(request.query_params)))
    return ExactJSONResponse(page) if page else no_content()


def _status_body(status_id: int, name: str) -> dict[str, Any]:
    return {
        "id": status_id,
        "name": name,
        "system_label": name,
        "custom_label": name,
        "system_description": name,
    }


def v2_routes(emulator: BigCommerceEmulator) -> list[Route]:
    store = emulator.store
    catalog = store.catalog

    def find_order(request: Request) -> Order | None:
        raw = request.path_params["order_id"]
        order_id = parse_int("order_id", raw, 0)
        return store.orders.get(order_id)

    async def get_store(request: Request) -> Response:
        return ExactJSONResponse(serialize_v2.store(catalog.profile, catalog))

    async def get_time(request: Request) -> Response:
        return ExactJSONResponse({"time": int(time.time())})

    def render_order(request: Request, order: Order) -> dict[str, Any]:
        base = v2_base(request, emulator.store_hash)
        body = serialize_v2.order(order, base)
        includes = {i.strip() for i in request.query_params.get("include", "").split(",")}
        if "consignments" in includes or "consignments.line_items" in includes:
            structure = serialize_v2.consignments(
                order, base, with_line_items="consignments.line_items" in includes
            )
            # Without consignment_structure=object BigCommerce answers its legacy array form.
            object_form = request.query_params.get("consignment_structure") == "object"
            body["consignments"] = structure if object_form else [structure]
        return body

    def matching_orders(request: Request) -> list[int]:
        query = request.query_params
        archived = emulator.archived_orders_in_default_list
        incomplete = emulator.incomplete_orders_in_default_list
        return emulator.query_cache.ids(
            query_key("v2/orders", query, archived, incomplete),
            store.orders.version,
            lambda: order_ids(
                store, query, archived_by_default=archived, incomplete_by_default=incomplete
            ),
        )

    async def list_orders(request: Request) -> Response:
        ids = matching_orders(request)
        page = slice_page(ids, page_request(request.query_params))
        if not page:
            return no_content()
        return ExactJSONResponse([render_order(request, o) for o in store.orders.records(page)])

    async def count_orders(request: Request) -> Response:
        ids = matching_orders(request)
        per_status = Counter(store.order_status(i) for i in ids)
        statuses = [
            {
                **_status_body(status_id, name),
                "count": per_status[status_id],
                "sort_order": status_id,
            }
            for status_id, name in STATUS_NAMES.items()
        ]
        return ExactJSONResponse({"count": len(ids), "statuses": statuses})

    async def get_order(request: Request) -> Response:
        order = find_order(request)
        if order is None:
            return v2_error(404, "The requested resource was not found.")
        return ExactJSONResponse(render_order(request, order))

    def order_sub_resource(render: Callable[[Request, Order], list[Any]]) -> Callable[..., Any]:
        async def endpoint(request: Request) -> Response:
            order = find_order(request)
            if order is None:
                return v2_error(404, "The requested resource was not found.")
            return _page(request, render(request, order))

        return endpoint

    def products_of(request: Request, order: Order) -> list[Any]:
        return [
            serialize_v2.line_item(item, address_id)
            for item, address_id in serialize_v2.line_items_by_address(order)
        ]

    def coupons_of(request: Request, order: Order) -> list[Any]:
        return [serialize_v2.coupon(c, order.id) for c in order.coupons]

    def shipping_of(request: Request, order: Order) -> list[Any]:
        base = v2_base(request, emulator.store_hash)
        return [
            serialize_v2.shipping_address(order, index, base)
            for index in range(len(order.shipping_addresses))
        ]

    async def list_currencies(request: Request) -> Response:
        return _page(request, [serialize_v2.currency(c) for c in catalog.currencies])

    async def list_customer_groups(request: Request) -> Response:
        return _page(request, [serialize_v2.customer_group(g) for g in catalog.customer_groups])

    async def list_order_statuses(request: Request) -> Response:
        return ExactJSONResponse(
            [_status_body(status_id, name) for status_id, name in STATUS_NAMES.items()]
        )

    return [
        Route("/v2/store", get_store),
        Route("/v2/time", get_time),
        Route("/v2/orders", list_orders),
        Route("/v2/orders/count", count_orders),
        Route("/v2/orders/{order_id}", get_order),
        Route("/v2/orders/{order_id}/products", order_sub_resource(products_of)),
        Route("/v2/orders/{order_id}/coupons", order_sub_resource(coupons_of)),
        Route("/v2/orders/{order_id}/shipping_addresses", order_sub_resource(shipping_of)),
        Route("/v2/order_statuses", list_order_statuses),
        Route("/v2/currencies", list_currencies),
        Route("/v2/customer_groups", list_customer_groups),
    ]
