"""What the target's dead-letter logs account for: records it refused, with the reason.

A purchase, user or catalog item that is missing from Iterable because the target dead-lettered it
is a known gap, not a silent loss: the report lists it with the dead letter's reason, and it does
not count against the tolerance. Everything else still does.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from target_iterable.dead_letters import read_dead_letters


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
            for subject in _subjects(letter.get("record")):
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
