"""The HTTP client both emulators' inspectors share: calls under `{api_url}/_sandbox`.

For when an emulator runs in another process (`sandbox serve`, the demo, `meltano run` tests).
"""

from __future__ import annotations

from typing import Any, Self

import requests


class InspectorError(RuntimeError):
    """The emulator refused an inspection request (bad knob value, unknown kind...)."""


class InspectorClient:
    def __init__(self, api_url: str, *, timeout: float = 10.0) -> None:
        self.base = f"{api_url.rstrip('/')}/_sandbox"
        self.timeout = timeout
        self.session = requests.Session()

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.session.request(
            method, f"{self.base}{path}", timeout=self.timeout, **kwargs
        )
        if response.status_code >= 400:
            detail = response.json().get("error", response.text) if response.content else ""
            msg = f"{method} {path} answered {response.status_code}: {detail}"
            raise InspectorError(msg)
        return response.json()
