"""Journey entries: what would put a user into a journey, counted per trigger and fact.

Iterable starts journeys from a Start tile's entry source (Iterable support, "Journey Setup: The
Start Tile", article 15934993720468; quoted in ../shared/notes/iterable-api.md §2b):

- "The Event occurs entry source adds a user to the journey when an event is added to or updated
  on their user profile (for example, ... makes a purchase)", and "each time a user has the
  purchase event added to or updated on their profile, they'll be added to the journey." The
  entry events listed are New user created, Purchase, Shopping cart update, User profile update,
  Subscribe/Unsubscribe and Custom event. So every stored custom event and purchase counts, new
  or an update of the same id, and so does every `commerce/updateCart`.
- "When a journey uses the User Profile Update entry source, any call to the
  `POST /api/users/update` or `POST /api/users/bulkUpdate` API endpoints that contains the
  specified field will add the associated users to the journey — regardless of whether the value
  of the field has changed or stayed the same." So each field present in such a call counts, once
  per user and call, changed or not; the profile data of trackPurchase/updateCart does not (the
  page names only those two endpoints).

A journey's own re-entry settings may then keep a user out; a connector cannot see them, so the
emulator counts entries as if every trigger had a journey that admits everyone: the number a
connector must keep down. The counts are what tests assert (`IterableEmulator.journey_entries`).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

NEW_USER = "newUserCreated"
PURCHASE = "purchase"
CART_UPDATE = "shoppingCartUpdate"


def custom_event(event_name: str) -> str:
    return f"customEvent:{event_name}"


def profile_update(field_name: str) -> str:
    return f"userProfileUpdate:{field_name}"


class JourneyEntries:
    """trigger -> fact (event or purchase id, or the user's label) -> entries."""

    def __init__(self) -> None:
        self._entries: dict[str, Counter[str]] = {}

    def enter(self, trigger: str, fact: str) -> None:
        self._entries.setdefault(trigger, Counter())[fact] += 1

    def profile_fields(self, user_label: str, data_fields: dict[str, Any]) -> None:
        """One users/update or bulkUpdate element: an entry per top-level field it contains."""
        for name in data_fields:
            self.enter(profile_update(name), user_label)

    def as_dict(self) -> dict[str, dict[str, int]]:
        return {trigger: dict(facts) for trigger, facts in self._entries.items()}

    def total(self) -> int:
        return sum(sum(facts.values()) for facts in self._entries.values())
