"""v3 store-level reads: channels, locale settings, refunds."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bigcommerce import serialize_v3
from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.bigcommerce.listing import v3_page
from sandbox.bigcommerce.responses import v3_single
from sandbox.bigcommerce.wire import parse_filter_date, parse_int_list


def store_routes(emulator: BigCommerceEmulator) -> list[Route]:
    store = emulator.store
    catalog = store.catalog

    async def list_channels(request: Request) -> Response:
        channels = list(catalog.channels)
        query = request.query_params
        if "status:in" in query:
            statuses = set(query["status:in"].split(","))
            channels = [c for c in channels if c.status in statuses]
        if "type:in" in query:
            types = set(query["type:in"].split(","))
            channels = [c for c in channels if c.type in types]
        return v3_page(request, channels, serialize_v3.channel)

    async def get_locale(request: Request) -> Response:
        profile = catalog.profile
        return v3_single(
            {
                "default_shopper_language": profile.default_shopper_language,
                "shopper_language_selection_method": "default_shopper_language",
                "store_country": profile.country,
            }
        )

    async def list_refunds(request: Request) -> Response:
        query = request.query_params
        order_ids = store.refund_order_ids()
        refund_ids = list(range(1, len(order_ids) + 1))
        if "order_id:in" in query:
            wanted = parse_int_list("order_id:in", query["order_id:in"])
            refund_ids = [r for r in refund_ids if order_ids[r - 1] in wanted]
        if "id:in" in query:
            wanted_ids = parse_int_list("id:in", query["id:in"])
            refund_ids = [r for r in refund_ids if r in wanted_ids]
        for name, keep in (
            ("created:min", lambda a, b: a >= b),
            ("created:max", lambda a, b: a <= b),
        ):
            if name in query:
                bound = parse_filter_date(name, query[name])
                refund_ids = [r for r in refund_ids if keep(store.refund_created(r), bound)]

        def render(refund_id: int) -> dict[str, object] | None:
            refund = store.refund(refund_id)
            return None if refund is None else serialize_v3.refund(refund)

        return v3_page(request, refund_ids, render)

    return [
        Route("/v3/channels", list_channels),
        Route("/v3/settings/store/locale", get_locale),
        Route("/v3/orders/payment_actions/refunds", list_refunds),
    ]
