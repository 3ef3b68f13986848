"""`customer_deletions` -> what the mapper emits per `on_customer_deleted` and project type.

The end-to-end effect in Iterable (through the real CLIs) is in tests/e2e/test_customer_deletions;
here: which record addresses the person in each project type, and what is logged and counted.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest

from . import records as r
from .helpers import records, run_in_process

EMAIL = "ann@example.com"
DELETION = {
    "event_id": "e1",
    "store_hash": r.STORE,
    "customer_id": 1,
    "deleted_at": "2024-05-01T10:00:00+00:00",
    "inbox_seq": 1,
}


def _run(tmp_path: Path, mode: str, action: str, *items: Any) -> list[str]:
    config = {
        "database_url": f"sqlite:///{tmp_path / 'mapper.sqlite'}",
        "identity_mode": mode,
        "on_customer_deleted": action,
    }
    return run_in_process(r.messages(*items, r.state({"bookmarks": {}})), config)


@pytest.mark.parametrize(
    ("mode", "key"),
    [
        ("email", {"email": EMAIL}),
        ("user_id", {"userId": f"bc-{r.STORE}-1"}),
        ("hybrid", {"email": EMAIL}),
    ],
)
@pytest.mark.parametrize(
    ("action", "stream"), [("delete", "user_deletions"), ("forget", "user_forgets")]
)
def test_delete_and_forget_address_the_person_by_their_key(
    tmp_path: Path, mode: str, key: dict[str, str], action: str, stream: str
) -> None:
    lines = _run(
        tmp_path,
        mode,
        action,
        ("customers", r.customer(1, EMAIL)),
        ("customer_deletions", DELETION),
    )
    assert records(lines, stream) == [key]
    # After the person's update, so the update cannot re-create them.
    streams = [line for line in lines if '"RECORD"' in line]
    assert '"users"' in streams[0]
    assert f'"{stream}"' in streams[-1]


def test_flag_dates_the_deletion_and_keep_sends_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    flagged = _run(
        tmp_path,
        "email",
        "flag",
        ("customers", r.customer(1, EMAIL)),
        ("customer_deletions", DELETION),
    )
    (user,) = records(flagged, "users")
    assert user["dataFields"]["bcDeleted"] == "2024-05-01 10:00:00 +00:00"

    caplog.set_level(logging.INFO)
    kept = _run(
        tmp_path / "k",
        "email",
        "keep",
        ("customers", r.customer(1, EMAIL)),
        ("customer_deletions", DELETION),
    )
    (user,) = records(kept, "users")
    assert "bcDeleted" not in user["dataFields"]
    assert not records(kept, "user_deletions")
    assert not records(kept, "user_forgets")
    assert "customers deleted in BigCommerce {'keep': 1}" in caplog.text
    assert EMAIL not in caplog.text  # person and customer ids only


def test_a_customer_never_mapped_is_logged_and_counted(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    lines = _run(tmp_path, "email", "delete", ("customer_deletions", DELETION))
    assert not records(lines, "user_deletions")
    assert "never mapped them" in caplog.text
    assert "customers deleted in BigCommerce {'not known to the mapper" in caplog.text
