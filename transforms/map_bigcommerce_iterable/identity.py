"""Who is who: one person, one Iterable user.

Emails are keys once normalised (trimmed, lowercased). A registered customer's person is found by
(store, customer id), else by email; a guest's by email, so a guest order from a registered
customer's address lands on that customer, in this run or any later one (the index is persistent).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from map_bigcommerce_iterable.normalise import NormalisationError, is_valid_user_id, normalise_email
from map_bigcommerce_iterable.settings import MapperSettings
from map_bigcommerce_iterable.store import EmbeddedStore, Person

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Identity:
    """How one person is addressed in Iterable records."""

    person_id: int
    key: dict[str, str]  # the top-level identifier: {"email": ...} or {"userId": ...}
    profile_fields: dict[str, Any] = field(default_factory=dict)  # the other identifier, if any
    registered: bool = False


class IdentityResolver:
    def __init__(self, store: EmbeddedStore, settings: MapperSettings) -> None:
        self._store = store
        self._settings = settings
        self._email_changes: list[tuple[str, str]] = []
        store.check_meta("identity_mode", settings.identity_mode)
        store.check_meta("identity_scope", settings.identity_scope)

    def resolve(
        self,
        store_hash: str,
        customer_id: int | None,
        email: Any,
        *,
        account_email: bool = True,
    ) -> Identity | None:
        """The identity of a customer (id > 0) or guest (id 0/None); None if nobody to address.

        `account_email=False` (an order's billing email) never changes a known customer's email.
        """
        email_key = normalise_email(email)
        if customer_id:
            person = self._registered(store_hash, customer_id, email_key, account_email)
        elif email_key:
            person = self._guest(store_hash, email_key)
        else:
            return None
        return self.identity(person)

    def identity_of(self, person_id: int) -> Identity | None:
        person = self._store.person(person_id)
        return self.identity(person) if person else None

    def identity(self, person: Person) -> Identity | None:
        mode = self._settings.identity_mode
        if mode == "user_id":
            extra = {"email": person.email_key} if person.email_key else {}
            return Identity(person.id, {"userId": person.user_id}, extra, person.registered)
        if person.email_key:
            extra = {"userId": person.user_id} if mode == "hybrid" and person.registered else {}
            return Identity(person.id, {"email": person.email_key}, extra, person.registered)
        if mode == "hybrid":
            return Identity(person.id, {"userId": person.user_id}, {}, person.registered)
        return None  # email mode and no email: nobody to address

    # -- people ------------------------------------------------------------------------------

    def _scope(self, store_hash: str) -> str:
        return store_hash if self._settings.identity_scope == "per_store" else ""

    def _registered(
        self, store_hash: str, customer_id: int, email_key: str | None, account_email: bool
    ) -> Person:
        scope = self._scope(store_hash)
        person = self._store.person_by_customer(store_hash, customer_id)
        if person is not None:
            if account_email and email_key and email_key != person.email_key:
                person = self._change_email(scope, person, email_key)
            return person
        person = self._store.person_by_email(scope, email_key) if email_key else None
        if person is None:
            person = self._store.create_person(
                scope, email_key, self._customer_user_id(store_hash, customer_id), registered=True
            )
        elif not person.registered:
            # A guest registers. In user_id mode the guest's userId was already sent: keep it, so
            # it stays one Iterable user. Elsewhere it never left the store: use the template.
            user_id = (
                person.user_id
                if self._settings.identity_mode == "user_id"
                else self._customer_user_id(store_hash, customer_id)
            )
            person = Person(person.id, person.email_key, user_id, registered=True)
            self._store.update_person(person)
        self._store.link_customer(store_hash, customer_id, person.id)
        return person

    def _guest(self, store_hash: str, email_key: str) -> Person:
        scope = self._scope(store_hash)
        person = self._store.person_by_email(scope, email_key)
        if person is None:
            person = self._store.create_person(
                scope,
                email_key,
                self._guest_user_id(scope, store_hash, email_key),
                registered=False,
            )
        return person

    def _change_email(self, scope: str, person: Person, email_key: str) -> Person:
        holder = self._store.person_by_email(scope, email_key)
        if holder is not None and holder.id != person.id:
            logger.warning(
                "Customer person %s changed email to an address another person holds; "
                "kept the old email as key (Iterable's updateEmail/merge is outside the contract)",
                person.id,
            )
            return person
        changed = Person(person.id, email_key, person.user_id, person.registered)
        self._store.update_person(changed)
        if self._settings.identity_mode == "email" and person.email_key:
            # Email is the key: Iterable must move the profile before anything is sent under the
            # new email (users/updateEmail), or the person becomes two users.
            self._email_changes.append((person.email_key, email_key))
        return changed

    def take_email_changes(self) -> list[tuple[str, str]]:
        """(old, new) emails of people whose key changed since the last call."""
        changes, self._email_changes = self._email_changes, []
        return changes

    def _customer_user_id(self, store_hash: str, customer_id: int) -> str:
        user_id = self._settings.user_id_template.format(
            store_hash=store_hash, customer_id=customer_id
        )
        return _checked_user_id(user_id, "user_id_template")

    def _guest_user_id(self, scope: str, store_hash: str, email_key: str) -> str:
        salted = f"{scope}:{email_key}" if scope else email_key
        digest = hashlib.sha256(salted.encode()).hexdigest()[:24]
        user_id = self._settings.guest_user_id_template.format(
            email_hash=digest, store_hash=store_hash
        )
        return _checked_user_id(user_id, "guest_user_id_template")


def _checked_user_id(user_id: str, setting: str) -> str:
    if not is_valid_user_id(user_id):
        msg = (
            f"{setting} produced {user_id!r}: an Iterable userId must be 1-52 printable ASCII "
            "characters without a trailing space"
        )
        raise NormalisationError(msg)
    return user_id
