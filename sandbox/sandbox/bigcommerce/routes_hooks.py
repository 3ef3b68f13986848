"""v3 webhooks: create, list, read, update, delete."""

from __future__ import annotations

import json

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bigcommerce.emulator import BigCommerceEmulator
from sandbox.bigcommerce.errors import v3_error
from sandbox.bigcommerce.listing import v3_page
from sandbox.bigcommerce.responses import v3_single
from sandbox.bigcommerce.webhooks import HookError
from sandbox.bigcommerce.wire import parse_bool, parse_int

# Hooks belong to the API account that made them; the sandbox has one.
CLIENT_ID = "sandbox-client"


async def _json_body(request: Request) -> object:
    raw = await request.body()
    try:
        return json.loads(raw or b"null")
    except json.JSONDecodeError as error:
        raise HookError("body", "The request body is not valid JSON.") from error


def _invalid(error: HookError) -> Response:
    return v3_error(422, "The request body is invalid.", {error.field: str(error)})


def hook_routes(emulator: BigCommerceEmulator) -> list[Route]:
    hub = emulator.webhooks

    async def list_or_create(request: Request) -> Response:
        if request.method == "POST":
            try:
                hook = hub.create(await _json_body(request), CLIENT_ID)
            except HookError as error:
                return _invalid(error)
            return v3_single(hook.as_json())
        hooks = hub.hooks()
        query = request.query_params
        if "is_active" in query:
            active = parse_bool("is_active", query["is_active"])
            hooks = [h for h in hooks if h.is_active == active]
        if "scope" in query:
            hooks = [h for h in hooks if h.scope == query["scope"]]
        if "destination" in query:
            hooks = [h for h in hooks if h.destination == query["destination"]]
        return v3_page(request, hooks, lambda h: h.as_json())

    async def one(request: Request) -> Response:
        hook_id = parse_int("webhook_id", request.path_params["webhook_id"], 0)
        if request.method == "PUT":
            try:
                hook = hub.update(hook_id, await _json_body(request))
            except HookError as error:
                return _invalid(error)
        elif request.method == "DELETE":
            hook = hub.delete(hook_id)
        else:
            hook = hub.get(hook_id)
        if hook is None:
            return v3_error(404, "Webhook not found.")
        return v3_single(hook.as_json())

    return [
        Route("/v3/hooks", list_or_create, methods=["GET", "POST"]),
        Route("/v3/hooks/{webhook_id}", one, methods=["GET", "PUT", "DELETE"]),
    ]
