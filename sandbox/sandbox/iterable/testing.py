"""`running_iterable(...)`: the emulator on a free loopback port, for tests and benchmarks."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass

from sandbox.common.faults import FaultConfig
from sandbox.common.server import serve_in_thread
from sandbox.iterable.app import build_app
from sandbox.iterable.emulator import IterableEmulator


@dataclass(frozen=True)
class RunningIterable:
    api_url: str  # e.g. http://127.0.0.1:PORT (endpoints under /api/...): the target's api_url
    api_key: str
    emulator: IterableEmulator


@contextmanager
def running_iterable(
    *,
    project_type: str = "email",
    api_key: str = "sandbox-iterable-key",
    rate_limits: Mapping[str, float] | None = None,
    faults: FaultConfig | None = None,
) -> Iterator[RunningIterable]:
    app, emulator = build_app(
        project_type=project_type, api_key=api_key, rate_limits=rate_limits, faults=faults
    )
    with serve_in_thread(app) as server:
        yield RunningIterable(api_url=server.url, api_key=api_key, emulator=emulator)
