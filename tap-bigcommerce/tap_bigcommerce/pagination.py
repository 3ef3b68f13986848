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
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.pagination import BaseAPIPaginator, PageNumberPaginator

from tap_bigcommerce.values import ValueFormatError, to_utc_datetime


class UnreadablePageError(RetriableAPIError):
    """A 2xx answer that is not JSON, or a page whose envelope is not the documented one.

    Retried like a 5xx (a proxy's error page or a cut-off body is usually transient); if it
    persists the run fails naming the request: a whole page cannot be dead-lettered record by
    record, and reading it as empty would silently end the stream.
    """


def response_body(response: requests.Response) -> Any:
    """The JSON body (exact numbers as Decimal), parsed once however many callers ask."""
    if response.status_code == HTTPStatus.NO_CONTENT or not response.content:
        return None
    cached = response.__dict__.get("_bigcommerce_body")
    if cached is None:
        try:
            cached = response.json(parse_float=decimal.Decimal)
        except ValueError as exc:  # requests' JSONDecodeError, a bad encoding
            msg = f"the answer is not JSON ({exc}): {response.text[:200]!r}"
            raise UnreadablePageError(msg, response) from exc
        response.__dict__["_bigcommerce_body"] = cached
    return cached


def page_items(response: requests.Response, api_version: str) -> list[Any]:
    """The records of one list page; UnreadablePageError if the envelope is not a list page.

    v2 lists are a bare JSON array (orders.v2.oas2.yml `paths./orders.get.responses.200`:
    `type: array`); v3 lists are `{data: [...], meta: {...}}` (e.g. customers.v3.yml
    `paths./customers.get.responses.200`: `data` an array). Items that are not objects are left
    for the stream to dead-letter one by one.
    """
    body = response_body(response)
    if body is None:
        return []
    if api_version == "v2":
        if isinstance(body, list):
            return body
        msg = f"a v2 list page must be a JSON array, got {type(body).__name__}"
        raise UnreadablePageError(msg, response)
    data = body.get("data") if isinstance(body, dict) else None
    if isinstance(data, list):
        return data
    msg = "a v3 list page must be an object whose `data` is an array"
    raise UnreadablePageError(msg, response)


def object_body(response: requests.Response) -> dict[str, Any]:
    """A single-resource answer (`/v2/store`, v3 `{data: {...}}`): a JSON object, else retried."""
    body = response_body(response)
    if body is None:
        return {}
    if not isinstance(body, dict):
        msg = f"expected a JSON object, got {type(body).__name__}"
        raise UnreadablePageError(msg, response)
    return body


def record_stamp(item: Any, replication_key: str) -> datetime | None:
    """An item's replication key as UTC, None when missing or unreadable (that record is
    dead-lettered by its stream; paging goes on from the readable ones)."""
    if not isinstance(item, dict):
        return None
    try:
        return to_utc_datetime(item.get(replication_key))
    except (ValueFormatError, ValueError, OverflowError, OSError):
        return None


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
    meta = body.get("meta")
    pagination = (meta.get("pagination") if isinstance(meta, dict) else None) or {}
    if not isinstance(pagination, dict):
        pagination = {}
    current, total = pagination.get("current_page"), pagination.get("total_pages")
    if isinstance(current, int) and isinstance(total, int):
        return current < total
    return len(page_items(response, "v3")) >= page_size


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
            if (stamp := record_stamp(item, self.replication_key)) is not None
        ]
        latest = max(stamps, default=None)
        if latest is None:
            return None
        if current.since is None or latest > current.since:
            return KeysetToken(latest, 1)
        # The whole page shares one timestamp: step through that tie by page number.
        return KeysetToken(current.since, current.page + 1)
