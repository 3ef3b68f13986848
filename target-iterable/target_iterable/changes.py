"""Send only what Iterable does not have yet: the rules, per operation, over the ledger.

- events: an id is sent once (an update of the same id would enter its journeys again);
- purchases: an id is tracked once (later changes of the order arrive as lifecycle events); with
  `resend_changed_purchases` a purchase whose content changed is tracked again;
- users: only the fields whose value changed since Iterable last accepted them, and nothing when
  nothing changed (a profile-update journey fires for every field a call contains);
- carts: a cart's content once, and nothing after that cart's purchase was tracked (a purchase
  empties Iterable's cart; sending the old cart would bring it back);
- catalog items: only when their value changed;
- user forgets: a user once (Iterable blocks a forgotten user's data, and caps forgets per day);
  the ledger keeps when each was accepted, for the daily cap;
- with `historical_cutoff`: events and purchases that happened before it are not sent at all.

`select` returns what to send, each with a `Receipt`; `confirm` writes the receipts of what
Iterable accepted into the ledger (never before: see `ledger.py`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any

from target_iterable.ledger import DeliveryLedger, fingerprint
from target_iterable.settings import Settings
from target_iterable.stats import RunStats

USER_EXISTS = ""  # the user_fields row saying Iterable has the user (field names are never empty)
CART_ID = "cartId"  # a cart's own id: the ledger's key, never sent to Iterable


@dataclass(frozen=True)
class Receipt:
    """What to remember once Iterable accepted one record."""

    operation: str
    key: str
    fingerprint: str = ""
    fields: dict[str, str] = field(default_factory=dict)  # users: field -> fingerprint
    closes_cart: str | None = None  # purchases: the cart they converted
    covers: tuple[str, ...] = ()  # carts: earlier contents of the batch this one replaced


def user_key(record: dict[str, Any]) -> str:
    """A user's ledger key: the identifiers the record carries (email case-insensitive)."""
    email = record.get("email")
    return json.dumps([email.lower() if isinstance(email, str) else None, record.get("userId")])


def _closed_cart_key(cart_id: str) -> str:
    return f"closed:{cart_id}"


class ChangeFilter:
    def __init__(self, ledger: DeliveryLedger | None, settings: Settings, stats: RunStats) -> None:
        self._ledger = ledger
        self._settings = settings
        self._stats = stats

    def select(
        self, operation: str, records: list[dict[str, Any]]
    ) -> list[tuple[dict[str, Any], Receipt | None]]:
        """The records (possibly narrowed) to send, each with its receipt."""
        records = self._after_cutoff(operation, records)
        if self._ledger is None:
            return [(record, None) for record in records]
        if operation == "users":
            return self._users(records)
        if operation in ("events", "purchases", "catalog_items", "carts"):
            return self._by_key(operation, records)
        if operation == "user_forgets":
            return self._forgets(records)
        return [(record, None) for record in records]

    def accepted_since(self, operation: str, since: datetime) -> int | None:
        """Records of `operation` accepted since then, per the ledger (None without one); for
        operations whose ledger fingerprint is the time of acceptance (`user_forgets`)."""
        if self._ledger is None:
            return None
        return self._ledger.count_since(operation, _ledger_time(since))

    def confirm(self, receipts: list[Receipt | None]) -> None:
        """Iterable accepted the records of these receipts."""
        if self._ledger is None:
            return
        by_operation: dict[str, dict[str, str]] = {}
        for receipt in receipts:
            if receipt is None:
                continue
            if receipt.operation == "users":
                self._ledger.record_user_fields(receipt.key, receipt.fields)
                continue
            by_operation.setdefault(receipt.operation, {})[receipt.key] = receipt.fingerprint
            for covered in receipt.covers:
                by_operation[receipt.operation][covered] = receipt.fingerprint
            if receipt.closes_cart:
                by_operation.setdefault("carts", {})[_closed_cart_key(receipt.closes_cart)] = ""
        for operation, entries in by_operation.items():
            self._ledger.record(operation, entries)

    def user_deleted(self, record: dict[str, Any]) -> None:
        if self._ledger is not None:
            self._ledger.forget_user(user_key(record))

    # -- per operation -----------------------------------------------------------------------

    def _after_cutoff(self, operation: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        cutoff = self._settings.historical_cutoff
        if cutoff is None or operation not in ("events", "purchases"):
            return records
        kept = [
            r
            for r in records
            if not isinstance(r.get("createdAt"), int) or r["createdAt"] >= cutoff
        ]
        if len(kept) < len(records):
            self._stats.historical(operation, len(records) - len(kept))
        return kept

    def _by_key(
        self, operation: str, records: list[dict[str, Any]]
    ) -> list[tuple[dict[str, Any], Receipt | None]]:
        assert self._ledger is not None
        keyed = [(record, *self._key(operation, record)) for record in records]
        keys = {key for _, key, _ in keyed if key is not None}
        if operation == "carts":
            keys |= {_closed_cart_key(str(r[CART_ID])) for r in records if r.get(CART_ID)}
        known = self._ledger.delivered(operation, keys)
        selected: list[tuple[dict[str, Any], Receipt | None]] = []
        skipped = 0
        in_batch: set[str] = set()
        for record, key, print_ in keyed:
            if key is None:  # nothing to know it by (an event without id): always sent
                selected.append((record, None))
            elif key in in_batch or self._already_there(
                operation, record, known.get(key), print_, known
            ):
                skipped += 1  # Iterable has it, or gets it earlier in this batch
            else:
                in_batch.add(key)
                selected.append((record, self._receipt(operation, record, key, print_)))
        if operation == "carts":
            selected, replaced = _latest_cart_contents(selected)
            skipped += replaced
        if skipped:
            self._stats.unchanged(operation, skipped)
        return selected

    def _key(self, operation: str, record: dict[str, Any]) -> tuple[str | None, str]:
        if operation == "catalog_items":
            return str(record["itemId"]), fingerprint(record.get("value"))
        if operation == "carts":
            content = fingerprint(record.get("items"))
            owner = record.get(CART_ID) or user_key(record["user"])
            # One row per content a cart had: re-reading the cart's history sends none of it.
            return f"{owner}#{content}", content
        record_id = record.get("id")
        return (str(record_id) if record_id else None), fingerprint(record)

    def _already_there(
        self,
        operation: str,
        record: dict[str, Any],
        known_print: str | None,
        print_: str,
        known: dict[str, str],
    ) -> bool:
        cart_id = record.get(CART_ID) if operation == "carts" else None
        if cart_id and _closed_cart_key(str(cart_id)) in known:
            return True  # that cart's purchase was tracked: Iterable emptied it
        if known_print is None:
            return False
        if operation == "purchases" and self._settings.resend_changed_purchases:
            return known_print == print_
        if operation == "catalog_items":
            return known_print == print_
        return True  # events and purchases: an id once; carts: this content once

    def _receipt(self, operation: str, record: dict[str, Any], key: str, print_: str) -> Receipt:
        closes = None
        if operation == "purchases":
            cart_id = (record.get("dataFields") or {}).get(CART_ID)
            closes = str(cart_id) if cart_id else None
        return Receipt(operation, key, print_, closes_cart=closes)

    def _forgets(
        self, records: list[dict[str, Any]]
    ) -> list[tuple[dict[str, Any], Receipt | None]]:
        """Users not forgotten yet; each receipt holds the time, which the daily cap counts."""
        assert self._ledger is not None
        known = self._ledger.delivered("user_forgets", (user_key(r) for r in records))
        now = _ledger_time(datetime.now(UTC))
        selected: list[tuple[dict[str, Any], Receipt | None]] = []
        in_batch: set[str] = set()
        for record in records:
            key = user_key(record)
            if key not in known and key not in in_batch:
                in_batch.add(key)
                selected.append((record, Receipt("user_forgets", key, now)))
        if len(selected) < len(records):
            self._stats.unchanged("user_forgets", len(records) - len(selected))
        return selected

    def _users(self, records: list[dict[str, Any]]) -> list[tuple[dict[str, Any], Receipt | None]]:
        assert self._ledger is not None
        known = self._ledger.user_fields(user_key(record) for record in records)
        selected: list[tuple[dict[str, Any], Receipt | None]] = []
        skipped = 0
        for record in records:
            key = user_key(record)
            had = known.get(key, {})
            prints = {
                name: fingerprint(value) for name, value in (record.get("dataFields") or {}).items()
            }
            changed = {name: p for name, p in prints.items() if had.get(name) != p}
            if had and not changed:
                skipped += 1
                continue
            narrowed = dict(record)
            if "dataFields" in record:
                narrowed["dataFields"] = {n: record["dataFields"][n] for n in changed}
                if not changed:
                    del narrowed["dataFields"]
            selected.append((narrowed, Receipt("users", key, fields={USER_EXISTS: "", **changed})))
            # A later record of the same user in this batch compares with this one.
            known[key] = {**had, USER_EXISTS: "", **changed}
        if skipped:
            self._stats.unchanged("users", skipped)
        return selected


def _ledger_time(moment: datetime) -> str:
    """One fixed ISO 8601 UTC form, so ledger times compare as strings."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def _latest_cart_contents(
    selected: list[tuple[dict[str, Any], Receipt | None]],
) -> tuple[list[tuple[dict[str, Any], Receipt | None]], int]:
    """Only the last content of each cart in a batch is sent (updateCart replaces the whole cart,
    and each call enters Shopping cart update journeys); the earlier ones are recorded with it,
    so re-reading the cart's history sends none of them. Returns (kept, replaced count)."""
    last: dict[str, int] = {}
    for index, (_, receipt) in enumerate(selected):
        if receipt is not None:
            last[receipt.key.rsplit("#", 1)[0]] = index
    kept: list[tuple[dict[str, Any], Receipt | None]] = []
    covered: dict[str, list[str]] = {}
    for index, (record, receipt) in enumerate(selected):
        if receipt is not None:
            owner = receipt.key.rsplit("#", 1)[0]
            if last[owner] != index:
                covered.setdefault(owner, []).append(receipt.key)
                continue
        kept.append((record, receipt))
    result: list[tuple[dict[str, Any], Receipt | None]] = []
    for record, receipt in kept:
        with_covers = receipt
        if receipt is not None:
            owner = receipt.key.rsplit("#", 1)[0]
            with_covers = replace(receipt, covers=tuple(covered.get(owner, [])))
        result.append((record, with_covers))
    return result, sum(len(keys) for keys in covered.values())
