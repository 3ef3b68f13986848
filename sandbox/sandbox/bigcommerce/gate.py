"""In front of every API route: store hash, X-Auth-Token, the quota, scopes, Accept/Content-Type.

Adds the four X-Rate-Limit-* headers to every answer under /stores/{hash}/ that passed
authentication, including the 429 when the quota is spent.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sandbox.bigcommerce.errors import api_error
from sandbox.bigcommerce.ratelimit import RateLimiter
from sandbox.bigcommerce.scopes import missing_scope

_JSON_ACCEPTS = ("application/json", "application/*", "*/*")


class ApiGate:
    def __init__(
        self,
        app: ASGIApp,
        *,
        store_hash: str,
        access_token: str,
        limiter: RateLimiter,
        scopes: Callable[[], frozenset[str]],
    ) -> None:
        self.app = app
        self.prefix = f"/stores/{store_hash}/"
        self.access_token = access_token
        self.limiter = limiter
        self.scopes = scopes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or not path.startswith("/stores/"):
            await self.app(scope, receive, send)
            return
        if not path.startswith(self.prefix):
            await api_error(path, 404, "Store not found.")(scope, receive, send)
            return
        headers = Headers(scope=scope)
        token = headers.get("x-auth-token", "")
        if not token or not hmac.compare_digest(token.encode(), self.access_token.encode()):
            message = "You are not authorized to access this resource."
            await api_error(path, 401, message)(scope, receive, send)
            return
        decision = self.limiter.take()
        extra = decision.headers()
        if not decision.allowed:
            response = api_error(
                path, 429, "You have exceeded the request quota for this time window."
            )
        elif scope_needed := missing_scope(
            path[len(self.prefix) - 1 :], scope["method"], self.scopes()
        ):
            message = f"This token lacks the scope this endpoint needs: {scope_needed}."
            response = api_error(path, 403, message)
        elif not _accepts_json(headers.get("accept", "")):
            response = api_error(path, 406, "The requested media type is not supported.")
        elif scope["method"] in {"POST", "PUT"} and not headers.get("content-type", "").startswith(
            "application/json"
        ):
            response = api_error(path, 415, "Content-Type must be application/json.")
        else:
            await self.app(scope, receive, _with_headers(send, extra))
            return
        await response(scope, receive, _with_headers(send, extra))


def _accepts_json(accept: str) -> bool:
    if not accept:
        return True
    return any(kind in accept for kind in _JSON_ACCEPTS)


def _with_headers(send: Send, extra: list[tuple[bytes, bytes]]) -> Send:
    async def wrapped(message: Message) -> None:
        if message["type"] == "http.response.start":
            message = {**message, "headers": [*message.get("headers", []), *extra]}
        await send(message)

    return wrapped
