"""`/_sandbox/...`: read what the emulator stored and turn its knobs over HTTP.

A path Iterable does not use; requests here are neither logged, faulted, rate limited nor need the
API key (the emulator only listens on loopback). `IterableInspector` is the client.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.inspection import PREFIX, faults_endpoint, inspection_error, json_object
from sandbox.iterable.emulator import IterableEmulator
from sandbox.iterable.errors import json_response


def inspection_routes(emulator: IterableEmulator) -> list[Route]:
    async def summary(request: Request) -> Response:
        return json_response(
            {
                "project_type": emulator.project_type,
                "users": len(emulator.users()),
                "events": len(emulator.events()),
                "purchases": len(emulator.purchases()),
                "carts": len(emulator.carts()),
                "catalogs": {
                    name: len(emulator.catalog_items(name)) for name in emulator.catalogs()
                },
            }
        )

    async def users(request: Request) -> Response:
        email, user_id = request.query_params.get("email"), request.query_params.get("userId")
        if email is None and user_id is None:
            return json_response(emulator.users())
        return json_response(emulator.user(email=email, user_id=user_id))

    async def events(request: Request) -> Response:
        return json_response(emulator.events(request.query_params.get("eventName")))

    async def purchases(request: Request) -> Response:
        return json_response(emulator.purchases())

    async def carts(request: Request) -> Response:
        return json_response(emulator.carts())

    async def catalogs(request: Request) -> Response:
        return json_response(emulator.catalogs())

    async def catalog_items(request: Request) -> Response:
        return json_response(emulator.catalog_items(request.path_params["catalogName"]))

    async def write_counts(request: Request) -> Response:
        try:
            return json_response(emulator.write_counts(request.path_params["kind"]))
        except ValueError as error:
            return inspection_error(str(error), 404)

    async def journey_entries(request: Request) -> Response:
        return json_response(emulator.journey_entries())

    async def user_write_sources(request: Request) -> Response:
        return json_response(emulator.user_write_sources())

    async def non_e164_phone_numbers(request: Request) -> Response:
        return json_response(emulator.non_e164_phone_numbers())

    async def field_types(request: Request) -> Response:
        return json_response(emulator.field_types())

    async def requests_log(request: Request) -> Response:
        entries = [entry.as_dict() for entry in emulator.request_log.entries()]
        return json_response({"entries": entries, "counts": emulator.request_counts()})

    async def forgotten(request: Request) -> Response:
        if request.method == "GET":
            return json_response(emulator.forgotten())
        try:
            body = await json_object(request)
            action = emulator.unforget if body.get("unforget") else emulator.forget
            action(email=body.get("email"), user_id=body.get("userId"))
        except ValueError as error:
            return inspection_error(str(error))
        return json_response(emulator.forgotten())

    async def rate_limits(request: Request) -> Response:
        if request.method == "POST":
            try:
                emulator.set_rate_limits(await json_object(request))
            except ValueError as error:
                return inspection_error(str(error))
        return json_response(emulator.rate_limits())

    async def settings(request: Request) -> Response:
        if request.method == "POST":
            try:
                emulator.configure(**await json_object(request))
            except ValueError as error:
                return inspection_error(str(error))
        return json_response(emulator.settings.as_dict())

    async def reset(request: Request) -> Response:
        emulator.reset()
        return json_response({"reset": True})

    return [
        Route(f"{PREFIX}/summary", summary, methods=["GET"]),
        Route(f"{PREFIX}/users", users, methods=["GET"]),
        Route(f"{PREFIX}/events", events, methods=["GET"]),
        Route(f"{PREFIX}/purchases", purchases, methods=["GET"]),
        Route(f"{PREFIX}/carts", carts, methods=["GET"]),
        Route(f"{PREFIX}/catalogs", catalogs, methods=["GET"]),
        Route(f"{PREFIX}/catalogs/{{catalogName}}/items", catalog_items, methods=["GET"]),
        Route(f"{PREFIX}/write_counts/{{kind}}", write_counts, methods=["GET"]),
        Route(f"{PREFIX}/journey_entries", journey_entries, methods=["GET"]),
        Route(f"{PREFIX}/user_write_sources", user_write_sources, methods=["GET"]),
        Route(f"{PREFIX}/field_types", field_types, methods=["GET"]),
        Route(f"{PREFIX}/non_e164_phone_numbers", non_e164_phone_numbers, methods=["GET"]),
        Route(f"{PREFIX}/requests", requests_log, methods=["GET"]),
        Route(f"{PREFIX}/forgotten", forgotten, methods=["GET", "POST"]),
        Route(f"{PREFIX}/faults", faults_endpoint(emulator.faults), methods=["GET", "POST"]),
        Route(f"{PREFIX}/rate_limits", rate_limits, methods=["GET", "POST"]),
        Route(f"{PREFIX}/settings", settings, methods=["GET", "POST"]),
        Route(f"{PREFIX}/reset", reset, methods=["POST"]),
    ]
