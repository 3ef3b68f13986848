"""`/_sandbox/...` on the BigCommerce emulator: reads and knobs for tests and the demo.

Not part of BigCommerce's API: no token needed, never rate limited, faulted or logged.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.common.inspection import PREFIX, faults_endpoint, inspection_error, json_object

_DELTA_FIELDS = ("orders", "new_orders", "customers", "new_customers", "products", "subscribers")


def _at(body: dict[str, Any]) -> datetime | None:
    raw = body.get("at")
    if raw is None:
        return None
    if not isinstance(raw, str):
        msg = "'at' must be an ISO 8601 timestamp with a UTC offset"
        raise ValueError(msg)
    moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        msg = "'at' must carry a UTC offset"
        raise ValueError(msg)
    return moment


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()


def inspection_routes(emulator: BigCommerceEmulator) -> list[Route]:
    store = emulator.store

    async def summary(request: Request) -> Response:
        return JSONResponse(
            {
                "store_hash": emulator.store_hash,
                "seed": store.seed,
                "orders": store.orders.count,
                "customers": store.customers.count,
                "products": store.products.count,
                "subscribers": store.subscribers.count,
                "carts": len(store.carts),
                "deltas_applied": store.deltas_applied,
                "newest_order_modified": _iso(store.orders.newest_modified()),
                "newest_customer_modified": _iso(store.customers.newest_modified()),
                "hooks": len(emulator.webhooks.hooks()),
            }
        )

    async def requests_log(request: Request) -> Response:
        if request.method == "DELETE":
            emulator.request_log.clear()
        entries = [entry.as_dict() for entry in emulator.request_log.entries()]
        return JSONResponse(
            {
                "total": len(entries),
                "by_path": dict(emulator.request_log.by_path()),
                "entries": entries,
            }
        )

    async def delta(request: Request) -> Response:
        try:
            body = await json_object(request)
            unknown = set(body) - {*_DELTA_FIELDS, "at"}
            if unknown:
                return inspection_error(f"unknown delta fields: {sorted(unknown)}")
            counts = {name: int(body[name]) for name in _DELTA_FIELDS if name in body}
            result = emulator.apply_delta(at=_at(body), **counts)
        except (TypeError, ValueError) as error:
            return inspection_error(str(error))
        return JSONResponse(result.as_dict())

    async def carts(request: Request) -> Response:
        try:
            body = await json_object(request)
            outcomes = body.get("outcomes", ["active", "abandoned", "converted"])
            if not isinstance(outcomes, list) or not all(isinstance(o, str) for o in outcomes):
                return inspection_error("'outcomes' must be a list of strings")
            activity = emulator.simulate_cart_activity(outcomes, at=_at(body))
        except ValueError as error:
            return inspection_error(str(error))
        return JSONResponse(
            {
                "carts": activity.carts,
                "by_outcome": activity.by_outcome,
                "order_ids": activity.order_ids,
                "events": [{"scope": e.scope, "data": e.data} for e in activity.events],
            }
        )

    async def webhooks(request: Request) -> Response:
        attempts = [
            {**dataclasses.asdict(a), "succeeded": a.succeeded}
            for a in emulator.webhooks.attempts()
        ]
        hooks = [h.as_json() for h in emulator.webhooks.hooks()]
        return JSONResponse({"hooks": hooks, "attempts": attempts})

    async def rate_limit(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = await json_object(request)
                emulator.set_rate_limit(int(body["quota"]), int(body["window_ms"]))
            except (KeyError, TypeError, ValueError) as error:
                return inspection_error(
                    f"rate limit needs integer 'quota' and 'window_ms': {error}"
                )
        limiter = emulator.limiter
        return JSONResponse({"quota": limiter.quota, "window_ms": limiter.window_ms})

    async def settings(request: Request) -> Response:
        if request.method == "POST":
            try:
                emulator.configure(**await json_object(request))
            except (TypeError, ValueError) as error:
                return inspection_error(str(error))
        return JSONResponse(emulator.settings())

    return [
        Route(f"{PREFIX}/summary", summary, methods=["GET"]),
        Route(f"{PREFIX}/settings", settings, methods=["GET", "POST"]),
        Route(f"{PREFIX}/requests", requests_log, methods=["GET", "DELETE"]),
        Route(f"{PREFIX}/delta", delta, methods=["POST"]),
        Route(f"{PREFIX}/carts", carts, methods=["POST"]),
        Route(f"{PREFIX}/webhooks", webhooks, methods=["GET"]),
        Route(f"{PREFIX}/rate_limit", rate_limit, methods=["GET", "POST"]),
        Route(f"{PREFIX}/faults", faults_endpoint(emulator.faults), methods=["GET", "POST"]),
    ]
