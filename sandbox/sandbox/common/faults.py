"""Seeded fault injection: 5xx answers, slow answers, dropped connections and 429 bursts.

Faults are drawn from one seeded random generator, so a given seed and request sequence
always produce the same faults.
"""

from __future__ import annotations

import asyncio
import json
import random
import threading
from dataclasses import dataclass, field

from starlette.types import ASGIApp, Receive, Scope, Send


@dataclass
class FaultConfig:
    """Fractions are per request, in [0, 1]."""

    seed: int = 0
    error_rate: float = 0.0
    error_statuses: tuple[int, ...] = (500, 502, 503)
    slow_rate: float = 0.0
    slow_seconds: float = 0.5
    drop_rate: float = 0.0
    # After a request triggers a burst, the next `burst_length` requests get 429.
    burst_rate: float = 0.0
    burst_length: int = 3
    # Only requests whose path contains this are affected ("" = all).
    path_contains: str = ""
    # Deterministic queue of faults for the next requests:
    # "500", "502", "503", "drop", "slow", "429".
    script: list[str] = field(default_factory=list)


class FaultInjector:
    """Decides, per request, which fault (if any) to inject."""

    def __init__(self, config: FaultConfig | None = None) -> None:
        self._lock = threading.Lock()
        self.configure(config or FaultConfig())

    def configure(self, config: FaultConfig) -> None:
        with self._lock:
            self.config = config
            self._random = random.Random(config.seed)
            self._burst_left = 0
            self._script = list(config.script)

    def next_fault(self, path: str) -> str | None:
        with self._lock:
            config = self.config
            if config.path_contains not in path:
                return None
            if self._script:
                return self._script.pop(0)
            if self._burst_left > 0:
                self._burst_left -= 1
                return "429"
            roll = self._random.random()
            if roll < config.drop_rate:
                return "drop"
            roll -= config.drop_rate
            if roll < config.error_rate:
                return str(self._random.choice(config.error_statuses))
            roll -= config.error_rate
            if roll < config.burst_rate:
                self._burst_left = max(config.burst_length - 1, 0)
                return "429"
            roll -= config.burst_rate
            if roll < config.slow_rate:
                return "slow"
            return None


class FaultMiddleware:
    """Applies the injector's decision before the emulator sees the request.

    A 429 injected here has no rate-limit headers: it stands for load shedding, which the
    real services also do.
    """

    def __init__(
        self, app: ASGIApp, injector: FaultInjector, skip_prefix: str = "/_sandbox"
    ) -> None:
        self.app = app
        self.injector = injector
        self.skip_prefix = skip_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith(self.skip_prefix):
            await self.app(scope, receive, send)
            return
        fault = self.injector.next_fault(scope["path"])
        if fault is None:
            await self.app(scope, receive, send)
        elif fault == "slow":
            await asyncio.sleep(self.injector.config.slow_seconds)
            await self.app(scope, receive, send)
        elif fault == "drop":
            await _drop_connection(send)
        else:
            await _error(send, int(fault))


async def _error(send: Send, status: int) -> None:
    body = json.dumps({"status": status, "title": "Injected fault"}).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _drop_connection(send: Send) -> None:
    """Promise a body, then close the connection before sending it all: a broken response."""
    headers = [(b"content-type", b"application/json"), (b"content-length", b"1024")]
    await send({"type": "http.response.start", "status": 200, "headers": headers})
    await send({"type": "http.response.body", "body": b'{"data": [', "more_body": True})
    msg = "sandbox: connection dropped on purpose"
    raise ConnectionAbortedError(msg)
