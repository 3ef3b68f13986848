"""The shared emulator plumbing: loopback server, request log, seeded fault injection."""

from __future__ import annotations

import pytest
import requests
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sandbox.common.faults import FaultConfig, FaultInjector, FaultMiddleware
from sandbox.common.request_log import RequestLog, RequestLogMiddleware
from sandbox.common.server import free_port, serve_in_thread, wait_for_port


def _app(log: RequestLog, injector: FaultInjector) -> Starlette:
    async def ok(request: Request) -> JSONResponse:
        return JSONResponse({"ok": True})

    app = Starlette(routes=[Route("/ok", ok)])
    app.add_middleware(FaultMiddleware, injector=injector)
    app.add_middleware(RequestLogMiddleware, log=log)
    return app


def test_scripted_faults_then_success() -> None:
    log = RequestLog()
    injector = FaultInjector(FaultConfig(script=["503", "429", "drop"]))
    with serve_in_thread(_app(log, injector)) as server:
        assert requests.get(f"{server.url}/ok", timeout=5).status_code == 503
        assert requests.get(f"{server.url}/ok", timeout=5).status_code == 429
        try:
            requests.get(f"{server.url}/ok", timeout=5).json()
        except requests.exceptions.RequestException:
            dropped = True
        else:
            dropped = False
        assert dropped, "a dropped connection must surface as a client error"
        assert requests.get(f"{server.url}/ok?x=1", timeout=5).json() == {"ok": True}
    statuses = [entry.status for entry in log.entries()]
    assert statuses == [503, 429, 200, 200]
    assert log.entries()[-1].query == "x=1"


def test_same_seed_same_faults() -> None:
    def draw(seed: int) -> list[str | None]:
        injector = FaultInjector(FaultConfig(seed=seed, error_rate=0.3, drop_rate=0.1))
        return [injector.next_fault("/x") for _ in range(200)]

    assert draw(7) == draw(7)
    faults = draw(7)
    assert 20 < sum(f is not None for f in faults) < 140


def test_wait_for_port_returns_once_a_server_listens_and_times_out_otherwise() -> None:
    with serve_in_thread(_app(RequestLog(), FaultInjector(FaultConfig()))) as server:
        wait_for_port(server.port, timeout_s=10)
    with pytest.raises(TimeoutError, match=r"nothing listens on 127\.0\.0\.1"):
        wait_for_port(free_port(), timeout_s=0.3)
