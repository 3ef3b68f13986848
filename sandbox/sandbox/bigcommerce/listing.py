"""A v3 collection answer: one page of records with `meta.pagination`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from starlette.requests import Request
from starlette.responses import Response

from sandbox.bigcommerce.paging import PageRequest, page_request, slice_page, v3_pagination
from sandbox.bigcommerce.responses import ExactJSONResponse

T = TypeVar("T")
Render = Callable[[T], dict[str, Any] | None]


def v3_page_body(
    request: Request, ids: Sequence[T], render: Render[T], paging: PageRequest
) -> dict[str, Any]:
    """Page over `ids` (or ready records) and render each on the page."""
    page = slice_page(ids, paging)
    data = [body for body in (render(item) for item in page) if body is not None]
    meta = {"pagination": v3_pagination(len(ids), len(data), paging, request.query_params)}
    return {"data": data, "meta": meta}


def v3_page(request: Request, ids: Sequence[T], render: Render[T]) -> Response:
    paging = page_request(request.query_params)
    return ExactJSONResponse(v3_page_body(request, ids, render, paging))
