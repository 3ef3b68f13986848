"""Operations with no bulk form: purchases, carts, user deletions and forgets, email changes.

Sent concurrently (`commerce_concurrency` workers), each endpoint paced by its rate limit; the
records of one user are sent one after the other, in their order (a cart update replaces the
whole cart, so an older one must not land last). Profile
data never goes through these single-user calls: a purchase's or cart's `user.dataFields` is moved
to users/bulkUpdate first, because Iterable processes bulk and single-user calls separately and
mixing them for one user races.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

from target_iterable.answers import rejected_field
from target_iterable.bulk import UsersSender, user_with_defaults
from target_iterable.changes import CART_ID, Receipt
from target_iterable.client import Answer
from target_iterable.contract import encoding
from target_iterable.contract.dead_letters import DeadLetter
from target_iterable.endpoints import (
    DELETE_USER_BY_EMAIL,
    DELETE_USER_BY_USER_ID,
    TRACK_PURCHASE,
    UPDATE_CART,
    USERS_FORGET,
    USERS_GET_BY_EMAIL,
    USERS_MERGE,
    USERS_UPDATE,
    USERS_UPDATE_EMAIL,
    Endpoint,
)
from target_iterable.runtime import Runtime

_IDENTIFIERS = ("email", "userId")


class SingleSender:
    """Sends one request per record, concurrently."""

    operation: str
    identity_prefix = ""  # where the record's email/userId sit, for dead letters

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self._stop = threading.Event()

    def request(self, record: dict[str, Any]) -> tuple[Endpoint, str | None, dict[str, str]]:
        """(endpoint, JSON body, path parameters) for one record."""
        raise NotImplementedError

    def accepts(self, answer: Answer) -> bool:
        return answer.ok

    def follow_up(self, record: dict[str, Any], answer: Answer) -> Answer:
        """The answer that decides the record's fate (a refusal may call for another request)."""
        return answer

    def exchange(self, record: dict[str, Any]) -> Answer:
        """Iterable's answer to one record: its request, then any follow-up."""
        endpoint, body, path_params = self.request(record)
        answer = self.runtime.client.call(endpoint, body=body, path_params=path_params)
        return self.follow_up(record, answer)

    def user_key(self, record: dict[str, Any]) -> str:
        """Whose record this is: one user's records are sent one after the other, in order."""
        return str(record.get("userId") or record.get("email"))

    def within_limits(
        self, selected: list[tuple[dict[str, Any], Receipt | None]], stream: str
    ) -> list[tuple[dict[str, Any], Receipt | None]]:
        """What may be sent now; an operation with a quota beyond its rate dead-letters the rest."""
        return selected

    def accepted(self, record: dict[str, Any], receipt: Receipt | None) -> None:
        """Iterable accepted this record."""
        self.runtime.stats.accepted(self.operation)
        self.runtime.changes.confirm([receipt])

    def send(self, records: list[dict[str, Any]], stream: str) -> None:
        self._stop.clear()
        by_user: dict[str, list[tuple[dict[str, Any], Receipt | None]]] = defaultdict(list)
        selected = self.runtime.changes.select(self.operation, records)
        for record, receipt in self.within_limits(selected, stream):
            by_user[self.user_key(record)].append((record, receipt))
        workers = min(self.runtime.settings.commerce_concurrency, len(by_user)) or 1
        with ThreadPoolExecutor(max_workers=workers, thread_name_prefix=self.operation) as pool:
            futures = [
                pool.submit(self._send_in_order, group, stream) for group in by_user.values()
            ]
            try:
                for future in futures:
                    future.result()  # re-raises the first fatal error (auth, retries exhausted)
            finally:
                self._stop.set()  # queued records are not sent once one has failed the run

    def _send_in_order(
        self, records: list[tuple[dict[str, Any], Receipt | None]], stream: str
    ) -> None:
        for record, receipt in records:
            if self._stop.is_set():
                return
            self._send_one(record, receipt, stream)

    def _send_one(self, record: dict[str, Any], receipt: Receipt | None, stream: str) -> None:
        try:
            answer = self.exchange(record)
        except (TypeError, ValueError) as error:  # NaN, Infinity: not JSON Iterable reads
            letter = DeadLetter(
                stream, self.operation, record, f"not valid JSON: {error}", None, "json"
            )
            self.runtime.dead_letter([letter])
            return
        if self.accepts(answer):
            self.accepted(record, receipt)
            return
        self.runtime.dead_letter(
            [
                DeadLetter(
                    stream=stream,
                    operation=self.operation,
                    record=record,
                    reason=f"Iterable refused this record: {answer.message}",
                    field=rejected_field(answer, prefix=self.identity_prefix),
                    rule=answer.code or f"HTTP {answer.status}",
                    iterable_answer=answer.for_dead_letter(),
                )
            ]
        )


class CommerceSender(SingleSender):
    """Purchases and carts: profile data goes to users/bulkUpdate, the call carries identifiers."""

    endpoint: Endpoint
    identity_prefix = "user."

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self._users = UsersSender(runtime)

    def send(self, records: list[dict[str, Any]], stream: str) -> None:
        profiles = [profile for r in records if (profile := profile_update(r["user"])) is not None]
        if profiles:
            self.runtime.logger.info(
                "Moving user.dataFields of %d %s to users/bulkUpdate (no mixing of single-user "
                "and bulk calls for one user)",
                len(profiles),
                self.operation,
            )
            self.runtime.stats.received("users", len(profiles))
            self._users.send(profiles, stream)
        super().send([strip_profile_data(r) for r in records], stream)

    def user_key(self, record: dict[str, Any]) -> str:
        return super().user_key(record["user"])

    def request(self, record: dict[str, Any]) -> tuple[Endpoint, str | None, dict[str, str]]:
        record = {**record, "user": user_with_defaults(record["user"], self.runtime)}
        record.pop(CART_ID, None)  # the ledger's key of a cart; Iterable's updateCart has none
        return self.endpoint, encoding.dumps(record), {}


class PurchasesSender(CommerceSender):
    operation = "purchases"
    endpoint = TRACK_PURCHASE


class CartsSender(CommerceSender):
    operation = "carts"
    endpoint = UPDATE_CART


class UserDeletionsSender(SingleSender):
    operation = "user_deletions"

    def request(self, record: dict[str, Any]) -> tuple[Endpoint, str | None, dict[str, str]]:
        # byUserId works in every project type; by email in email-based and hybrid projects.
        if record.get("userId"):
            return DELETE_USER_BY_USER_ID, None, {"user_id": record["userId"]}
        return DELETE_USER_BY_EMAIL, None, {"email": record["email"]}

    def accepts(self, answer: Answer) -> bool:
        # Deleting a user that does not exist (any more) is done: a resumed run repeats deletions.
        return answer.ok or _no_such_user(answer)

    def accepted(self, record: dict[str, Any], receipt: Receipt | None) -> None:
        super().accepted(record, receipt)
        # A user created again later must get every field, not only the changed ones.
        self.runtime.changes.user_deleted(record)


class UserForgetsSender(SingleSender):
    """GDPR forgets: `POST /api/users/forget` "Deletes the specified user's data from the Iterable
    project and prevents future data collection about them" (Swagger `forget`); by email in
    email-based projects, by userId in userID-based ones, either in hybrid ones (the record says
    which). "Rate limit: 3 requests/second, per project ... Daily Cap: 1000 requests per 24 hour
    period, per project": the rate is the endpoint's pace, the cap `users_forget_daily_cap`,
    counted over the last 24 hours from the ledger (and this run's calls, whichever is more). A
    forget beyond it is dead-lettered (rule `daily_cap`), to be replayed the next day."""

    operation = "user_forgets"
    DAY = timedelta(hours=24)

    def __init__(self, runtime: Runtime) -> None:
        super().__init__(runtime)
        self._calls_this_run = 0

    def request(self, record: dict[str, Any]) -> tuple[Endpoint, str | None, dict[str, str]]:
        body = {key: record[key] for key in _IDENTIFIERS if key in record}
        return USERS_FORGET, encoding.dumps(body), {}

    def within_limits(
        self, selected: list[tuple[dict[str, Any], Receipt | None]], stream: str
    ) -> list[tuple[dict[str, Any], Receipt | None]]:
        cap = self.runtime.settings.users_forget_daily_cap
        in_ledger = self.runtime.changes.accepted_since(
            self.operation, datetime.now(UTC) - self.DAY
        )
        room = max(cap - max(in_ledger or 0, self._calls_this_run), 0)
        allowed, over = selected[:room], selected[room:]
        self._calls_this_run += len(allowed)
        if over:
            self.runtime.logger.warning(
                "users/forget: %d forget(s) over the daily cap of %d per 24 hours dead-lettered "
                "(rule daily_cap); replay them tomorrow with `target-iterable replay`",
                len(over),
                cap,
            )
            reason = (
                f"not sent: Iterable allows {cap} users/forget calls per 24 hours per project "
                "(users_forget_daily_cap) and that many were made; replay this letter later"
            )
            self.runtime.dead_letter(
                [DeadLetter(stream, self.operation, r, reason, None, "daily_cap") for r, _ in over]
            )
        return allowed

    def accepted(self, record: dict[str, Any], receipt: Receipt | None) -> None:
        super().accepted(record, receipt)
        # A user unforgotten and created again later must get every field.
        self.runtime.changes.user_deleted(record)


def profile_update(user: dict[str, Any]) -> dict[str, Any] | None:
    """The users/bulkUpdate record carrying a commerce call's profile data, if it has any."""
    if not user.get("dataFields"):
        return None
    update = {key: user[key] for key in (*_IDENTIFIERS, "dataFields") if key in user}
    for option in ("preferUserId", "mergeNestedObjects"):
        if option in user:
            update[option] = user[option]
    return update


def strip_profile_data(record: dict[str, Any]) -> dict[str, Any]:
    user = {key: value for key, value in record["user"].items() if key != "dataFields"}
    return {**record, "user": user}


class EmailChangesSender(SingleSender):
    """A user's new email, before any other record of the user is sent; one profile either way.

    Iterable KB "Updating a User's Email Address or User ID" (217502386): in email-based projects
    `users/updateEmail` ("All profile data and events will be migrated", Swagger); in userID-based
    and hybrid projects `users/update` by `userId` with `dataFields.email` and
    `mergeNestedObjects` (Swagger updateEmail: "To update an email in a userID-based or hybrid
    project, use POST /api/users/update"). Both refuse an email another profile holds where
    emails are unique (updateEmail "Returns an error if the new email already exists"; update 409
    "Email/userId conflict"; KB "Project Types": unique in email-based and hybrid projects).

    That profile is merged into the user's with `users/merge`, then the email moves again (KB
    "Merging User Profiles", 33744314673172: the destination "receives copies of the source
    profile's data, including system events, custom events, and user profile fields", keeps its
    own value on a conflict, and the source is deleted): its purchases and lifetime value join
    the user's, and the user's own fields win. Which profiles are merged:
    - email-based: the holder of the new email (email is the person there);
    - hybrid: the one the record's `mergeFrom` names (a guest the mapper saw use the address),
      else the holder if it has no userId (a guest profile from elsewhere, e.g. a signup form).
      A holder with a userId is another known user: Iterable's refusal is dead-lettered. Whether
      Iterable would merge such a guest by itself is not documented; this does it explicitly;
    - userID-based: emails are not unique, so nothing is refused: `mergeFrom` (the guest's userId
      profile) is merged first, or the person would stay two users with one email.
    A re-sent change is harmless: the email is already there, a merged source "does not exist".
    """

    operation = "email_changes"

    def request(self, record: dict[str, Any]) -> tuple[Endpoint, str | None, dict[str, str]]:
        if "userId" in record:
            body = {
                "userId": record["userId"],
                "dataFields": {"email": record["newEmail"]},
                "mergeNestedObjects": True,
            }
            return USERS_UPDATE, encoding.dumps(body), {}
        body = {"currentEmail": record["currentEmail"], "newEmail": record["newEmail"]}
        return USERS_UPDATE_EMAIL, encoding.dumps(body), {}

    def user_key(self, record: dict[str, Any]) -> str:
        return ""  # one after the other, in order: a→b then b→c must not swap

    def exchange(self, record: dict[str, Any]) -> Answer:
        merge_from = record.get("mergeFrom")
        if merge_from and "email" not in merge_from:
            # UserID-based: a guest's userId profile. Done already if it "does not exist".
            merged = self._merge(merge_from, record)
            if not (merged.ok or _no_such_user(merged)):
                return merged
        endpoint, body, _ = self.request(record)
        answer = self.runtime.client.call(endpoint, body=body)
        if not _email_taken(answer):
            return answer
        holder = self._holder_to_merge(record)
        if holder is None:
            return answer
        self.runtime.logger.info(
            "The new email of a user has a profile of its own already; merging it into the "
            "user's (users/merge), then moving the email again"
        )
        merged = self._merge(holder, record)
        if not merged.ok:
            return merged
        return self.runtime.client.call(endpoint, body=body)

    def _holder_to_merge(self, record: dict[str, Any]) -> dict[str, str] | None:
        """The profile holding the new email, if it is to join the user's (see the class)."""
        new_email = record["newEmail"]
        if "userId" not in record or record.get("mergeFrom") == {"email": new_email}:
            return {"email": new_email}
        found = self.runtime.client.call(USERS_GET_BY_EMAIL, query={"email": new_email})
        user = found.body.get("user") if found.ok else None
        if isinstance(user, dict) and not user.get("userId"):
            return {"email": new_email}
        return None  # another user with a userId (or gone meanwhile): Iterable's refusal stands

    def _merge(self, source: dict[str, str], record: dict[str, Any]) -> Answer:
        """users/merge of `source` into the user the record is about."""
        body = {f"source{name[0].upper()}{name[1:]}": value for name, value in source.items()}
        if "userId" in record:
            body["destinationUserId"] = record["userId"]
        else:
            body["destinationEmail"] = record["currentEmail"]
        return self.runtime.client.call(USERS_MERGE, body=encoding.dumps(body))

    def accepts(self, answer: Answer) -> bool:
        # An email-based user Iterable never had needs no move: the new email's records create it.
        return answer.ok or _no_such_user(answer)

    def accepted(self, record: dict[str, Any], receipt: Receipt | None) -> None:
        super().accepted(record, receipt)
        # What the ledger knew of these identifiers is about profiles that moved or are gone.
        identifiers = [{"email": record.get("currentEmail")}, {"email": record["newEmail"]}]
        identifiers += [{"userId": record.get("userId")}, record.get("mergeFrom") or {}]
        for identifier in identifiers:
            if any(identifier.values()):
                self.runtime.changes.user_deleted(identifier)


def _email_taken(answer: Answer) -> bool:
    """Another profile holds the new email: Swagger answers 409 "Email/userId conflict" (not
    the GDPR-forgotten 409); KB "Testing and Troubleshooting User Profiles" (360035079512)
    calls it "Error 4XX: Email already exists", so the code counts whatever the status."""
    if answer.code == "EmailAlreadyExists":
        return True
    return answer.status == 409 and answer.code != "ForgottenUserError"


def _no_such_user(answer: Answer) -> bool:
    """Iterable's answer about a user it does not have: 400 "User does not exist" (observed for
    users/updateEmail and DELETE byUserId, ../shared/notes/iterable-api.md)."""
    return answer.status == 400 and "does not exist" in answer.message
