"""v3 customers (offset and cursor paging), customer attributes, newsletter subscribers."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bigcommerce import serialize_v3
from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.bigcommerce.listing import Render, v3_page, v3_page_body
from sandbox.bigcommerce.paging import (
    DEFAULT_LIMIT,
    MAX_LIMIT,
    LimitTooLarge,
    cursor_pagination,
    decode_cursor,
    page_request,
)
from sandbox.bigcommerce.queries import customer_ids
from sandbox.bigcommerce.query_cache import query_key
from sandbox.bigcommerce.responses import ExactJSONResponse
from sandbox.bigcommerce.wire import BadFilter, parse_filter_date, parse_int, parse_int_list


def _includes(request: Request) -> set[str]:
    raw = request.query_params.get("include", "")
    wanted = {part.strip() for part in raw.split(",") if part.strip()}
    unknown = wanted - serialize_v3.CUSTOMER_INCLUDES - {"shopper_profile_id", "segment_ids"}
    if unknown:
        raise BadFilter("include", raw)
    return wanted


def customer_routes(emulator: BigCommerceEmulator) -> list[Route]:
    store = emulator.store

    async def list_customers(request: Request) -> Response:
        query = request.query_params
        includes = _includes(request)
        ids = emulator.query_cache.ids(
            query_key("v3/customers", query),
            store.customers.version,
            lambda: customer_ids(store, query),
        )

        def render(customer_id: int) -> dict[str, object] | None:
            customer = store.customers.get(customer_id)
            return None if customer is None else serialize_v3.customer(customer, includes)

        if "after" in query or "before" in query:
            return _cursor_page(request, ids, render)
        paging = page_request(query)
        body = v3_page_body(request, ids, render, paging)
        if paging.page == 1:
            # The first page carries both kinds of pagination.
            body["meta"]["cursor_pagination"] = cursor_pagination(
                0, len(body["data"]), paging.limit, len(ids), query
            )
        return ExactJSONResponse(body)

    async def delete_customers(request: Request) -> Response:
        # customers.v3.yml `deleteCustomers`: `id:in` required; "If not provided, a 204 is
        # returned, with no changes to the data"; 204 with no body.
        if "id:in" in request.query_params:
            emulator.delete_customers(
                sorted(parse_int_list("id:in", request.query_params["id:in"]))
            )
        return Response(status_code=204)

    async def list_attributes(request: Request) -> Response:
        attributes = list(store.catalog.attributes)
        query = request.query_params
        if "name" in query:
            attributes = [a for a in attributes if a.name == query["name"]]
        if "type" in query:
            attributes = [a for a in attributes if a.type == query["type"]]
        if "date_modified:min" in query:
            low = parse_filter_date("date_modified:min", query["date_modified:min"])
            attributes = [a for a in attributes if a.date_modified >= low]
        return v3_page(request, attributes, serialize_v3.attribute)

    async def list_subscribers(request: Request) -> Response:
        query = request.query_params
        low = (
            parse_filter_date("date_modified:min", query["date_modified:min"])
            if "date_modified:min" in query
            else None
        )
        high = (
            parse_filter_date("date_modified:max", query["date_modified:max"])
            if "date_modified:max" in query
            else None
        )
        if low is None and high is None:
            ids = list(store.subscribers.ids())
        else:
            ids = sorted(store.subscribers.ids_by_modified(low, high))
        if "id:in" in query:
            wanted = parse_int_list("id:in", query["id:in"])
            ids = [i for i in ids if i in wanted]
        if "email" in query:
            email = query["email"]
            ids = [i for i in ids if store.subscribers.require(i).email == email]
        if "source" in query:
            source = query["source"]
            ids = [i for i in ids if store.subscribers.require(i).source == source]
        if "order_id" in query:
            order_id = parse_int("order_id", query["order_id"], 0)
            ids = [i for i in ids if store.subscribers.require(i).order_id == order_id]

        def render(subscriber_id: int) -> dict[str, object] | None:
            subscriber = store.subscribers.get(subscriber_id)
            return None if subscriber is None else serialize_v3.subscriber(subscriber)

        return v3_page(request, ids, render)

    return [
        Route("/v3/customers", list_customers, methods=["GET"]),
        Route("/v3/customers", delete_customers, methods=["DELETE"]),
        Route("/v3/customers/attributes", list_attributes),
        Route("/v3/customers/subscribers", list_subscribers),
    ]


def _cursor_page(request: Request, ids: list[int], render: Render[int]) -> Response:
    query = request.query_params
    limit = parse_int("limit", query.get("limit"), DEFAULT_LIMIT)
    if limit > MAX_LIMIT:
        raise LimitTooLarge(limit)
    if limit < 1:
        raise BadFilter("limit", str(limit))
    if "after" in query:
        start = decode_cursor("after", query["after"])
    else:
        end = decode_cursor("before", query["before"])
        start = max(end - limit, 0)
        limit = end - start
    page = ids[start : start + limit]
    data = [body for body in (render(i) for i in page) if body is not None]
    meta = {"cursor_pagination": cursor_pagination(start, len(data), limit, len(ids), query)}
    return ExactJSONResponse({"data": data, "meta": meta})
