"""A request log (method, path, query, status, latency) kept by a middleware, for counting calls."""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    query: str
    status: int
    latency_ms: float

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


class RequestLog:
    """Thread-safe list of the requests an emulator answered."""

    def __init__(self) -> None:
        self._entries: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def add(self, entry: LoggedRequest) -> None:
        with self._lock:
            self._entries.append(entry)

    def entries(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._entries)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def count(self, *, path_contains: str = "", status: int | None = None) -> int:
        return sum(
            1
            for e in self.entries()
            if path_contains in e.path and (status is None or e.status == status)
        )

    def by_path(self) -> Counter[str]:
        return Counter(f"{e.method} {e.path}" for e in self.entries())


class RequestLogMiddleware:
    """Records every HTTP request with its answer's status (0 if the connection dropped)."""

    def __init__(self, app: ASGIApp, log: RequestLog, skip_prefix: str = "/_sandbox") -> None:
        self.app = app
        self.log = log
        self.skip_prefix = skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefix):
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 0

        async def send_and_record(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_and_record)
        finally:
            self.log.add(
                LoggedRequest(
                    method=scope["method"],
                    path=scope["path"],
                    query=scope.get("query_string", b"").decode("latin-1"),
                    status=status,
                    latency_ms=round((time.perf_counter() - started) * 1000, 3),
                )
            )
