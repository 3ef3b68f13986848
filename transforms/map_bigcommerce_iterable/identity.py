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


@dataclass(frozen=True)
class EmailChange:
    """A registered customer's new email, for the target's `email_changes` operation.

    How each project type gives a user a new email (Iterable KB "Updating a User's Email Address
    or User ID", 217502386): email-based, `users/updateEmail` from the current email; userID-based
    and hybrid, `users/update` by `userId` with `dataFields.email`. When a guest already used the
    new address, `merge_from` names the guest's profile (by the identifier the project knows it
    by): it is merged into the customer's first (`users/merge`: "Merges the source user data into
    the destination user profile (including system events, custom events, and user profile
    fields)" and deletes the source, KB "Merging User Profiles", 33744314673172), so the guest's
    purchases and lifetime value end up on the one customer profile.
    """

    person_id: int
    current_email: str | None
    new_email: str
    user_id: str | None  # userID-based and hybrid projects: the profile is found by userId
    merge_from: dict[str, str] | None = None
    absorbed_person_id: int | None = None  # the guest person who became this one

    def record(self) -> dict[str, Any]:
        record: dict[str, Any] = {"newEmail": self.new_email}
        if self.current_email:
            record["currentEmail"] = self.current_email
        if self.user_id is not None:
            record["userId"] = self.user_id
        if self.merge_from is not None:
            record["mergeFrom"] = self.merge_from
        return record


class IdentityResolver:
    def __init__(self, store: EmbeddedStore, settings: MapperSettings) -> None:
        self._store = store
        self._settings = settings
        self._email_changes: list[EmailChange] = []
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
        merge_from = absorbed = None
        if holder is not None and holder.id != person.id:
            if holder.registered:
                # Two customers cannot hold one address in a store: the other one's change
                # away from it has not been read yet (or it is another store's customer).
                # Moving now would join two customers; the next change of either settles it.
                logger.warning(
                    "Customer person %s changed email to an address customer person %s holds; "
                    "kept the old email as key until that customer's own change is read",
                    person.id,
                    holder.id,
                )
                return person
            # A guest used the address first: the same person, whose guest profile joins the
            # customer's (orders, carts, profile facts; see EmailChange).
            guest_identity = self.identity(holder)
            merge_from = guest_identity.key if guest_identity else None
            absorbed = holder.id
            self._store.absorb_person(holder.id, person.id)
        changed = Person(person.id, email_key, person.user_id, person.registered)
        self._store.update_person(changed)
        email_based = self._settings.identity_mode == "email"
        if person.email_key or not email_based:
            # The key (email-based) or an identifier (hybrid, unique there) moves: Iterable must
            # move it before anything is sent under the new email, or the person becomes two
            # users. In userID-based projects the email is profile data, set the same way.
            self._email_changes.append(
                EmailChange(
                    person_id=person.id,
                    current_email=person.email_key,
                    new_email=email_key,
                    user_id=None if email_based else person.user_id,
                    merge_from=merge_from,
                    absorbed_person_id=absorbed,
                )
            )
        return changed

    def take_email_changes(self) -> list[EmailChange]:
        """The email changes of people since the last call, in order."""
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
