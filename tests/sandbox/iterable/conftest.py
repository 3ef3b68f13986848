"""Fixtures for the Iterable emulator tests: a running emulator and a tiny HTTP helper."""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests

from sandbox.iterable.rate_limits import DEFAULT_RATE_LIMITS
from sandbox.iterable.testing import RunningIterable, running_iterable

# Tests that are not about rate limits must not trip them.
NO_RATE_LIMITS = dict.fromkeys(DEFAULT_RATE_LIMITS, math.inf)


@dataclass
class Api:
    """Calls the emulator like a client would (real HTTP, the right Api-Key)."""

    running: RunningIterable
    session: requests.Session

    def call(
        self, method: str, path: str, body: Any = None, *, key: str | None = None, **kw: Any
    ) -> requests.Response:
        headers = {"Api-Key": self.running.api_key if key is None else key}
        return self.session.request(
            method, f"{self.running.api_url}{path}", json=body, headers=headers, timeout=10, **kw
        )

    def post(self, path: str, body: Any = None, **kw: Any) -> requests.Response:
        return self.call("POST", path, body, **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self.call("GET", path, **kw)

    @property
    def emulator(self) -> Any:
        return self.running.emulator


def _api(project_type: str) -> Iterator[Api]:
    with (
        running_iterable(project_type=project_type, rate_limits=NO_RATE_LIMITS) as running,
        requests.Session() as session,
    ):
        yield Api(running, session)


@pytest.fixture(scope="module")
def email_server() -> Iterator[Api]:
    yield from _api("email")


@pytest.fixture
def api(email_server: Api) -> Api:
    """An email-based project, emptied before each test."""
    email_server.emulator.reset()
    return email_server


@pytest.fixture(scope="module")
def project_servers() -> Iterator[dict[str, Api]]:
    with (
        running_iterable(project_type="email", rate_limits=NO_RATE_LIMITS) as email,
        running_iterable(project_type="user_id", rate_limits=NO_RATE_LIMITS) as user_id,
        running_iterable(project_type="hybrid", rate_limits=NO_RATE_LIMITS) as hybrid,
        requests.Session() as session,
    ):
        yield {
            "email": Api(email, session),
            "user_id": Api(user_id, session),
            "hybrid": Api(hybrid, session),
        }


@pytest.fixture(params=["email", "user_id", "hybrid"])
def any_project(request: pytest.FixtureRequest, project_servers: dict[str, Api]) -> Api:
    api = project_servers[request.param]
    api.emulator.reset()
    return api


def project(project_servers: dict[str, Api], project_type: str) -> Api:
    api = project_servers[project_type]
    api.emulator.reset()
    return api
