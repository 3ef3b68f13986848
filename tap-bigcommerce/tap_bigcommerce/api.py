"""The one HTTP helper for the BigCommerce API: auth header, pacing, retries, clear errors.

Streams plug it into singer-sdk (`requests_session`, `validate_response`, `request_decorator`);
the webhook `register` command uses it directly. Retry policy:

- 429 with rate-limit headers: wait exactly until the quota resets (`X-Rate-Limit-Time-Reset-Ms`).
- 429 without them (load shedding), 5xx, timeouts, dropped connections: exponential backoff with
  jitter, up to `max_retries` retries, then fail naming the request (method and path, never the
  token, which only travels in a header).
- 413 (page too large): the caller lowers its page size; other 4xx fail at once.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any, TypeVar
from urllib.parse import urlsplit

import backoff
import requests
from singer_sdk.exceptions import FatalAPIError, RetriableAPIError

from tap_bigcommerce.pacing import RateLimitPacer, seconds_until_reset

LOGGER = logging.getLogger("tap_bigcommerce.api")
AUTH_HEADER = "X-Auth-Token"
# 429s that carry a reset time are waited out, not counted as failures; this only stops a
# run that another client keeps starving forever.
MAX_RATE_LIMITED_WAITS = 50
_T = TypeVar("_T")


class RateLimitedError(RetriableAPIError):
    """429 with rate-limit headers: retry once the quota resets."""

    def __init__(self, message: str, response: requests.Response, wait_seconds: float) -> None:
        super().__init__(message, response)
        self.wait_seconds = wait_seconds


class PageTooLargeError(FatalAPIError):
    """413: the `limit` parameter exceeds what this endpoint allows."""


class NotFoundError(FatalAPIError):
    """404: the resource does not exist (e.g. a cart that was converted or expired)."""


class RequestFailedError(FatalAPIError):
    """A request still failed after every retry."""


@dataclass(frozen=True)
class RetrySettings:
    max_retries: int = 5
    backoff_base_seconds: float = 5.0
    backoff_max_seconds: float = 120.0
    # Added to a rate-limit reset wait so the request lands after the window refreshed.
    reset_margin_seconds: float = 0.05


def describe_request(request: requests.PreparedRequest | None) -> str:
    """`GET /stores/abc/v2/orders?page=2` — what failed, without headers (where the token is)."""
    if request is None or request.url is None:
        return "request"
    parts = urlsplit(request.url)
    query = f"?{parts.query}" if parts.query else ""
    return f"{request.method} {parts.path}{query}"


def error_message(response: requests.Response) -> str:
    body = response.text[:500] if response.content else ""
    detail = f": {body}" if body else ""
    request = describe_request(response.request)
    return f"{response.status_code} {response.reason} for {request}{detail}"


def check_response(response: requests.Response) -> None:
    """Raise the right error for a failed response (rate limit, retriable, page size, fatal)."""
    status = response.status_code
    if status == HTTPStatus.TOO_MANY_REQUESTS:
        wait = seconds_until_reset(response.headers)
        if wait is not None:
            raise RateLimitedError(error_message(response), response, wait)
        raise RetriableAPIError(f"load shedding: {error_message(response)}", response)
    if status >= HTTPStatus.INTERNAL_SERVER_ERROR:
        raise RetriableAPIError(error_message(response), response)
    if status == HTTPStatus.REQUEST_ENTITY_TOO_LARGE:
        raise PageTooLargeError(error_message(response))
    if status == HTTPStatus.NOT_FOUND:
        raise NotFoundError(error_message(response))
    if status >= HTTPStatus.BAD_REQUEST:
        raise FatalAPIError(error_message(response))


RETRIABLE_EXCEPTIONS: tuple[type[Exception], ...] = (
    RetriableAPIError,
    ConnectionResetError,
    requests.exceptions.Timeout,
    requests.exceptions.ConnectionError,
    requests.exceptions.ChunkedEncodingError,
    requests.exceptions.ContentDecodingError,
)


def wait_generator(settings: RetrySettings) -> Generator[float, Any, None]:
    """Backoff wait generator: receives each failure, yields seconds to wait, stops to give up."""
    failures = 0
    rate_limited = 0
    exception = yield 0.0  # priming value, discarded by backoff
    while True:
        if isinstance(exception, RateLimitedError):
            rate_limited += 1
            if rate_limited > MAX_RATE_LIMITED_WAITS:
                return
            exception = yield exception.wait_seconds + settings.reset_margin_seconds
            continue
        failures += 1
        if failures > settings.max_retries:
            return
        ceiling = min(
            settings.backoff_max_seconds, settings.backoff_base_seconds * 2 ** (failures - 1)
        )
        # "Equal jitter": at least half the exponential step, so retries spread but still back off.
        exception = yield ceiling / 2 + random.uniform(0, ceiling / 2)


def _failed_request(
    exception: BaseException | None, args: tuple[Any, ...] = ()
) -> requests.PreparedRequest | None:
    """The request behind a failure: from the response, the exception, or the call's arguments."""
    if isinstance(exception, RetriableAPIError) and exception.response is not None:
        return exception.response.request
    if isinstance(exception, requests.exceptions.RequestException) and isinstance(
        exception.request, requests.PreparedRequest
    ):
        return exception.request
    return next((arg for arg in args if isinstance(arg, requests.PreparedRequest)), None)


def with_retries(
    func: Callable[..., _T], settings: RetrySettings, logger: logging.Logger = LOGGER
) -> Callable[..., _T]:
    """Wrap a request function with the retry policy above; the final error names the request."""

    def log_backoff(details: Any) -> None:
        exception = details.get("exception")
        logger.warning(
            "Retrying %s in %.2f s (attempt %d failed: %s)",
            describe_request(_failed_request(exception, tuple(details.get("args", ())))),
            details.get("wait", 0.0),
            details.get("tries", 0),
            _short(exception),
        )

    retrying = backoff.on_exception(
        lambda: wait_generator(settings),
        RETRIABLE_EXCEPTIONS,
        max_tries=None,
        jitter=None,
        on_backoff=log_backoff,
        logger=None,
    )(func)

    def call(*args: Any, **kwargs: Any) -> _T:
        try:
            return retrying(*args, **kwargs)
        except RETRIABLE_EXCEPTIONS as exc:
            request = _failed_request(exc, args)
            msg = (
                f"BigCommerce request failed after {settings.max_retries} retries: "
                f"{describe_request(request)}: {_short(exc)}"
            )
            raise RequestFailedError(msg) from exc

    return call


def _short(exception: BaseException | None) -> str:
    text = str(exception) if exception is not None else ""
    return text if len(text) <= 300 else text[:300] + "..."


class PacedSession(requests.Session):
    """A session that waits for the rate-limit pacer before each request and feeds it answers."""

    def __init__(self, pacer: RateLimitPacer) -> None:
        super().__init__()
        self.pacer = pacer
        self.request_count = 0

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        self.pacer.wait_before_request()
        self.request_count += 1
        response = super().send(request, **kwargs)
        self.pacer.observe(response.headers)
        return response


@dataclass(frozen=True)
class StoreSettings:
    """What every request to one store needs."""

    api_url: str
    store_hash: str
    access_token: str
    user_agent: str
    timeout_seconds: float
    retry: RetrySettings

    def base_url(self, version: str) -> str:
        return f"{self.api_url.rstrip('/')}/stores/{self.store_hash}/{version}"

    def headers(self) -> dict[str, str]:
        return {
            AUTH_HEADER: self.access_token,
            "Accept": "application/json",
            "User-Agent": self.user_agent,
        }


class BigCommerceAPI:
    """Direct API access for code that is not a stream (webhook registration)."""

    def __init__(self, settings: StoreSettings, pacer: RateLimitPacer | None = None) -> None:
        self.settings = settings
        self.session = PacedSession(pacer or RateLimitPacer())
        self._send = with_retries(self._send_once, settings.retry)

    def _send_once(self, request: requests.PreparedRequest) -> requests.Response:
        response = self.session.send(request, timeout=self.settings.timeout_seconds)
        check_response(response)
        return response

    def request(
        self,
        method: str,
        version: str,
        path: str,
        *,
        params: Mapping[str, Any] | None = None,
        json_body: Any = None,
    ) -> requests.Response:
        headers = self.settings.headers()
        if json_body is not None:
            headers["Content-Type"] = "application/json"
        prepared = requests.Request(
            method,
            f"{self.settings.base_url(version)}{path}",
            params=dict(params or {}),
            headers=headers,
            json=json_body,
        ).prepare()
        return self._send(prepared)
