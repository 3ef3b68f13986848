"""The BigCommerce RESTStream base for v2 and v3 endpoints, and its incremental variants."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from functools import cached_property
from http import HTTPStatus
from typing import TYPE_CHECKING, Any, ClassVar, Literal
from urllib.parse import urlsplit

import requests
from singer_sdk import RESTStream
from singer_sdk.authenticators import APIKeyAuthenticator
from singer_sdk.helpers.types import Context
from singer_sdk.pagination import BaseAPIPaginator

from tap_bigcommerce import api
from tap_bigcommerce.pagination import (
    DateModifiedKeysetPaginator,
    KeysetToken,
    V2PagePaginator,
    V3PagePaginator,
    object_body,
    page_items,
    record_stamp,
)
from tap_bigcommerce.values import (
    Normalizer,
    ValueFormatError,
    compile_normalizer,
)

if TYPE_CHECKING:
    from tap_bigcommerce.tap import TapBigCommerce

# What a record the tap cannot read raises while it is reshaped and normalised: a shape the
# stream's code did not expect (e.g. an object where the spec allows a string) is one bad record,
# not a reason to stop the sync. API errors (FatalAPIError, RetriableAPIError) are not among them.
RECORD_ERRORS: tuple[type[Exception], ...] = (
    ValueError,
    TypeError,
    KeyError,
    AttributeError,
    ArithmeticError,
    IndexError,
)

# Filters are sent one second early: BigCommerce documents `:min` filters as "modified after this
# date", so the boundary second may be excluded; re-read records are dropped in post_process.
FILTER_OVERLAP = timedelta(seconds=1)


class BigCommerceStream(RESTStream[Any]):
    """One BigCommerce list endpoint. Subclasses set `name`, `path`, `schema`, `api_version`."""

    api_version: ClassVar[str] = "v3"
    primary_keys: ClassVar[tuple[str, ...]] = ("id",)
    # Fields a record is useless without downstream (the mapper's tap contract): the primary
    # key, plus e.g. a refund's order. A record without one is dead-lettered.
    required_references: ClassVar[tuple[str, ...]] = ()
    # Extra query parameters every request of the stream sends (e.g. `include`).
    extra_params: ClassVar[dict[str, str]] = {}

    def __init__(self, tap: TapBigCommerce, **kwargs: Any) -> None:
        # Kept here: the SDK keeps the tap only in a private attribute.
        self.bigcommerce_tap = tap
        super().__init__(tap, **kwargs)

    @property
    def url_base(self) -> str:
        return self.bigcommerce_tap.store_settings.base_url(self.api_version)

    @cached_property
    def authenticator(self) -> APIKeyAuthenticator:
        return APIKeyAuthenticator(
            key=api.AUTH_HEADER, value=self.config["access_token"], location="header"
        )

    @property
    def http_headers(self) -> dict[str, str]:
        return {"Accept": "application/json"}

    @property
    def user_agent(self) -> str:
        return self.bigcommerce_tap.store_settings.user_agent

    @property
    def timeout(self) -> int:
        return int(self.config["request_timeout"])

    @property
    def requests_session(self) -> requests.Session:
        return self.bigcommerce_tap.session

    @cached_property
    def normalizer(self) -> Normalizer:
        return compile_normalizer(self.schema)

    @cached_property
    def page_size(self) -> int:
        return int(self.config["page_size"])

    # Errors and retries: one policy for the whole tap, in `api`.

    def validate_response(self, response: requests.Response) -> None:
        api.check_response(response)
        if self.is_own_list_request(response):
            self.check_page(response)

    def is_own_list_request(self, response: requests.Response) -> bool:
        """The stream's own list endpoint (sub-resources check their answers in get_json_url)."""
        request_path = urlsplit(response.request.url or "").path
        return request_path.endswith(f"/{self.api_version}{self.path}")

    def check_page(self, response: requests.Response) -> None:
        """Inside the retried request: an answer that is not a list page is retried like a 5xx."""
        page_items(response, self.api_version)

    def request_decorator(self, func: Callable[..., Any]) -> Callable[..., Any]:
        return api.with_retries(func, self.bigcommerce_tap.store_settings.retry, self.logger)

    # Paging and parsing.

    def get_new_paginator(self) -> BaseAPIPaginator[Any]:
        if self.api_version == "v2":
            return V2PagePaginator(self.page_size)
        return V3PagePaginator(self.page_size)

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        return {**self.extra_params, "limit": self.page_size, "page": next_page_token or 1}

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        yield from page_items(response, self.api_version)

    def request_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """Page through the endpoint; on 413 halve the page size and start over."""
        while True:
            self.before_pages(context)
            try:
                yield from super().request_records(context)
            except api.PageTooLargeError:
                if self.page_size <= 1:
                    raise
                smaller = max(self.page_size // 2, 1)
                self.logger.warning(
                    "%s: page size %d is too large for this endpoint (413), retrying with %d",
                    self.name,
                    self.page_size,
                    smaller,
                )
                self.page_size = smaller
                continue
            return

    def log_sync_costs(self) -> None:
        super().log_sync_costs()
        streams = list(self.bigcommerce_tap.streams.values())
        if streams and streams[-1] is self:  # the SDK's last call of a run (see Tap.sync_all)
            self.bigcommerce_tap.log_run_summary()

    def before_pages(self, context: Context | None) -> None:
        """Hook: reset per-pass state before the first page is requested."""

    # Records.

    def transform(self, record: dict[str, Any], context: Context | None) -> dict[str, Any] | None:
        """Hook for stream-specific reshaping before normalisation; None drops the record."""
        return record

    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        """Reshape and normalise one record; one the tap cannot read is dead-lettered (rule:
        one bad record never stops the sync) unless `on_bad_record` is `fail`."""
        plan = self.bigcommerce_tap.replay_plan
        if plan is not None and not plan.wants(self.name, _key(row)):
            return None  # a replay emits the dead-lettered records only
        raw = copy.deepcopy(row)  # the letter holds the record as BigCommerce sent it
        try:
            return self.normalise_record(row, context)
        except RECORD_ERRORS as exc:
            record_id = raw.get(self.primary_keys[0]) if isinstance(raw, dict) else None
            field = exc.field if isinstance(exc, ValueFormatError) else None
            reason = exc if isinstance(exc, ValueFormatError) else f"{type(exc).__name__}: {exc}"
            error = ValueFormatError(f"{self.name} record {record_id!r}: {reason}", field)
            self.bigcommerce_tap.bad_records.handle(
                self.name, raw, error, self.config["store_hash"]
            )
            return None

    @property
    def contract_keys(self) -> tuple[str, ...]:
        return (*self.primary_keys, *self.required_references)

    def normalise_record(self, row: Any, context: Context | None) -> dict[str, Any] | None:
        if not isinstance(row, dict):
            msg = f"not a JSON object: {type(row).__name__}"
            raise ValueFormatError(msg)
        missing = [key for key in self.contract_keys if row.get(key) in (None, "")]
        if missing:
            # Optional in several spec schemas, but a record without them cannot be told apart
            # from others downstream (and the SDK would fail the run on a missing key).
            msg = f"field {missing[0]}: missing (the record cannot be used without it)"
            raise ValueFormatError(msg, missing[0])
        transformed = self.transform(row, context)
        if transformed is None:
            return None
        transformed["store_hash"] = self.config["store_hash"]
        normalized: dict[str, Any] = self.normalizer(transformed)
        if self.replication_key:
            # No spec requires the replication key (e.g. customers.v2.yml
            # `components.schemas.customerGroup_Full.properties.date_modified` is optional); the
            # SDK's bookmark update reads it unconditionally: a record without it crashed the run.
            normalized.setdefault(self.replication_key, None)
        return normalized

    # Sub-resources (e.g. an order's products when they were not embedded).

    def get_json(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        expect: Literal["list", "object"] = "object",
    ) -> requests.Response:
        """GET `{url_base}{path}` with the stream's auth, pacing and retries."""
        return self.get_json_url(f"{self.url_base}{path}", params, expect)

    def get_json_url(
        self,
        url: str,
        params: Mapping[str, Any] | None = None,
        expect: Literal["list", "object"] = "object",
    ) -> requests.Response:
        """GET any URL of this store's API with the stream's auth, pacing and retries; an answer
        that is not the `expect`ed JSON (a list page, or an object) is retried like a 5xx."""
        prepared = self.build_prepared_request(
            method="GET",
            url=url,
            params=dict(params or {}),
            headers=self.http_headers,
        )

        def send(request: requests.PreparedRequest) -> requests.Response:
            response = self._send(request)
            if expect == "list":
                page_items(response, self.api_version)
            elif response.status_code < HTTPStatus.BAD_REQUEST:
                object_body(response)
            return response

        response: requests.Response = self.request_decorator(send)(prepared)
        return response

    def _send(self, prepared: requests.PreparedRequest) -> requests.Response:
        # What the SDK's private `RESTStream._request` does, from public members (without its
        # request-duration metric): authenticate, send on the paced session, check the answer.
        response = self.requests_session.send(
            self.authenticator(prepared), timeout=self.timeout, allow_redirects=self.allow_redirects
        )
        self.validate_response(response)
        return response

    def get_all_pages(self, path: str, params: Mapping[str, Any] | None = None) -> list[Any]:
        """Every item of a paged list sub-resource (v2: until 204 or a short page)."""
        items: list[Any] = []
        page = 1
        while True:
            response = self.get_json(
                path, {**(params or {}), "limit": 250, "page": page}, expect="list"
            )
            batch = page_items(response, self.api_version)
            items.extend(batch)
            if len(batch) < 250:
                return items
            page += 1


class IncrementalStream(BigCommerceStream):
    """Incremental on a timestamp with an inclusive start (re-reading the boundary second)."""

    replication_key: ClassVar[str] = "date_modified"
    # Query parameter names for the lower bound, and the sort that makes the stream sorted.
    min_filter_param: ClassVar[str] = "date_modified:min"
    sort_params: ClassVar[dict[str, str]] = {}

    _floor: datetime | None = None
    _ids_at_floor: set[Any]

    def before_pages(self, context: Context | None) -> None:
        plan = self.bigcommerce_tap.replay_plan
        self._floor = (
            plan.since.get(self.name) if plan is not None else self.get_starting_timestamp(context)
        )
        self._ids_at_floor = set()

    def format_filter_time(self, value: datetime) -> str:
        if self.api_version == "v2":
            return value.isoformat()
        return value.strftime("%Y-%m-%dT%H:%M:%SZ")

    def filter_params(self, since: datetime | None) -> dict[str, str]:
        if since is None:
            return {}
        return {self.min_filter_param: self.format_filter_time(since - FILTER_OVERLAP)}

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        params = super().get_url_params(context, next_page_token)
        return {**params, **self.sort_params, **self.filter_params(self._floor)}

    def is_already_emitted(self, record: Mapping[str, Any]) -> bool:
        """True for records from the re-read overlap: older than the floor, or at it and seen."""
        stamp = record_stamp(record, self.replication_key)
        if stamp is None or self._floor is None:
            return False
        if stamp < self._floor:
            return True
        return stamp == self._floor and _key(record) in self._ids_at_floor

    def remember_emitted(self, record: Mapping[str, Any]) -> None:
        stamp = record_stamp(record, self.replication_key)
        if stamp is None:
            return
        if self._floor is None or stamp > self._floor:
            self._floor = stamp
            self._ids_at_floor = {_key(record)}
        elif stamp == self._floor:
            self._ids_at_floor.add(_key(record))

    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        if self.is_already_emitted(row):
            return None
        record = super().post_process(row, context)
        if record is not None and self.is_sorted:
            self.remember_emitted(row)
        return record


def _key(record: Any) -> Any:
    """A record's id, hashable (a spec may allow an object there; that record is dead-lettered)."""
    value = record.get("id") if isinstance(record, dict) else None
    return value if isinstance(value, str | int) else repr(value)


class UnsortedResponseError(RuntimeError):
    """The API answered records out of `date_modified` order or outside the filter.

    Keyset paging relies on both; continuing would skip records, so the run stops instead.
    """


class KeysetStream(IncrementalStream):
    """Sorted by `date_modified` ascending and paged by keyset: resumable mid-stream."""

    is_sorted = True
    _request_since: datetime | None = None

    def check_order(self, row: Mapping[str, Any]) -> None:
        """Fail on a record keyset paging cannot account for (instead of dropping it)."""
        stamp = record_stamp(row, self.replication_key)
        since = self._request_since
        if stamp is None or since is None:
            return
        if stamp < since - FILTER_OVERLAP:
            problem = f"older than the requested {self.min_filter_param}"
        elif self._floor is not None and since < stamp < self._floor:
            problem = f"after a record modified at {self._floor.isoformat()}"
        else:
            return
        msg = (
            f"{self.name}: record {_key(row)!r} modified at {stamp.isoformat()} came "
            f"{problem}; BigCommerce ignored the sort or the filter, so paging by "
            f"{self.replication_key} would skip records"
        )
        raise UnsortedResponseError(msg)

    def post_process(
        self, row: dict[str, Any], context: Context | None = None
    ) -> dict[str, Any] | None:
        self.check_order(row)
        return super().post_process(row, context)

    def get_new_paginator(self) -> DateModifiedKeysetPaginator:
        return DateModifiedKeysetPaginator(
            self._floor, self.page_size, self.api_version, self.replication_key
        )

    def get_url_params(self, context: Context | None, next_page_token: Any) -> dict[str, Any]:
        token = next_page_token if isinstance(next_page_token, KeysetToken) else KeysetToken(None)
        self._request_since = token.since
        return {
            **self.extra_params,
            **self.sort_params,
            **self.filter_params(token.since),
            "limit": self.page_size,
            "page": token.page,
        }
