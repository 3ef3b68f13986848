"""Outcomes the tests record for docs/RELIABILITY.md (only when `RELIABILITY_RESULTS` is set)."""

from __future__ import annotations

import json
import os
import threading
from pathlib import Path

from .settings import RESULTS_ENV

_LOCK = threading.Lock()


def record(
    section: str, kind: str, *, cases: int, outcome: str, nothing_lost: bool, records: int = 0
) -> None:
    """Append one row; the same (section, kind) recorded again adds its cases (and `records`:
    the records those cases held, where a case is a page of several)."""
    path = os.environ.get(RESULTS_ENV)
    if not path:
        return
    row = {
        "section": section,
        "kind": kind,
        "cases": cases,
        "outcome": outcome,
        "nothing_lost": nothing_lost,
        "records": records,
    }
    with _LOCK, Path(path).open("a", encoding="utf-8") as file:
        file.write(json.dumps(row) + "\n")
