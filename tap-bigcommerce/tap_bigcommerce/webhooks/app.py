"""The webhook receiver: authenticate, bound, validate, store once, then answer 200.

Status codes: 401 unauthenticated or bad signature, 413 body over the limit, 415 not JSON,
400 malformed JSON, 422 JSON without the BigCommerce envelope (`scope`, `hash`, `data`),
503 when the inbox cannot be written (BigCommerce retries), 200 once the delivery is stored
(or was already stored: a duplicate `hash`).
"""

from __future__ import annotations

import json
import logging
from typing import Any

from sqlalchemy.exc import SQLAlchemyError
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from tap_bigcommerce.inbox import Inbox, unix_seconds
from tap_bigcommerce.webhooks.auth import AuthenticationError, WebhookAuthenticator

LOGGER = logging.getLogger("tap_bigcommerce.webhooks")
DEFAULT_PATH = "/webhooks/bigcommerce"
DEFAULT_MAX_BODY_BYTES = 64 * 1024


class BodyTooLargeError(Exception):
    pass


def _problem(status: int, detail: str) -> JSONResponse:
    return JSONResponse({"status": status, "detail": detail}, status_code=status)


async def _read_bounded(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLargeError
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLargeError
        chunks.append(chunk)
    return b"".join(chunks)


def envelope_problem(payload: Any) -> str | None:
    """What is wrong with a delivery's JSON, or None when it is a BigCommerce webhook."""
    if not isinstance(payload, dict):
        return "the body must be a JSON object"
    for name in ("scope", "hash"):
        if not isinstance(payload.get(name), str) or not payload[name]:
            return f"field {name!r} must be a non-empty string"
    if not isinstance(payload.get("data"), dict):
        return "field 'data' must be an object"
    created_at = payload.get("created_at")
    if created_at is not None and unix_seconds(created_at) is None:
        return "field 'created_at' must be Unix seconds"
    return None


def build_app(
    inbox: Inbox,
    authenticator: WebhookAuthenticator,
    *,
    path: str = DEFAULT_PATH,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> Starlette:
    async def receive(request: Request) -> Response:
        try:
            authenticator.check_header(request.headers)
            body = await _read_bounded(request, max_body_bytes)
            authenticator.check_signature(request.headers, body)
        except AuthenticationError as exc:
            LOGGER.warning("Rejected webhook delivery: %s", exc)
            return _problem(401, str(exc))
        except BodyTooLargeError:
            return _problem(413, f"body larger than {max_body_bytes} bytes")
        content_type = request.headers.get("content-type", "")
        if content_type.split(";")[0].strip().lower() != "application/json":
            return _problem(415, "Content-Type must be application/json")
        try:
            payload = json.loads(body)
        except (UnicodeDecodeError, json.JSONDecodeError):
            return _problem(400, "the body is not valid JSON")
        problem = envelope_problem(payload)
        if problem is not None:
            return _problem(422, problem)
        try:
            stored = await run_in_threadpool(inbox.add, payload)
        except SQLAlchemyError as exc:
            LOGGER.error("Could not store webhook %s: %s", payload["hash"], type(exc).__name__)
            return _problem(503, "the inbox is unavailable; retry later")
        if not stored:
            LOGGER.info("Duplicate webhook %s (%s) ignored", payload["hash"], payload["scope"])
        # BigCommerce advises an empty 200 answer, sent quickly.
        return Response(status_code=200)

    async def health(request: Request) -> Response:
        return JSONResponse({"status": "ok"})

    return Starlette(
        routes=[Route(path, receive, methods=["POST"]), Route("/healthz", health, methods=["GET"])]
    )
