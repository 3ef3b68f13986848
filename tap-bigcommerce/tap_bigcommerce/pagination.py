"""Paginators for BigCommerce's two list styles, plus keyset paging on `date_modified`.

- v2 lists are bare JSON arrays paged by `page`/`limit`; an empty page is `204 No Content`
  (or `200 []`), and a page shorter than `limit` is the last one.
- v3 lists are `{"data": [...], "meta": {"pagination": {current_page, total_pages, ...}}}`.
- Keyset: for streams sorted by `date_modified` ascending, each next page asks for records
  modified at or after the last one seen (`page=1` again) instead of the next offset. Offsets
  skip a record whenever another one is modified mid-run and moves to the end of the sort
  order; a keyset does not. Ties longer than a page fall back to the next page number.
"""

from __future__ import annotations

import decimal
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from typing import Any

import requests
from singer_sdk.pagination import BaseAPIPaginator, PageNumberPaginator

from tap_bigcommerce.values import to_utc_datetime


def response_body(response: requests.Response) -> Any:
    """The JSON body (exact numbers as Decimal), parsed once however many callers ask."""
    if response.status_code == HTTPStatus.NO_CONTENT or not response.content:
        return None
    cached = response.__dict__.get("_bigcommerce_body")
    if cached is None:
        cached = response.json(parse_float=decimal.Decimal)
        response.__dict__["_bigcommerce_body"] = cached
    return cached


def page_items(response: requests.Response, api_version: str) -> list[dict[str, Any]]:
    """The records of one list page."""
    body = response_body(response)
    if body is None:
        return []
    if api_version == "v2":
        return body if isinstance(body, list) else []
    data = body.get("data") if isinstance(body, dict) else None
    return data if isinstance(data, list) else []


class V2PagePaginator(PageNumberPaginator):
    """`page`/`limit` until a 204 or a short page."""

    def __init__(self, page_size: int) -> None:
        super().__init__(start_value=1)
        self.page_size = page_size

    def has_more(self, response: requests.Response) -> bool:
        return len(page_items(response, "v2")) >= self.page_size


class V3PagePaginator(PageNumberPaginator):
    """`page`/`limit` until `meta.pagination.current_page` reaches `total_pages`."""

    def __init__(self, page_size: int) -> None:
        super().__init__(start_value=1)
        self.page_size = page_size

    def has_more(self, response: requests.Response) -> bool:
        return v3_has_more(response, self.page_size)


def v3_has_more(response: requests.Response, page_size: int) -> bool:
    """Whether a v3 list goes on: by its `meta.pagination`, else by a full page.

    The page counts save the empty page a full last page would otherwise cost.
    """
    body = response_body(response)
    if not isinstance(body, dict):
        return False
    pagination = (body.get("meta") or {}).get("pagination") or {}
    current, total = pagination.get("current_page"), pagination.get("total_pages")
    if isinstance(current, int) and isinstance(total, int):
        return current < total
    return len(body.get("data") or []) >= page_size


@dataclass(frozen=True)
class KeysetToken:
    """Ask for records modified at or after `since` (None: from the beginning), page `page`."""

    since: datetime | None
    page: int = 1


class DateModifiedKeysetPaginator(BaseAPIPaginator[KeysetToken]):
    """Next page = records from the latest `date_modified` seen so far, page 1."""

    def __init__(
        self, start: datetime | None, page_size: int, api_version: str, replication_key: str
    ) -> None:
        super().__init__(KeysetToken(start))
        self.page_size = page_size
        self.api_version = api_version
        self.replication_key = replication_key

    def has_more(self, response: requests.Response) -> bool:
        if self.api_version == "v3":
            # The query is "modified at or after `since`": its last page ends the stream.
            return v3_has_more(response, self.page_size)
        return len(page_items(response, self.api_version)) >= self.page_size

    def get_next(self, response: requests.Response) -> KeysetToken | None:
        current = self.current_value
        stamps = [
            stamp
            for item in page_items(response, self.api_version)
            if (stamp := to_utc_datetime(item.get(self.replication_key))) is not None
        ]
        latest = max(stamps, default=None)
        if latest is None:
            return None
        if current.since is None or latest > current.since:
            return KeysetToken(latest, 1)
        # The whole page shares one timestamp: step through that tie by page number.
        return KeysetToken(current.since, current.page + 1)
