"""Build the Iterable emulator: API routes and `/_sandbox` inspection behind shared middleware."""

from __future__ import annotations

from collections.abc import Mapping

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.types import ASGIApp

from sandbox.common.faults import FaultConfig, FaultMiddleware
from sandbox.common.request_log import RequestLogMiddleware
from sandbox.iterable.emulator import IterableEmulator
from sandbox.iterable.http_api import IterableApi
from sandbox.iterable.inspection_api import inspection_routes


def build_app(
    *,
    project_type: str = "email",
    api_key: str = "sandbox-iterable-key",
    rate_limits: Mapping[str, float] | None = None,
    faults: FaultConfig | None = None,
) -> tuple[ASGIApp, IterableEmulator]:
    """The ASGI app and its in-process handle (`.request_log`, `.faults`, reads, knobs)."""
    emulator = IterableEmulator(
        project_type=project_type, api_key=api_key, rate_limits=rate_limits, faults=faults
    )
    app = Starlette(
        routes=[*IterableApi(emulator).routes(), *inspection_routes(emulator)],
        # Outermost first: the log sees injected faults too, as a client would.
        middleware=[
            Middleware(RequestLogMiddleware, log=emulator.request_log),
            Middleware(FaultMiddleware, injector=emulator.faults),
        ],
    )
    return app, emulator
