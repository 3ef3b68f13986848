"""Pieces of the `/_sandbox` inspection API that both emulators serve the same way."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Awaitable, Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from sandbox.common.faults import FaultConfig, FaultInjector

PREFIX = "/_sandbox"


def inspection_error(message: str, status: int = 400) -> Response:
    return JSONResponse({"error": message}, status_code=status)


async def json_object(request: Request) -> dict[str, Any]:
    """The request's JSON object body ({} when empty); ValueError names what is wrong."""
    body = await request.body()
    try:
        parsed = json.loads(body) if body else {}
    except json.JSONDecodeError as error:
        msg = f"the body is not JSON: {error}"
        raise ValueError(msg) from error
    if not isinstance(parsed, dict):
        msg = "the body must be a JSON object"
        raise ValueError(msg)
    return parsed


def faults_endpoint(injector: FaultInjector) -> Callable[[Request], Awaitable[Response]]:
    """GET shows the fault configuration; POST replaces it (FaultConfig's fields as JSON)."""

    async def faults(request: Request) -> Response:
        if request.method == "POST":
            try:
                body = await json_object(request)
                if "error_statuses" in body:
                    body["error_statuses"] = tuple(body["error_statuses"])
                injector.configure(FaultConfig(**body))
            except (TypeError, ValueError) as error:
                return inspection_error(f"invalid fault config: {error}")
        return JSONResponse(dataclasses.asdict(injector.config))

    return faults
