"""Paging: v2 page/limit over bare arrays, v3 page/limit with meta.pagination, v3 cursors."""

from __future__ import annotations

import base64
import binascii
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlencode

from starlette.datastructures import QueryParams

from sandbox.bigcommerce.wire import BadFilter, parse_int

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 250


class LimitTooLarge(ValueError):
    """`limit` above the maximum: BigCommerce answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"The 'limit' parameter must not exceed {MAX_LIMIT}; got {limit}.")
        self.limit = limit


@dataclass(frozen=True)
class PageRequest:
    page: int
    limit: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.limit


def page_request(query: QueryParams, default_limit: int = DEFAULT_LIMIT) -> PageRequest:
    page = parse_int("page", query.get("page"), 1)
    limit = parse_int("limit", query.get("limit"), default_limit)
    if page < 1:
        raise BadFilter("page", str(page))
    if limit < 1:
        raise BadFilter("limit", str(limit))
    if limit > MAX_LIMIT:
        raise LimitTooLarge(limit)
    return PageRequest(page, limit)


def v3_pagination(
    total: int, count: int, request: PageRequest, query: QueryParams
) -> dict[str, Any]:
    total_pages = math.ceil(total / request.limit) if total else 0

    def link(page: int) -> str:
        params = {k: v for k, v in query.items() if k not in {"page", "limit"}}
        params.update({"page": str(page), "limit": str(request.limit)})
        return "?" + urlencode(params)

    links: dict[str, str] = {"current": link(request.page)}
    if request.page > 1:
        links["previous"] = link(request.page - 1)
    if request.page < total_pages:
        links["next"] = link(request.page + 1)
    return {
        "total": total,
        "count": count,
        "per_page": request.limit,
        "current_page": request.page,
        "total_pages": total_pages,
        "links": links,
    }


def slice_page(items: Sequence[T], request: PageRequest) -> Sequence[T]:
    return items[request.offset : request.offset + request.limit]


# -- cursors (customers v3): an opaque token holding the position after a record -------------


def encode_cursor(position: int) -> str:
    return base64.urlsafe_b64encode(f"pos:{position}".encode()).decode().rstrip("=")


def decode_cursor(field: str, token: str) -> int:
    padded = token + "=" * (-len(token) % 4)
    try:
        text = base64.urlsafe_b64decode(padded.encode()).decode()
    except (binascii.Error, UnicodeDecodeError) as error:
        raise BadFilter(field, token) from error
    prefix, _, number = text.partition(":")
    if prefix != "pos" or not number.isdigit():
        raise BadFilter(field, token)
    return int(number)


def cursor_pagination(
    start: int, count: int, limit: int, total: int, query: QueryParams
) -> dict[str, Any]:
    """`start` = position of the first record on this page (0-based)."""
    start_cursor = encode_cursor(start)
    end_cursor = encode_cursor(start + count)
    params = {k: v for k, v in query.items() if k not in {"page", "after", "before"}}
    links: dict[str, str] = {"current": "?" + urlencode(params)}
    if start > 0:
        links["previous"] = "?" + urlencode({**params, "before": start_cursor})
    if start + count < total:
        links["next"] = "?" + urlencode({**params, "after": end_cursor})
    return {
        "count": count,
        "per_page": limit,
        "start_cursor": start_cursor,
        "end_cursor": end_cursor,
        "links": links,
    }
