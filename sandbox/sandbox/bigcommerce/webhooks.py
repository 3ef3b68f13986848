"""Webhook registrations (`/v3/hooks`) and delivery from a background worker, with retries.

A delivery is a POST of `{scope, store_id, data, hash, created_at, producer}` with the hook's
custom headers. Any 2xx is success; anything else (or no answer) is retried on BigCommerce's
schedule, multiplied by `retry_scale` so tests wait milliseconds instead of hours. After the
last retry fails the hook is deactivated (`is_active: false`), as BigCommerce does.
"""

from __future__ import annotations

import hashlib
import heapq
import itertools
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import requests

from sandbox.generator.events import StoreEvent

# Seconds after each failed attempt (BigCommerce webhooks overview): about 48 hours in all.
RETRY_SCHEDULE = (60, 180, 300, 600, 900, 1800, 3600, 7200, 21600, 50400, 86400)
MAX_HOOKS_PER_SCOPE = 10


class HookError(ValueError):
    """An invalid hook definition; `field` names the offending field."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass
class Hook:
    id: int
    scope: str
    destination: str
    is_active: bool
    headers: dict[str, str] | None
    created_at: int
    updated_at: int
    client_id: str
    store_hash: str

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "client_id": self.client_id,
            "store_hash": self.store_hash,
            "scope": self.scope,
            "destination": self.destination,
            "headers": self.headers,
            "is_active": self.is_active,
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }

    def wants(self, scope: str) -> bool:
        """`store/cart/*` covers every cart scope, line items included."""
        if self.scope.endswith("/*"):
            return scope.startswith(self.scope[:-1])
        return self.scope == scope


@dataclass(frozen=True)
class DeliveryAttempt:
    hook_id: int
    scope: str
    payload: dict[str, Any]
    attempt: int  # 0 = first try, 1 = first retry...
    status: int | None  # None when no HTTP answer came back
    error: str
    at: float  # time.time()

    @property
    def succeeded(self) -> bool:
        return self.status is not None and 200 <= self.status < 300


@dataclass(order=True)
class _Job:
    due: float
    sequence: int
    hook_id: int = field(compare=False)
    scope: str = field(compare=False)
    body: bytes = field(compare=False)
    attempt: int = field(compare=False)


def _validate(body: Any, *, partial: bool) -> dict[str, Any]:
    if not isinstance(body, dict):
        raise HookError("body", "The request body must be a JSON object.")
    required = () if partial else ("scope", "destination")
    for name in required:
        if name not in body:
            raise HookError(name, f"The field '{name}' is required.")
    if "scope" in body and (
        not isinstance(body["scope"], str) or not body["scope"].startswith("store/")
    ):
        raise HookError("scope", "The field 'scope' must be a webhook scope like store/order/*.")
    if "destination" in body:
        destination = body["destination"]
        if not isinstance(destination, str) or not destination.startswith(("https://", "http://")):
            raise HookError("destination", "The field 'destination' must be an https URL.")
    if "is_active" in body and not isinstance(body["is_active"], bool):
        raise HookError("is_active", "The field 'is_active' must be a boolean.")
    headers = body.get("headers")
    if headers is not None and (
        not isinstance(headers, dict)
        or not all(isinstance(k, str) and isinstance(v, str) for k, v in headers.items())
    ):
        raise HookError("headers", "The field 'headers' must be an object of string values.")
    return body


class WebhookHub:
    def __init__(
        self,
        *,
        store_hash: str,
        store_id: int,
        retry_scale: float = 1.0,
        retry_schedule: tuple[float, ...] = RETRY_SCHEDULE,
        timeout: float = 5.0,
        duplicate_deliveries: bool = False,
    ) -> None:
        self.store_hash = store_hash
        # BigCommerce may send the same event twice (same body and hash); receivers dedupe.
        self.duplicate_deliveries = duplicate_deliveries
        self.store_id = str(store_id)
        self.retry_scale = retry_scale
        self.retry_schedule = retry_schedule
        self.timeout = timeout
        self._hooks: dict[int, Hook] = {}
        self._ids = itertools.count(1)
        self._sequence = itertools.count()
        self._jobs: list[_Job] = []
        self._attempts: list[DeliveryAttempt] = []
        self._in_flight = 0
        self._condition = threading.Condition()
        self._stopping = False
        self._session = requests.Session()
        self._worker = threading.Thread(target=self._run, name="bc-webhooks", daemon=True)
        self._worker.start()

    # -- registrations ---------------------------------------------------------------------

    def create(self, body: Any, client_id: str) -> Hook:
        fields = _validate(body, partial=False)
        with self._condition:
            same_scope = [h for h in self._hooks.values() if h.scope == fields["scope"]]
            if any(h.destination == fields["destination"] for h in same_scope):
                raise HookError("destination", "A webhook for this scope and destination exists.")
            if len(same_scope) >= MAX_HOOKS_PER_SCOPE:
                raise HookError("scope", f"At most {MAX_HOOKS_PER_SCOPE} webhooks per scope.")
            now = int(time.time())
            hook = Hook(
                id=next(self._ids),
                scope=fields["scope"],
                destination=fields["destination"],
                is_active=fields.get("is_active", True),
                headers=fields.get("headers"),
                created_at=now,
                updated_at=now,
                client_id=client_id,
                store_hash=self.store_hash,
            )
            self._hooks[hook.id] = hook
            return hook

    def update(self, hook_id: int, body: Any) -> Hook | None:
        fields = _validate(body, partial=True)
        with self._condition:
            hook = self._hooks.get(hook_id)
            if hook is None:
                return None
            for name in ("scope", "destination", "is_active", "headers"):
                if name in fields:
                    setattr(hook, name, fields[name])
            hook.updated_at = int(time.time())
            return hook

    def delete(self, hook_id: int) -> Hook | None:
        with self._condition:
            return self._hooks.pop(hook_id, None)

    def get(self, hook_id: int) -> Hook | None:
        with self._condition:
            return self._hooks.get(hook_id)

    def hooks(self) -> list[Hook]:
        with self._condition:
            return sorted(self._hooks.values(), key=lambda h: h.id)

    # -- delivery ---------------------------------------------------------------------------

    def payload(self, event: StoreEvent) -> dict[str, Any]:
        data_json = json.dumps(event.data, sort_keys=True, separators=(",", ":"))
        return {
            "scope": event.scope,
            "store_id": self.store_id,
            "data": event.data,
            "hash": hashlib.sha1(data_json.encode(), usedforsecurity=False).hexdigest(),
            "created_at": int(time.time()),
            "producer": f"stores/{self.store_hash}",
        }

    def publish(self, events: Iterable[StoreEvent]) -> int:
        """Queue one delivery per (event, active hook wanting it); returns how many."""
        queued = 0
        with self._condition:
            for event in events:
                hooks = [h for h in self._hooks.values() if h.is_active and h.wants(event.scope)]
                if not hooks:
                    continue
                body = json.dumps(self.payload(event), separators=(",", ":")).encode()
                copies = 2 if self.duplicate_deliveries else 1
                for hook in hooks:
                    for _ in range(copies):
                        self._push(hook.id, event.scope, body, attempt=0, delay=0.0)
                        queued += 1
            self._condition.notify_all()
        return queued

    def attempts(self) -> list[DeliveryAttempt]:
        with self._condition:
            return list(self._attempts)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Wait until nothing is queued or being sent (retries included)."""
        deadline = time.monotonic() + timeout
        with self._condition:
            while self._jobs or self._in_flight:
                left = deadline - time.monotonic()
                if left <= 0:
                    return False
                self._condition.wait(left)
            return True

    def close(self) -> None:
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        self._worker.join(5)
        self._session.close()

    def _push(self, hook_id: int, scope: str, body: bytes, *, attempt: int, delay: float) -> None:
        job = _Job(time.monotonic() + delay, next(self._sequence), hook_id, scope, body, attempt)
        heapq.heappush(self._jobs, job)

    def _run(self) -> None:
        while True:
            with self._condition:
                while not self._stopping and (
                    not self._jobs or self._jobs[0].due > time.monotonic()
                ):
                    wait = self._jobs[0].due - time.monotonic() if self._jobs else None
                    self._condition.wait(wait)
                if self._stopping:
                    return
                job = heapq.heappop(self._jobs)
                hook = self._hooks.get(job.hook_id)
                if hook is None or not hook.is_active:
                    self._condition.notify_all()
                    continue
                self._in_flight += 1
                destination, headers = hook.destination, dict(hook.headers or {})
            status, error = self._send(destination, headers, job.body)
            with self._condition:
                self._in_flight -= 1
                self._record(job, status, error)
                self._condition.notify_all()

    def _send(
        self, destination: str, headers: dict[str, str], body: bytes
    ) -> tuple[int | None, str]:
        try:
            response = self._session.post(
                destination,
                data=body,
                headers={**headers, "Content-Type": "application/json"},
                timeout=self.timeout,
            )
        except requests.RequestException as error:
            return None, type(error).__name__
        return response.status_code, ""

    def _record(self, job: _Job, status: int | None, error: str) -> None:
        payload = json.loads(job.body)
        attempt = DeliveryAttempt(
            job.hook_id, job.scope, payload, job.attempt, status, error, time.time()
        )
        self._attempts.append(attempt)
        if attempt.succeeded:
            return
        if job.attempt < len(self.retry_schedule):
            delay = self.retry_schedule[job.attempt] * self.retry_scale
            self._push(job.hook_id, job.scope, job.body, attempt=job.attempt + 1, delay=delay)
            return
        hook = self._hooks.get(job.hook_id)
        if hook is not None:
            hook.is_active = False  # retries exhausted: BigCommerce deactivates the hook
