"""The one HTTP client for Iterable: pacing, bounded retries with backoff, and reading answers.

Retried: 429, 5xx, timeouts and dropped connections (exponential backoff with full jitter;
`Retry-After` wins when sent). Not retried: other statuses, which the caller reads. 401/403 mean
the key is wrong or lacks a permission: nothing else will work, so they stop the run.
"""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

import backoff
import requests
from requests.adapters import HTTPAdapter

from target_iterable.contract.redaction import Redactor
from target_iterable.endpoints import ALL_ENDPOINTS, Endpoint
from target_iterable.rate_limit import Pacer
from target_iterable.settings import Settings
from target_iterable.stats import RunStats

RETRYABLE_STATUSES = frozenset({429, 500, 502, 503, 504})
FATAL_STATUSES = frozenset({401, 403})
_DROPPED = (requests.ConnectionError, requests.Timeout, requests.exceptions.ChunkedEncodingError)
_MAX_TEXT = 2000  # characters of a non-JSON answer kept for errors and dead letters


class IterableError(Exception):
    """Iterable could not be used; the message names the endpoint, never the key."""


class IterableAuthError(IterableError):
    """401/403: the API key is wrong, disabled or lacks a permission."""


class IterableUnavailableError(IterableError):
    """Retries exhausted (429, 5xx, timeouts, dropped connections)."""


@dataclass(frozen=True)
class Answer:
    """Iterable's answer to one request, read rather than trusted."""

    status: int
    body: dict[str, Any]
    text: str

    @property
    def code(self) -> str | None:
        code = self.body.get("code")
        return code if isinstance(code, str) else None

    @property
    def message(self) -> str:
        msg = self.body.get("msg", self.body.get("message"))
        return msg if isinstance(msg, str) else self.text[:200]

    @property
    def ok(self) -> bool:
        # The HTTP status decides (Iterable has answered 401 with code "Success"); a 2xx whose
        # code is an error code is not a success either.
        return 200 <= self.status < 300 and self.code in (None, "Success")

    def for_dead_letter(self) -> dict[str, Any]:
        msg = self.body.get("msg", self.body.get("message"))
        return {
            "status": self.status,
            "code": self.code,
            "msg": msg if isinstance(msg, str) else (None if self.body else self.text[:200]),
            "params": self.body.get("params"),
        }


def _retry_after_seconds(header: str | None) -> float | None:
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


class IterableClient:
    """Sends requests to Iterable for every sink; shared, thread-safe."""

    def __init__(
        self, settings: Settings, stats: RunStats, redactor: Redactor, logger: logging.Logger
    ) -> None:
        self._settings = settings
        self._stats = stats
        self._redactor = redactor
        self._logger = logger
        self._pacers = {e.key: Pacer(settings.rate_limits[e.key]) for e in ALL_ENDPOINTS}
        self._pacers_lock = threading.Lock()
        # One session for every thread: urllib3's pool is thread-safe, and one session is
        # closed once at the end of the run (no socket left to the garbage collector).
        self._session = requests.Session()
        self._session.headers.update(
            {
                "Api-Key": settings.api_key,
                "Content-Type": "application/json",
                "User-Agent": "target-iterable",
            }
        )
        adapter = HTTPAdapter(pool_maxsize=settings.commerce_concurrency + 4)
        self._session.mount("http://", adapter)
        self._session.mount("https://", adapter)

    def close(self) -> None:
        self._session.close()

    def _pacer(self, endpoint: Endpoint) -> Pacer:
        """The endpoint's pacer; endpoints other tools call (reads) get one on first use."""
        with self._pacers_lock:
            if endpoint.key not in self._pacers:
                rate = self._settings.rate_limits.get(endpoint.key, endpoint.default_rate)
                self._pacers[endpoint.key] = Pacer(rate)
            return self._pacers[endpoint.key]

    def _delays(self) -> Iterator[float]:
        policy = self._settings.retry
        waits = backoff.expo(factor=policy.initial_delay, max_value=policy.max_delay)
        next(waits)  # backoff's generators are primed by one next()
        for wait in waits:
            yield backoff.full_jitter(wait)

    def call(
        self,
        endpoint: Endpoint,
        *,
        body: str | None = None,
        path_params: dict[str, str] | None = None,
        query: Mapping[str, str | Sequence[str]] | None = None,
        full_text: bool = False,
    ) -> Answer:
        """Send one request (pre-encoded JSON body), retrying what is worth retrying.

        `query` adds URL parameters (a sequence repeats one); `full_text` keeps the whole
        answer in `Answer.text` (export reads: newline-delimited JSON, not one object).
        """
        path = endpoint.path.format(
            **{k: quote(v, safe="") for k, v in (path_params or {}).items()}
        )
        url = self._settings.api_url + path
        label = f"{endpoint.method} {path}"
        delays = self._delays()
        attempt = 0
        while True:
            waited = self._pacer(endpoint).wait()
            if waited > 0:
                self._stats.waited(endpoint.key, waited)
            self._stats.request(endpoint.key)
            sent_at = time.monotonic()
            failure, retry_after, answer = self._attempt(endpoint, url, body, query, full_text)
            if answer is not None and failure is None:
                self._pacer(endpoint).succeeded()
                if answer.status in (404, 405) and not answer.body:
                    # Not an Iterable answer (an HTML page): the URL is wrong, not the records.
                    raise IterableError(
                        f"{label} answered HTTP {answer.status} with no Iterable JSON body: "
                        f"check api_url ({self._settings.api_url})"
                    )
                if answer.status in FATAL_STATUSES:
                    raise IterableAuthError(
                        f"Iterable refused {label} with HTTP {answer.status} "
                        f"({answer.code}: {self._redactor.text(answer.message)}): check api_key "
                        "(a server-side key of this project) and api_url (US or EU)"
                    )
                return answer
            attempt += 1
            if attempt > self._settings.retry.max_retries:
                raise IterableUnavailableError(
                    f"Iterable {label} still failing after {self._settings.retry.max_retries} "
                    f"retries (last: {failure}); no record of this batch was dropped: the run "
                    "stops before emitting STATE, so a rerun resends it"
                )
            delay = next(delays)
            rate_limited = answer is not None and answer.status == 429
            if retry_after is not None:
                delay = min(retry_after, self._settings.retry.max_delay)
            if rate_limited:
                # Slow every sender of this endpoint down, not only this one: no 429 storm.
                self._pacer(endpoint).rate_limited(delay, sent_at)
            self._stats.retry(endpoint.key, rate_limited=rate_limited)
            self._logger.warning(
                "Retrying %s in %.2fs after %s (retry %d of %d)",
                label,
                delay,
                failure,
                attempt,
                self._settings.retry.max_retries,
            )
            time.sleep(delay)

    def _attempt(
        self,
        endpoint: Endpoint,
        url: str,
        body: str | None,
        query: Mapping[str, str | Sequence[str]] | None = None,
        full_text: bool = False,
    ) -> tuple[str | None, float | None, Answer | None]:
        """One HTTP exchange → (retryable failure or None, Retry-After seconds, answer)."""
        try:
            response = self._session.request(
                endpoint.method,
                url,
                data=body.encode() if body is not None else None,
                params=query,
                timeout=self._settings.request_timeout,
            )
        except _DROPPED as error:
            return f"{type(error).__name__}", None, None
        answer = self._read(response, full_text)
        if answer.status in RETRYABLE_STATUSES:
            failure = f"HTTP {answer.status} {answer.code or ''}".strip()
            return failure, _retry_after_seconds(response.headers.get("Retry-After")), answer
        return None, None, answer

    def _read(self, response: requests.Response, full_text: bool = False) -> Answer:
        text = self._redactor.text(response.text if full_text else response.text[:_MAX_TEXT])
        try:
            # A successful full-text answer is not one JSON object (NDJSON may look like one).
            success = 200 <= response.status_code < 300
            parsed = None if full_text and success else response.json()
        except ValueError:
            parsed = None
        body = parsed if isinstance(parsed, dict) else {}
        return Answer(status=response.status_code, body=body, text=text)
