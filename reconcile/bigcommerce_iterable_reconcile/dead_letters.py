"""What the dead-letter logs account for: records the target or the mapper refused, with the reason.

A purchase, user or catalog item that is missing from Iterable because the target dead-lettered it
is a known gap, not a silent loss: the report lists it with the dead letter's reason, and it does
not count against the tolerance. Everything else still does. The mapper's letters (same format, no
operation) hold BigCommerce records: an order's explains its purchase, a customer's their user.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from map_bigcommerce_iterable.ids import purchase_id
from map_bigcommerce_iterable.normalise import NormalisationError, integer, normalise_email
from target_iterable.contract.dead_letters import TAP_CONTRACT_RULE, read_dead_letters


def dead_letter_files(paths: Iterable[Path]) -> list[Path]:
    """Each path as given, or the `.jsonl` files inside it when it is a folder."""
    files: list[Path] = []
    for path in paths:
        files.extend(sorted(path.glob("*.jsonl")) if path.is_dir() else [path])
    return files


def dead_lettered_subjects(paths: Iterable[Path]) -> dict[str, str]:
    """Purchase ids, emails, userIds and item ids found in dead letters → the letter's reason."""
    reasons: dict[str, str] = {}
    for path in dead_letter_files(paths):
        for letter in read_dead_letters(path):
            reason = str(letter.get("reason") or letter.get("rule") or "dead-lettered")
            subjects = (
                _bigcommerce_subjects(letter.get("stream"), letter.get("record"))
                if letter.get("rule") == TAP_CONTRACT_RULE
                else _subjects(letter.get("record"))
            )
            for subject in subjects:
                reasons.setdefault(subject, reason)
    return reasons


def _subjects(record: Any) -> list[str]:
    if not isinstance(record, dict):
        return []
    user = record.get("user")
    person: dict[str, Any] = user if isinstance(user, dict) else record
    values = [record.get("id"), record.get("itemId"), person.get("email"), person.get("userId")]
    subjects = [str(value) for value in values if value not in (None, "")]
    email = person.get("email")
    if isinstance(email, str):
        subjects.append(email.strip().lower())  # the reconciler names users by normalised email
    return subjects


def _bigcommerce_subjects(stream: Any, record: Any) -> list[str]:
    """What a BigCommerce record the mapper refused would have become: an order its purchase,
    a customer (or subscriber) their user, named by normalised email as the reconciler does."""
    if not isinstance(record, dict):
        return []
    if stream == "orders":
        store_hash = record.get("store_hash")
        try:
            order_id = integer(record.get("id"), "orders.id")
        except NormalisationError:
            return []  # the very field that was wrong: no purchase to name
        if isinstance(store_hash, str) and store_hash and order_id is not None:
            return [purchase_id(store_hash, order_id)]
        return []
    if stream in ("customers", "subscribers"):
        email = normalise_email(record.get("email"))
        return [email] if email else []
    return []
