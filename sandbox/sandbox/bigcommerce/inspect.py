"""`BigCommerceInspector`: the emulator's `/_sandbox` reads and knobs over HTTP.

For when the emulator runs in another process (`sandbox serve`, the demo, `meltano run` tests).
"""

from __future__ import annotations

import dataclasses
from typing import Any

from sandbox.common.faults import FaultConfig
from sandbox.common.inspector import InspectorClient


class BigCommerceInspector(InspectorClient):
    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/summary")
        return result

    def request_counts(self) -> dict[str, int]:
        """Requests answered so far, keyed by "METHOD /path"."""
        result: dict[str, int] = self._call("GET", "/requests")["by_path"]
        return result

    def requests(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/requests")["entries"]
        return result

    def clear_requests(self) -> None:
        self._call("DELETE", "/requests")

    def apply_delta(self, **counts: int | str) -> dict[str, list[int]]:
        """Same knobs as `BigCommerceEmulator.apply_delta` (`at` as an ISO 8601 string)."""
        result: dict[str, list[int]] = self._call("POST", "/delta", json=counts)
        return result

    def simulate_cart_activity(self, outcomes: list[str] | None = None) -> dict[str, Any]:
        body = {} if outcomes is None else {"outcomes": outcomes}
        result: dict[str, Any] = self._call("POST", "/carts", json=body)
        return result

    def webhooks(self) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = self._call("GET", "/webhooks")
        return result

    def settings(self) -> dict[str, bool | float]:
        result: dict[str, bool | float] = self._call("GET", "/settings")
        return result

    def configure(self, **switches: bool | float) -> dict[str, bool | float]:
        """Same switches as `BigCommerceEmulator.configure`."""
        result: dict[str, bool | float] = self._call("POST", "/settings", json=switches)
        return result

    def set_rate_limit(self, quota: int, window_ms: int) -> None:
        self._call("POST", "/rate_limit", json={"quota": quota, "window_ms": window_ms})

    def set_faults(self, config: FaultConfig) -> None:
        self._call("POST", "/faults", json=dataclasses.asdict(config))
