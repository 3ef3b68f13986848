"""Which ledger and store the delivered data went through, carried in STATE.

On ephemeral workers the working directory, and with it the default SQLite ledger and mapper
store, does not survive a run, while Meltano's state does. The target writes its ledger's id (and
the mapper its store's id) into the STATE it passes on; the next run's STATE carries them back.
When they name another ledger or store than the one opened, earlier runs delivered data through
one this run cannot see: the run stops instead of re-sending (and re-triggering) what Iterable has.

The ids live under a bookmark no stream reads: singer-sdk taps keep only `bookmarks` of the state
they are given (`Tap.load_state`), write that state once before any record (`Tap.sync_all`), and
carry it in every later STATE.
"""

from __future__ import annotations

import copy
from typing import Any

MARKER_BOOKMARK = "_iterable_delivery"


def marker(state: dict[str, Any] | None) -> dict[str, Any]:
    """The ids a STATE carries ({} when none)."""
    bookmarks = (state or {}).get("bookmarks")
    found = bookmarks.get(MARKER_BOOKMARK) if isinstance(bookmarks, dict) else None
    return dict(found) if isinstance(found, dict) else {}


def with_marker(state: dict[str, Any], **ids: str) -> dict[str, Any]:
    """A copy of the state carrying these ids (others it carries are kept)."""
    result = copy.deepcopy(state)
    bookmarks = result.setdefault("bookmarks", {})
    if isinstance(bookmarks, dict):
        bookmarks[MARKER_BOOKMARK] = {**marker(state), **ids}
    return result


def has_bookmarks(state: dict[str, Any] | None) -> bool:
    """Whether a state says earlier runs read something (stream bookmarks besides the marker)."""
    bookmarks = (state or {}).get("bookmarks")
    return isinstance(bookmarks, dict) and any(name != MARKER_BOOKMARK for name in bookmarks)
