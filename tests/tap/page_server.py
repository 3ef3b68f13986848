"""A BigCommerce API that serves given records (or given raw answers) over loopback HTTP.

The emulator in sandbox/ answers from its own generated store; the spec-driven fuzz tests and the
bad-record tests need to serve exactly the bodies they generate, so this small Starlette app
does only what the tap relies on for list endpoints, as the specs document it:

- v2 lists are bare arrays, `204 No Content` past the end (orders.v2.oas2.yml
  `paths./orders.get.responses`); v3 lists are `{data, meta.pagination}` (e.g. customers.v3.yml
  `components.schemas.MetaPagination`).
- `page`/`limit` paging; `sort=date_modified[:asc]` / `direction=asc` sorts by `date_modified`;
  the `:min` filters (`date_modified:min`, `min_date_modified`, `created:min`) keep records at
  or after the bound. A record whose timestamp cannot be read is served only on unfiltered
  pages (no real filter could match it), so keyset paging meets it once.
- Orders: `is_deleted=true` lists archived orders only; `status_id` filters by status.

Everything else (`/v2/store`, `/v3/settings/store/locale`, sub-resources) is served as given.
"""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.common.server import serve_in_thread
from tap_bigcommerce.values import ValueFormatError, to_utc_datetime

STORE_HASH = "fuzzstore"
ACCESS_TOKEN = "fuzz-secret-token-0123456789"
MIN_FILTERS = {
    "date_modified:min": "date_modified",
    "min_date_modified": "date_modified",
    "created:min": "created",
}


@dataclass
class RawAnswer:
    """An answer served as is (status, body bytes, content type)."""

    body: bytes
    status: int = 200
    content_type: str = "application/json"


@dataclass
class PageServer:
    """Routes: `v2/orders` -> a list of records (a list endpoint), a dict (one object), or a
    RawAnswer; `*` in a route stands for any id; unknown routes answer an empty list."""

    routes: dict[str, Any] = field(default_factory=dict, repr=False)
    requests: list[str] = field(default_factory=list, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def set(self, route: str, value: Any) -> None:
        self.routes[route] = value

    def answer(self, request: Request) -> Response:
        version, rest = request.path_params["version"], request.path_params["rest"]
        route = f"{version}/{rest}"
        with self._lock:
            self.requests.append(f"{route}?{request.url.query}")
        if request.headers.get("x-auth-token") != ACCESS_TOKEN:
            return Response(status_code=401)
        value = self.routes.get(route, self.routes.get(wildcard(route), []))
        if isinstance(value, RawAnswer):
            return Response(value.body, value.status, media_type=value.content_type)
        if isinstance(value, list):
            return self.list_page(version, value, dict(request.query_params))
        return json_response(value)

    def list_page(self, version: str, records: list[Any], query: dict[str, str]) -> Response:
        selected = [r for r in records if matches(r, query)]
        if query.get("sort", "").startswith("date_modified"):
            selected.sort(key=lambda r: sort_key(r, "date_modified"))
        limit = int(query.get("limit", 50))
        page = int(query.get("page", 1))
        chunk = selected[(page - 1) * limit : page * limit]
        if version == "v2":
            return Response(status_code=204) if not chunk else json_response(chunk)
        total_pages = max(math.ceil(len(selected) / limit), 1)
        pagination = {
            "total": len(selected), "count": len(chunk), "per_page": limit,
            "current_page": page, "total_pages": total_pages, "links": {},
        }  # fmt: skip
        return json_response({"data": chunk, "meta": {"pagination": pagination}})


def wildcard(route: str) -> str:
    """`v2/orders/7/products` -> `v2/orders/*/products`: one answer for every order."""
    return "/".join("*" if part.isdigit() else part for part in route.split("/"))


def json_response(body: Any) -> Response:
    return Response(json.dumps(body, default=str), media_type="application/json")


def stamp_of(record: Any, key: str) -> Any:
    if not isinstance(record, dict):
        return None
    try:
        return to_utc_datetime(record.get(key))
    except ValueFormatError:
        return None


def sort_key(record: Any, key: str) -> tuple[int, Any]:
    stamp = stamp_of(record, key)
    return (0, None) if stamp is None else (1, stamp)  # type: ignore[return-value]


def matches(record: Any, query: dict[str, str]) -> bool:
    for parameter, key in MIN_FILTERS.items():
        if parameter in query:
            bound = to_utc_datetime(query[parameter])
            stamp = stamp_of(record, key)
            if stamp is None or bound is None or stamp < bound:
                return False
    if not isinstance(record, dict):
        return True
    if query.get("is_deleted") == "true" and record.get("is_deleted") is not True:
        return False
    return "status_id" not in query or str(record.get("status_id")) == query["status_id"]


@contextmanager
def serving(server: PageServer) -> Iterator[str]:
    """Serve on a free loopback port; yields the tap's `api_url`."""

    async def handle(request: Request) -> Response:
        return server.answer(request)

    app = Starlette(routes=[Route("/stores/{hash}/{version}/{rest:path}", handle)])
    with serve_in_thread(app) as running:
        yield running.url


def tap_config(api_url: str, tmp_path: Any, **overrides: Any) -> dict[str, Any]:
    config: dict[str, Any] = {
        "store_hash": STORE_HASH,
        "access_token": ACCESS_TOKEN,
        "api_url": api_url,
        "inbox_url": f"sqlite:///{tmp_path / 'inbox.sqlite'}",
        "request_timeout": 5,
        "max_retries": 2,
        "retry_base_seconds": 0.001,
        "retry_max_seconds": 0.002,
        "dead_letter_path": str(tmp_path / "tap-dead-letters.jsonl"),
        "include_archived_orders": False,
    }
    config.update(overrides)
    return config
