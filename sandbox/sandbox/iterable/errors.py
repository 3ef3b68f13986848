"""Iterable's answers: the `{msg, code, params}` envelope and the catalog 404 envelope."""

from __future__ import annotations

import json
from typing import Any

from starlette.responses import Response


class IterableError(Exception):
    """An error answer the emulator sends as Iterable would."""

    def __init__(
        self,
        status: int,
        code: str,
        msg: str,
        params: dict[str, Any] | None = None,
        *,
        envelope: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(msg)
        self.status = status
        self.code = code
        self.msg = msg
        self.params = params
        # Some endpoints (catalogs) answer with a different body shape.
        self.envelope = envelope

    def body(self) -> dict[str, Any]:
        if self.envelope is not None:
            return self.envelope
        return {"msg": self.msg, "code": self.code, "params": self.params}


def json_response(body: Any, status: int = 200) -> Response:
    content = json.dumps(body, separators=(",", ":"), ensure_ascii=False).encode()
    return Response(content, status_code=status, media_type="application/json")


def success(msg: str = "", params: dict[str, Any] | None = None, status: int = 200) -> Response:
    return json_response({"msg": msg, "code": "Success", "params": params}, status)


def too_many(what: str, received: int, limit: int) -> IterableError:
    """413 for a bulk request over its item limit (1000 users, events or catalog documents)."""
    return IterableError(
        413,
        "BatchTooLarge",
        f"Too many {what} in one request: {received} > {limit}",
        {"limit": limit, "received": received},
    )


def bad_params(msg: str, params: dict[str, Any] | None = None) -> IterableError:
    return IterableError(400, "BadParams", msg, params)


def bad_json(endpoint: str, params: dict[str, Any]) -> IterableError:
    """Iterable's answer to a body that does not match its model (one bad element fails all)."""
    return IterableError(400, "BadJsonBody", f"[{endpoint}] Invalid JSON body", params)


def catalog_not_found(name: str) -> IterableError:
    return IterableError(
        404,
        "error.catalogs.notFound",
        f"Catalog not found: {name}",
        envelope={
            "error": "NotFound",
            "message": f"Catalog not found: {name}",
            "code": "error.catalogs.notFound",
            "data": {"args": [name]},
        },
    )


def catalog_item_not_found(catalog: str, item_id: str) -> IterableError:
    return IterableError(
        404,
        "error.catalogs.itemNotFound",
        f"Catalog item not found: {catalog}/{item_id}",
        envelope={
            "error": "NotFound",
            "message": f"Catalog item not found: {catalog}/{item_id}",
            "code": "error.catalogs.itemNotFound",
            "data": {"args": [catalog, item_id]},
        },
    )
