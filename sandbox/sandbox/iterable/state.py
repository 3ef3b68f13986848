"""What the emulated Iterable project holds: users, events, purchases, carts, catalogs, counters."""

from __future__ import annotations

import itertools
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

from sandbox.iterable.field_types import FieldTypeRegistry
from sandbox.iterable.journeys import NEW_USER, JourneyEntries

ProjectType = Literal["email", "user_id", "hybrid"]
PROJECT_TYPES: tuple[str, ...] = ("email", "user_id", "hybrid")


def iterable_timestamp(moment: datetime | None = None) -> str:
    """Iterable's own date format, e.g. `2016-08-02 18:53:45 +00:00`."""
    moment = moment or datetime.now(UTC)
    # %Y is not zero-padded for years before 1000 on every platform.
    return f"{moment.year:04d}-" + moment.strftime("%m-%d %H:%M:%S +00:00")


@dataclass
class UserProfile:
    key: int
    email: str | None
    user_id: str | None
    data_fields: dict[str, Any] = field(default_factory=dict)
    signup_date: str = field(default_factory=iterable_timestamp)
    profile_updated_at: str = field(default_factory=iterable_timestamp)
    updated_epoch: float = field(default_factory=lambda: datetime.now(UTC).timestamp())
    created_monotonic: float = field(default_factory=time.monotonic)

    def as_api_user(self) -> dict[str, Any]:
        """The `user` object of GET users/getByEmail and friends."""
        data = dict(self.data_fields)
        data.update(
            {
                "signupDate": self.signup_date,
                "profileUpdatedAt": self.profile_updated_at,
                "signupSource": "API",
            }
        )
        user: dict[str, Any] = {"email": self.email or "", "dataFields": data}
        if self.email:
            data["email"] = self.email
        if self.user_id is not None:
            user["userId"] = self.user_id
            data["userId"] = self.user_id
        return user

    def as_record(self) -> dict[str, Any]:
        """The inspection view: exactly what clients sent, plus Iterable's timestamps."""
        return {
            "email": self.email,
            "userId": self.user_id,
            "dataFields": dict(self.data_fields),
            "signupDate": self.signup_date,
            "profileUpdatedAt": self.profile_updated_at,
        }


@dataclass
class Catalog:
    name: str
    items: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_modified: dict[str, str] = field(default_factory=dict)
    field_mappings: dict[str, str] = field(default_factory=dict)


class ProjectState:
    """All stored data. Callers hold `lock` while reading or changing it."""

    def __init__(self, project_type: ProjectType, project_id: int = 1) -> None:
        self.lock = threading.RLock()
        self.project_type: ProjectType = project_type
        self.project_id = project_id
        self.registry = FieldTypeRegistry(project_id=project_id)
        self._keys = itertools.count(1)
        self.users: dict[int, UserProfile] = {}
        self.by_email: dict[str, int] = {}
        # userId is not unique in email-based projects, so the index holds every holder.
        self.by_user_id: dict[str, list[int]] = {}
        self.events: dict[str, dict[str, Any]] = {}
        # When each event / purchase id was first stored (time.monotonic), for delayed reads.
        self.first_written: dict[tuple[str, str], float] = {}
        self.event_names: set[str] = set()  # custom event names the project has seen
        self.purchases: dict[str, dict[str, Any]] = {}
        self.carts: dict[str, list[dict[str, Any]]] = {}
        self.catalogs: dict[str, Catalog] = {}
        self.forgotten_emails: set[str] = set()
        self.forgotten_user_ids: set[str] = set()
        # How many times each id was written: kind -> id -> count.
        self.writes: dict[str, Counter[str]] = {
            kind: Counter() for kind in ("users", "events", "purchases", "carts", "catalog_items")
        }
        # Which endpoints wrote each profile: user label -> endpoint -> count.
        self.write_sources: dict[str, Counter[str]] = {}
        # What would put users into journeys (see journeys.py).
        self.journeys = JourneyEntries()
        # Carts emptied by a purchase: user label -> count (trackPurchase clears shoppingCartItems).
        self.carts_cleared_by_purchase: Counter[str] = Counter()
        # Every `phoneNumber` written that is not E.164 (flagged, not rejected: see ITERABLE.md).
        self.non_e164_phone_numbers: list[dict[str, Any]] = []
        self._generated_ids = itertools.count(1)

    def reset(self) -> None:
        with self.lock:
            self.__init__(self.project_type, self.project_id)  # type: ignore[misc]

    def mark_written(self, kind: str, record_id: str) -> None:
        self.first_written.setdefault((kind, record_id), time.monotonic())

    def visible(self, first_written: float | None, delay: float) -> bool:
        """Whether an asynchronous write would be readable through the REST API yet."""
        return first_written is None or time.monotonic() - first_written >= delay

    def new_id(self, prefix: str) -> str:
        return f"{prefix}-{next(self._generated_ids):08d}"

    # Users -------------------------------------------------------------------------------

    def find_by_email(self, email: str) -> UserProfile | None:
        key = self.by_email.get(email)
        return None if key is None else self.users[key]

    def find_by_user_id(self, user_id: str) -> list[UserProfile]:
        return [self.users[key] for key in self.by_user_id.get(user_id, [])]

    def create_user(self, email: str | None, user_id: str | None) -> UserProfile:
        profile = UserProfile(key=next(self._keys), email=None, user_id=None)
        self.users[profile.key] = profile
        self.set_email(profile, email)
        self.set_user_id(profile, user_id)
        self.journeys.enter(NEW_USER, self.label(profile))
        return profile

    def set_email(self, profile: UserProfile, email: str | None) -> None:
        if email is None or email == profile.email:
            return
        if profile.email is not None and self.by_email.get(profile.email) == profile.key:
            del self.by_email[profile.email]
        profile.email = email
        self.by_email[email] = profile.key

    def set_user_id(self, profile: UserProfile, user_id: str | None) -> None:
        if user_id is None or user_id == profile.user_id:
            return
        if profile.user_id is not None:
            holders = self.by_user_id.get(profile.user_id, [])
            if profile.key in holders:
                holders.remove(profile.key)
        profile.user_id = user_id
        self.by_user_id.setdefault(user_id, []).append(profile.key)

    def delete_user(self, profile: UserProfile) -> None:
        self.users.pop(profile.key, None)
        if profile.email is not None:
            self.by_email.pop(profile.email, None)
        if profile.user_id is not None:
            holders = self.by_user_id.get(profile.user_id, [])
            if profile.key in holders:
                holders.remove(profile.key)
        self.carts.pop(self.label(profile), None)

    def label(self, profile: UserProfile) -> str:
        """How inspection reads key a profile (write counts, carts): by the project's identifier.

        Email in email-based projects, userId in userID-based ones; in hybrid projects the email
        if the profile has one, else `userId:<id>` (prefixed so it cannot clash with an email).
        """
        if self.project_type == "email":
            return str(profile.email)
        if self.project_type == "user_id":
            return str(profile.user_id)
        return profile.email or f"userId:{profile.user_id}"

    def touch(self, profile: UserProfile, source: str) -> None:
        now = datetime.now(UTC)
        profile.profile_updated_at = iterable_timestamp(now)
        profile.updated_epoch = now.timestamp()
        self.writes["users"][self.label(profile)] += 1
        self.write_sources.setdefault(self.label(profile), Counter())[source] += 1
