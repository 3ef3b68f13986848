"""Iterable's REST API over HTTP: auth, rate limits, body checks, then the operation.

Every endpoint goes through `IterableApi.endpoint`, which answers in this order, like Iterable:
401 BadApiKey, 429 RateLimitExceeded, 413 body too large, 400 BadJsonBody (not JSON, or not the
Swagger model), then whatever the operation decides.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import Route

from sandbox.iterable import catalogs, commerce, events, export, identity_changes, users
from sandbox.iterable.emulator import IterableEmulator
from sandbox.iterable.errors import IterableError, json_response, success
from sandbox.iterable.validation import validate_body

Operation = Callable[[Request, Any], Response]


class IterableApi:
    def __init__(self, emulator: IterableEmulator) -> None:
        self.emulator = emulator
        self.state = emulator.state

    def endpoint(
        self,
        operation: Operation,
        *,
        rate: str | None = None,
        definition: str | None = None,
        bulk: bool = False,
    ) -> Callable[[Request], Any]:
        async def handle(request: Request) -> Response:
            try:
                self._authenticate(request)
                if rate is not None and not self.emulator.rate_limiter.allow(rate):
                    raise IterableError(
                        429,
                        "RateLimitExceeded",
                        f"Exceeded rate limit for endpoint: {request.url.path}, "
                        f"project: {self.state.project_id} ",
                        {},
                    )
                body = None
                if definition is not None:
                    raw = await request.body()
                    self._check_size(raw, bulk)
                    body = _parse_json(raw, request.url.path)
                    validate_body(request.url.path, definition, body)
                with self.state.lock:
                    return operation(request, body)
            except IterableError as error:
                return json_response(error.body(), error.status)

        return handle

    def _authenticate(self, request: Request) -> None:
        # Iterable reads `Api-Key` (or `Api_Key`); header names are case-insensitive.
        given = request.headers.get("api-key") or request.headers.get("api_key") or ""
        if not hmac.compare_digest(given.encode(), self.emulator.api_key.encode()):
            client = request.client.host if request.client else ""
            raise IterableError(
                401, "BadApiKey", "Invalid API key", {"ip": client, "endpoint": request.url.path}
            )

    def _check_size(self, raw: bytes, bulk: bool) -> None:
        limit = self.emulator.settings.max_bulk_body_bytes
        if bulk and len(raw) > limit:
            raise IterableError(
                413,
                "BatchTooLarge",
                f"Request body is {len(raw)} bytes; the maximum is {limit} bytes",
                {"limit": limit, "received": len(raw)},
            )

    # Users -----------------------------------------------------------------------------------

    def update_user(self, request: Request, body: Any) -> Response:
        users.update_user(self.state, self.emulator.settings, body)
        return success("")

    def bulk_update(self, request: Request, body: Any) -> Response:
        return json_response(users.bulk_update(self.state, self.emulator.settings, body))

    def get_by_email(self, request: Request, body: Any) -> Response:
        email = request.path_params.get("email", request.query_params.get("email"))
        settings = self.emulator.settings
        return json_response(users.get_user(self.state, settings, email=email, user_id=None))

    def get_by_user_id(self, request: Request, body: Any) -> Response:
        user_id = request.path_params.get("userId", request.query_params.get("userId"))
        settings = self.emulator.settings
        return json_response(users.get_user(self.state, settings, email=None, user_id=user_id))

    def delete_by_email(self, request: Request, body: Any) -> Response:
        return success(users.delete_by_email(self.state, request.path_params["email"]))

    def delete_by_user_id(self, request: Request, body: Any) -> Response:
        return success(users.delete_by_user_id(self.state, request.path_params["userId"]))

    def update_email(self, request: Request, body: Any) -> Response:
        identity_changes.update_email(self.state, body)
        return success("")

    def merge(self, request: Request, body: Any) -> Response:
        identity_changes.merge(self.state, body)
        return success("")

    def forget(self, request: Request, body: Any) -> Response:
        users.forget(self.state, email=body.get("email"), user_id=body.get("userId"))
        return success("")

    # Events and commerce ---------------------------------------------------------------------

    def track(self, request: Request, body: Any) -> Response:
        tracked = events.track(self.state, self.emulator.settings, body)
        params = None if tracked.event_id is None else {"id": tracked.event_id}
        return success(tracked.message, params)

    def track_bulk(self, request: Request, body: Any) -> Response:
        return json_response(events.track_bulk(self.state, self.emulator.settings, body))

    def track_purchase(self, request: Request, body: Any) -> Response:
        purchase_id = commerce.track_purchase(self.state, self.emulator.settings, body)
        return success(f"Purchase with id: {purchase_id} tracked.", {"id": purchase_id})

    def update_cart(self, request: Request, body: Any) -> Response:
        commerce.update_cart(self.state, self.emulator.settings, body)
        return success("")

    # Catalogs --------------------------------------------------------------------------------

    def create_catalog(self, request: Request, body: Any) -> Response:
        created = catalogs.create_catalog(self.state, request.path_params["catalogName"])
        return success(f"Catalog {created['name']} created", created, status=201)

    def delete_catalog(self, request: Request, body: Any) -> Response:
        catalogs.delete_catalog(self.state, request.path_params["catalogName"])
        return success("Catalog deleted")

    def list_catalogs(self, request: Request, body: Any) -> Response:
        return success("", catalogs.list_catalogs(self.state))

    def bulk_upload(self, request: Request, body: Any) -> Response:
        name = request.path_params["catalogName"]
        msg = catalogs.bulk_upload(self.state, self.emulator.settings, name, body)
        return success(msg, None)

    def bulk_delete(self, request: Request, body: Any) -> Response:
        catalogs.delete_items(self.state, request.path_params["catalogName"], body["itemIds"])
        return success("Bulk delete catalog items request received.", None, status=202)

    def list_items(self, request: Request, body: Any) -> Response:
        page = _int_param(request, "page", 1)
        page_size = _int_param(request, "pageSize", 10)
        listed = catalogs.list_items(
            self.state, request.path_params["catalogName"], page, page_size
        )
        return success("", listed)

    def get_item(self, request: Request, body: Any) -> Response:
        params = request.path_params
        return json_response(catalogs.get_item(self.state, params["catalogName"], params["itemId"]))

    def put_item(self, request: Request, body: Any) -> Response:
        params = request.path_params
        catalogs.put_item(
            self.state,
            self.emulator.settings,
            params["catalogName"],
            params["itemId"],
            body["value"],
        )
        return success("Catalog item update request received.", None, status=202)

    def patch_item(self, request: Request, body: Any) -> Response:
        params = request.path_params
        catalogs.patch_item(
            self.state,
            self.emulator.settings,
            params["catalogName"],
            params["itemId"],
            body["update"],
        )
        return success("Catalog item update request received.", None, status=202)

    def delete_item(self, request: Request, body: Any) -> Response:
        params = request.path_params
        catalogs.get_item(self.state, params["catalogName"], params["itemId"])
        catalogs.delete_items(self.state, params["catalogName"], [params["itemId"]])
        return success("Received request to delete item.", None, status=202)

    def get_field_mappings(self, request: Request, body: Any) -> Response:
        return success("", catalogs.field_mappings(self.state, request.path_params["catalogName"]))

    def put_field_mappings(self, request: Request, body: Any) -> Response:
        name = request.path_params["catalogName"]
        catalogs.update_field_mappings(self.state, name, body["mappingsUpdates"])
        return success("Catalog field mappings updated")

    # Export ----------------------------------------------------------------------------------

    def export_data(self, request: Request, body: Any) -> Response:
        query = dict(request.query_params)
        only = request.query_params.getlist("onlyFields")
        delay = self.emulator.settings.read_delay_seconds
        text = export.export_lines(self.state, query, only, delay)
        return PlainTextResponse(text, media_type="application/x-json-stream")

    def routes(self) -> list[Route]:
        e = self.endpoint
        return [
            Route("/api/users/update", e(self.update_user, rate="users/update",
                  definition="ApiUserUpdateRequest"), methods=["POST"]),
            Route("/api/users/bulkUpdate", e(self.bulk_update, rate="users/bulkUpdate",
                  definition="BulkUpdateUsersRequest", bulk=True), methods=["POST"]),
            Route("/api/users/getByEmail", e(self.get_by_email, rate="users/get"), methods=["GET"]),
            Route("/api/users/byUserId", e(self.get_by_user_id, rate="users/get"), methods=["GET"]),
            Route("/api/users/forget", e(self.forget, rate="users/forget",
                  definition="UserRequest"), methods=["POST"]),
            Route("/api/users/updateEmail", e(self.update_email,
                  definition="UpdateEmailRequest"), methods=["POST"]),
            Route("/api/users/merge", e(self.merge, rate="users/merge",
                  definition="MergeUsersRequest"), methods=["POST"]),
            Route("/api/users/byUserId/{userId:path}", e(self.get_by_user_id, rate="users/get"),
                  methods=["GET"]),
            Route("/api/users/byUserId/{userId:path}", e(self.delete_by_user_id,
                  rate="users/delete"), methods=["DELETE"]),
            Route("/api/users/{email:path}", e(self.get_by_email, rate="users/get"),
                  methods=["GET"]),
            Route("/api/users/{email:path}", e(self.delete_by_email, rate="users/delete"),
                  methods=["DELETE"]),
            Route("/api/events/track", e(self.track, rate="events/track",
                  definition="TrackRequest"), methods=["POST"]),
            Route("/api/events/trackBulk", e(self.track_bulk, rate="events/trackBulk",
                  definition="BulkTrackRequest", bulk=True), methods=["POST"]),
            Route("/api/commerce/trackPurchase", e(self.track_purchase,
                  rate="commerce/trackPurchase", definition="TrackPurchaseRequest"),
                  methods=["POST"]),
            Route("/api/commerce/updateCart", e(self.update_cart, rate="commerce/updateCart",
                  definition="UpdateCartRequest"), methods=["POST"]),
            Route("/api/catalogs", e(self.list_catalogs, rate="catalogs/read"), methods=["GET"]),
            Route("/api/catalogs/{catalogName}", e(self.create_catalog), methods=["POST"]),
            Route("/api/catalogs/{catalogName}", e(self.delete_catalog), methods=["DELETE"]),
            Route("/api/catalogs/{catalogName}/items", e(self.bulk_upload, rate="catalogs/items",
                  definition="CatalogBulkUploadRequest"), methods=["POST"]),
            Route("/api/catalogs/{catalogName}/items", e(self.list_items, rate="catalogs/read"),
                  methods=["GET"]),
            Route("/api/catalogs/{catalogName}/items", e(self.bulk_delete,
                  definition="CatalogBulkDeleteRequest"), methods=["DELETE"]),
            Route("/api/catalogs/{catalogName}/items/{itemId}", e(self.get_item,
                  rate="catalogs/read"), methods=["GET"]),
            Route("/api/catalogs/{catalogName}/items/{itemId}", e(self.put_item,
                  rate="catalogs/item", definition="CatalogIndexItemRequest"), methods=["PUT"]),
            Route("/api/catalogs/{catalogName}/items/{itemId}", e(self.patch_item,
                  definition="CatalogUpdateItemRequest"), methods=["PATCH"]),
            Route("/api/catalogs/{catalogName}/items/{itemId}", e(self.delete_item),
                  methods=["DELETE"]),
            Route("/api/catalogs/{catalogName}/fieldMappings", e(self.get_field_mappings),
                  methods=["GET"]),
            Route("/api/catalogs/{catalogName}/fieldMappings", e(self.put_field_mappings,
                  definition="CatalogMappingsUpdateRequest"), methods=["PUT"]),
            Route("/api/export/data.json", e(self.export_data, rate="export/data.json"),
                  methods=["GET"]),
        ]  # fmt: skip


def _parse_json(raw: bytes, endpoint: str) -> Any:
    try:
        return json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise IterableError(
            400, "BadJsonBody", f"[{endpoint}] Invalid JSON body", {"obj": "Invalid Json"}
        ) from None


def _int_param(request: Request, name: str, default: int) -> int:
    raw = request.query_params.get(name)
    if raw is None:
        return default
    if not raw.isdigit() or int(raw) < 1:
        raise IterableError(400, "BadParams", f"{name} must be a positive integer", {name: raw})
    return int(raw)
