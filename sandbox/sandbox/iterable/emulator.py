"""The in-process handle on one emulated Iterable project: its data, settings, log and faults."""

from __future__ import annotations

import copy
import math
from collections.abc import Mapping
from typing import Any, cast

from sandbox.common.faults import FaultConfig, FaultInjector
from sandbox.common.request_log import RequestLog
from sandbox.iterable import users
from sandbox.iterable.rate_limits import RateLimiter
from sandbox.iterable.settings import EmulatorSettings
from sandbox.iterable.state import PROJECT_TYPES, ProjectState, ProjectType

WRITE_KINDS = ("users", "events", "purchases", "carts", "catalog_items")


class IterableEmulator:
    """Reads of what was stored, and knobs tests turn. Thread-safe (the server runs in a thread)."""

    def __init__(
        self,
        *,
        project_type: str = "email",
        api_key: str = "sandbox-iterable-key",
        rate_limits: Mapping[str, float] | None = None,
        faults: FaultConfig | None = None,
    ) -> None:
        if project_type not in PROJECT_TYPES:
            msg = f"project_type must be one of {', '.join(PROJECT_TYPES)}, got {project_type!r}"
            raise ValueError(msg)
        if not api_key:
            msg = "api_key must be a non-empty string"
            raise ValueError(msg)
        self.api_key = api_key
        self.state = ProjectState(cast(ProjectType, project_type))
        self.settings = EmulatorSettings()
        self._initial_rate_limits = dict(rate_limits or {})
        self.rate_limiter = RateLimiter(rate_limits)
        self.request_log = RequestLog()
        self.faults = FaultInjector(faults)

    @property
    def project_type(self) -> str:
        return self.state.project_type

    # Reads ---------------------------------------------------------------------------------

    def users(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return [profile.as_record() for profile in self.state.users.values()]

    def user(
        self, *, email: str | None = None, user_id: str | None = None
    ) -> dict[str, Any] | None:
        """One profile by email or userId (the first holder of a shared userId), or None."""
        with self.state.lock:
            if email is not None:
                profile = self.state.find_by_email(email)
            elif user_id is not None:
                holders = self.state.find_by_user_id(user_id)
                profile = holders[0] if holders else None
            else:
                msg = "user() needs email= or user_id="
                raise ValueError(msg)
            return None if profile is None else profile.as_record()

    def events(self, event_name: str | None = None) -> list[dict[str, Any]]:
        with self.state.lock:
            return copy.deepcopy(
                [e for e in self.state.events.values() if event_name in (None, e["eventName"])]
            )

    def purchases(self) -> list[dict[str, Any]]:
        with self.state.lock:
            return copy.deepcopy(list(self.state.purchases.values()))

    def carts(self) -> dict[str, list[dict[str, Any]]]:
        """Current carts by user label (see `ProjectState.label`)."""
        with self.state.lock:
            return copy.deepcopy(self.state.carts)

    def catalogs(self) -> list[str]:
        with self.state.lock:
            return [catalog.name for catalog in self.state.catalogs.values()]

    def catalog_items(self, catalog: str) -> dict[str, dict[str, Any]]:
        """Items of one catalog by item id ({} when the catalog does not exist)."""
        with self.state.lock:
            found = self.state.catalogs.get(catalog.lower())
            return {} if found is None else copy.deepcopy(found.items)

    def catalog_field_mappings(self, catalog: str) -> dict[str, str]:
        with self.state.lock:
            found = self.state.catalogs.get(catalog.lower())
            return {} if found is None else dict(found.field_mappings)

    def write_counts(self, kind: str) -> dict[str, int]:
        """How many times each id was written: users by label, events/purchases by id,
        carts by user label, catalog_items by `catalog/itemId`."""
        if kind not in WRITE_KINDS:
            msg = f"kind must be one of {', '.join(WRITE_KINDS)}, got {kind!r}"
            raise ValueError(msg)
        with self.state.lock:
            return dict(self.state.writes[kind])

    def journey_entries(self) -> dict[str, Any]:
        """What would have put users into journeys (see `journeys.py`): `by_trigger` maps a
        trigger (`purchase`, `customEvent:<name>`, `shoppingCartUpdate`, `newUserCreated`,
        `userProfileUpdate:<field>`) to fact (purchase/event id, or user label) -> entries;
        `total` sums them; `carts_cleared_by_purchase` counts, per user label, the carts a
        trackPurchase emptied."""
        with self.state.lock:
            return {
                "total": self.state.journeys.total(),
                "by_trigger": self.state.journeys.as_dict(),
                "carts_cleared_by_purchase": dict(self.state.carts_cleared_by_purchase),
            }

    def user_write_sources(self) -> dict[str, dict[str, int]]:
        """Which endpoints wrote each profile (by user label), e.g.
        `{"a@x.com": {"users/bulkUpdate": 1, "commerce/trackPurchase": 2}}`: Iterable warns that
        bulk and single-user writes to one user close together may apply out of order."""
        with self.state.lock:
            return {label: dict(sources) for label, sources in self.state.write_sources.items()}

    def non_e164_phone_numbers(self) -> list[dict[str, Any]]:
        """Every `phoneNumber` written that is not E.164, in write order:
        `{"user": <label>, "phoneNumber": <value as sent>, "source": <endpoint>}`."""
        with self.state.lock:
            return copy.deepcopy(self.state.non_e164_phone_numbers)

    def field_types(self) -> dict[str, dict[str, str]]:
        """The type registry: `user`, `purchase`, `customEvent:<name>` -> field path -> type."""
        with self.state.lock:
            return copy.deepcopy(self.state.registry.types)

    def forgotten(self) -> dict[str, list[str]]:
        with self.state.lock:
            return {
                "emails": sorted(self.state.forgotten_emails),
                "userIds": sorted(self.state.forgotten_user_ids),
            }

    def request_counts(self) -> dict[str, int]:
        """Answered requests by `"METHOD path status"`, e.g. `"POST /api/users/bulkUpdate 200"`."""
        counts: dict[str, int] = {}
        for entry in self.request_log.entries():
            key = f"{entry.method} {entry.path} {entry.status}"
            counts[key] = counts.get(key, 0) + 1
        return counts

    # Knobs ---------------------------------------------------------------------------------

    def forget(self, *, email: str | None = None, user_id: str | None = None) -> None:
        """Mark an identifier GDPR-forgotten: its data goes and later writes get 409."""
        if email is None and user_id is None:
            msg = "forget() needs email= or user_id="
            raise ValueError(msg)
        with self.state.lock:
            if email is not None:
                self.state.forgotten_emails.add(email)
                profile = self.state.find_by_email(email)
                if profile is not None:
                    self.state.delete_user(profile)
            if user_id is not None:
                self.state.forgotten_user_ids.add(user_id)
                for profile in self.state.find_by_user_id(user_id):
                    self.state.delete_user(profile)

    def unforget(self, *, email: str | None = None, user_id: str | None = None) -> None:
        with self.state.lock:
            users.unforget(self.state, email=email, user_id=user_id)

    def set_rate_limits(self, limits: Mapping[str, float | None]) -> None:
        """Requests per second by name (see `rate_limits.DEFAULT_RATE_LIMITS`); None = no limit."""
        self.rate_limiter.configure(
            {name: math.inf if rate is None else rate for name, rate in limits.items()}
        )

    def rate_limits(self) -> dict[str, float | None]:
        return {
            name: None if math.isinf(rate) else rate
            for name, rate in self.rate_limiter.limits().items()
        }

    def configure(self, **settings: Any) -> None:
        """Change emulator settings (see `settings.EmulatorSettings`)."""
        with self.state.lock:
            self.settings.update(settings)

    def reset(self) -> None:
        """Back to the start: no data, empty log, no faults, default settings, and the rate limits
        the emulator was built with (buckets refilled)."""
        with self.state.lock:
            self.state.reset()
            self.settings = EmulatorSettings()
        self.request_log.clear()
        self.faults.configure(FaultConfig())
        self.rate_limiter.reset()
        self.rate_limiter.configure(self._initial_rate_limits)
