"""Run an ASGI app with uvicorn on 127.0.0.1: in a thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import uvicorn
from starlette.types import ASGIApp

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """A port the OS says is free on loopback now (tests bind it immediately after)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


def wait_for_port(port: int, timeout_s: float) -> None:
    """Return once something accepts connections on loopback `port`; TimeoutError after
    `timeout_s` (for servers started as other processes: the demo's and the benchmarks')."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex((LOOPBACK, port)) == 0:
                return
        time.sleep(0.1)
    msg = f"nothing listens on {LOOPBACK}:{port} after {timeout_s:.0f} s"
    raise TimeoutError(msg)


@dataclass(frozen=True)
class RunningServer:
    """A server listening on loopback."""

    url: str
    port: int


def _server(app: ASGIApp, port: int) -> uvicorn.Server:
    config = uvicorn.Config(
        app,
        host=LOOPBACK,
        port=port,
        log_level="warning",
        access_log=False,
        lifespan="off",
        # Keep-alive long enough that clients reuse connections across paced requests.
        timeout_keep_alive=30,
    )
    return uvicorn.Server(config)


@contextmanager
def serve_in_thread(app: ASGIApp, port: int = 0) -> Iterator[RunningServer]:
    """Serve `app` on loopback until the block exits; waits until the socket accepts connections."""
    # IPPROTO_TCP explicitly: asyncio only sets TCP_NODELAY on accepted connections whose
    # listening socket says TCP; with proto 0 every small answer waited ~40 ms on Nagle's
    # algorithm and the client's delayed ACK.
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    bound_port: int = sock.getsockname()[1]
    server = _server(app, bound_port)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        if not thread.is_alive():
            msg = f"server on port {bound_port} failed to start"
            raise RuntimeError(msg)
        thread.join(0.01)
    try:
        yield RunningServer(url=f"http://{LOOPBACK}:{bound_port}", port=bound_port)
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()


def serve_forever(app: ASGIApp, port: int) -> None:
    """Serve `app` in the foreground until interrupted (used by `sandbox serve`)."""
    _server(app, port).run()
