"""The BigCommerce emulator as an ASGI app: routes behind the gate, faults and the request log."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Mount
from starlette.types import ASGIApp

from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.bigcommerce.errors import api_error
from sandbox.bigcommerce.gate import ApiGate
from sandbox.bigcommerce.inspection_api import inspection_routes
from sandbox.bigcommerce.paging import LimitTooLarge
from sandbox.bigcommerce.routes_carts import cart_routes
from sandbox.bigcommerce.routes_catalog import catalog_routes
from sandbox.bigcommerce.routes_customers import customer_routes
from sandbox.bigcommerce.routes_hooks import hook_routes
from sandbox.bigcommerce.routes_store import store_routes
from sandbox.bigcommerce.routes_v2 import v2_routes
from sandbox.bigcommerce.wire import BadFilter
from sandbox.common.faults import FaultMiddleware
from sandbox.common.request_log import RequestLogMiddleware


async def _bad_filter(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, BadFilter)
    status = 400 if "/v2/" in request.url.path else 422
    return api_error(request.url.path, status, str(exc), field=exc.field)


async def _limit_too_large(request: Request, exc: Exception) -> Response:
    return api_error(request.url.path, 413, str(exc), field="limit")


async def _http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = {404: "The requested resource was not found.", 405: "Method not allowed."}.get(
        exc.status_code, exc.detail
    )
    return api_error(request.url.path, exc.status_code, message)


def api_routes(emulator: BigCommerceEmulator) -> list[BaseRoute]:
    return [
        *v2_routes(emulator),
        *customer_routes(emulator),
        *catalog_routes(emulator),
        *store_routes(emulator),
        *cart_routes(emulator),
        *hook_routes(emulator),
    ]


def build_app(**options: Any) -> tuple[ASGIApp, BigCommerceEmulator]:
    """The ASGI app and its in-process handle; `options` are `BigCommerceEmulator`'s."""
    emulator = BigCommerceEmulator(**options)
    return wrap_emulator(emulator), emulator


def wrap_emulator(emulator: BigCommerceEmulator) -> ASGIApp:
    routes: list[BaseRoute] = [
        Mount(f"/stores/{emulator.store_hash}", routes=api_routes(emulator)),
        *inspection_routes(emulator),
    ]
    starlette = Starlette(
        routes=routes,
        exception_handlers={
            BadFilter: _bad_filter,
            LimitTooLarge: _limit_too_large,
            HTTPException: _http_error,
        },
    )
    gated = ApiGate(
        starlette,
        store_hash=emulator.store_hash,
        access_token=emulator.access_token,
        limiter=emulator.limiter,
        scopes=lambda: emulator.token_scopes,
    )
    faulty = FaultMiddleware(gated, injector=emulator.faults)
    return RequestLogMiddleware(faulty, log=emulator.request_log)
