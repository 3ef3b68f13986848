"""`IterableInspector`: the emulator's `/_sandbox` reads and knobs over HTTP.

For when the emulator runs in another process (`sandbox serve`, the demo, `meltano run` tests). Same
reads as the in-process `IterableEmulator` handle.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from sandbox.common.faults import FaultConfig
from sandbox.common.inspector import InspectorClient


class IterableInspector(InspectorClient):
    # Reads ---------------------------------------------------------------------------------

    def summary(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/summary")
        return result

    def users(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/users")
        return result

    def user(
        self, *, email: str | None = None, user_id: str | None = None
    ) -> dict[str, Any] | None:
        if email is None and user_id is None:
            msg = "user() needs email= or user_id="
            raise ValueError(msg)
        params = {"email": email} if email is not None else {"userId": user_id}
        result: dict[str, Any] | None = self._call("GET", "/users", params=params)
        return result

    def events(self, event_name: str | None = None) -> list[dict[str, Any]]:
        params = {} if event_name is None else {"eventName": event_name}
        result: list[dict[str, Any]] = self._call("GET", "/events", params=params)
        return result

    def purchases(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/purchases")
        return result

    def carts(self) -> dict[str, list[dict[str, Any]]]:
        result: dict[str, list[dict[str, Any]]] = self._call("GET", "/carts")
        return result

    def catalogs(self) -> list[str]:
        result: list[str] = self._call("GET", "/catalogs")
        return result

    def catalog_items(self, catalog: str) -> dict[str, dict[str, Any]]:
        result: dict[str, dict[str, Any]] = self._call("GET", f"/catalogs/{catalog}/items")
        return result

    def write_counts(self, kind: str) -> dict[str, int]:
        result: dict[str, int] = self._call("GET", f"/write_counts/{kind}")
        return result

    def journey_entries(self) -> dict[str, Any]:
        """What would have put users into journeys (see `IterableEmulator.journey_entries`)."""
        result: dict[str, Any] = self._call("GET", "/journey_entries")
        return result

    def user_write_sources(self) -> dict[str, dict[str, int]]:
        """Which endpoints wrote each profile, by user label."""
        result: dict[str, dict[str, int]] = self._call("GET", "/user_write_sources")
        return result

    def non_e164_phone_numbers(self) -> list[dict[str, Any]]:
        """Every `phoneNumber` written that is not E.164 (see `IterableEmulator`)."""
        result: list[dict[str, Any]] = self._call("GET", "/non_e164_phone_numbers")
        return result

    def field_types(self) -> dict[str, dict[str, str]]:
        result: dict[str, dict[str, str]] = self._call("GET", "/field_types")
        return result

    def forgotten(self) -> dict[str, list[str]]:
        result: dict[str, list[str]] = self._call("GET", "/forgotten")
        return result

    def request_counts(self) -> dict[str, int]:
        """Answered requests by `"METHOD path status"`."""
        result: dict[str, int] = self._call("GET", "/requests")["counts"]
        return result

    def request_entries(self) -> list[dict[str, Any]]:
        result: list[dict[str, Any]] = self._call("GET", "/requests")["entries"]
        return result

    # Knobs ---------------------------------------------------------------------------------

    def forget(self, *, email: str | None = None, user_id: str | None = None) -> None:
        self._call("POST", "/forgotten", json={"email": email, "userId": user_id})

    def unforget(self, *, email: str | None = None, user_id: str | None = None) -> None:
        body = {"email": email, "userId": user_id, "unforget": True}
        self._call("POST", "/forgotten", json=body)

    def set_rate_limits(self, limits: Mapping[str, float | None]) -> None:
        self._call("POST", "/rate_limits", json=dict(limits))

    def rate_limits(self) -> dict[str, float | None]:
        result: dict[str, float | None] = self._call("GET", "/rate_limits")
        return result

    def set_faults(self, config: FaultConfig) -> None:
        self._call("POST", "/faults", json=dataclasses.asdict(config))

    def configure(self, **settings: Any) -> None:
        self._call("POST", "/settings", json=settings)

    def settings(self) -> dict[str, Any]:
        result: dict[str, Any] = self._call("GET", "/settings")
        return result

    def reset(self) -> None:
        self._call("POST", "/reset")
