"""Every identifier Iterable refuses is traced to its record, dead-lettered and counted.

Against the emulator, one run per project type: the hybrid one through the real `target-iterable`
CLI, the others in-process (the same target without an interpreter start-up, for CI time). What each
case rests on: Iterable's Swagger `FailedUserUpdates` (users/bulkUpdate: invalid, notFound,
invalidData, conflict and forgotten lists; invalid identifiers "found either at the top level of a
passed-in user object, or in dataFields") and `FailedEventUpdates` (events/trackBulk).
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.iterable.testing import RunningIterable, running_iterable

from .helpers import FAST_LIMITS_EMULATOR, read_jsonl, record, run_target, schema, singer_lines

MakeConfig = Callable[..., dict[str, Any]]
EXECUTABLE = str(Path(sys.executable).parent / "target-iterable")


@pytest.fixture
def email_project() -> Iterator[RunningIterable]:
    yield from _project("email")


@pytest.fixture
def user_id_project() -> Iterator[RunningIterable]:
    yield from _project("user_id")


@pytest.fixture
def hybrid_project() -> Iterator[RunningIterable]:
    yield from _project("hybrid")


def _project(project_type: str) -> Iterator[RunningIterable]:
    with running_iterable(project_type=project_type, rate_limits=FAST_LIMITS_EMULATOR) as running:
        # Both readings of a dataFields type mismatch are handled; this is the per-user one.
        running.emulator.configure(bulk_invalid_data_per_user=True)
        yield running


def _run_cli(config: dict[str, Any], messages: list[dict[str, Any]], tmp_path: Path) -> str:
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    result = subprocess.run(
        [EXECUTABLE, "--config", str(config_path)],
        input=singer_lines(messages),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    return result.stderr


def _run_in_process(
    config: dict[str, Any], messages: list[dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> str:
    """The same target in this process (no interpreter start-up): its log lines, as text."""
    caplog.set_level(logging.INFO)
    run_target(config, messages)
    return "\n".join(f" {message}" for message in caplog.messages)


def _summary(stderr: str, operation: str) -> dict[str, int]:
    """The counts of one operation's summary line, e.g. {"accepted": 2, "dead_lettered": 1}."""
    lines = [line for line in stderr.splitlines() if re.search(rf"\s{operation}: received=", line)]
    assert lines, stderr
    return {k: int(v) for k, v in re.findall(r"(\w+)=(\d+)", lines[-1])}


def _refused(stderr: str, operation: str) -> dict[str, int]:
    """The refusals by reason of one operation, from the summary."""
    lines = [line for line in stderr.splitlines() if f"{operation} refused by Iterable:" in line]
    if not lines:
        return {}
    return {k: int(v) for k, v in re.findall(r"([\w.]+)=(\d+)", lines[-1].split(":", 3)[-1])}


def _letters(path: Path) -> list[tuple[str, str | None, str]]:
    """(rule, field, the record's identifier) of each dead letter."""
    return [
        (
            letter["rule"],
            letter["field"],
            letter["record"].get("email") or letter["record"].get("userId"),
        )
        for letter in read_jsonl(path)
    ]


def _seed(running: RunningIterable, users: list[dict[str, Any]]) -> None:
    """Profiles already in Iterable before the run (written through the real API)."""
    answer = requests.post(
        f"{running.api_url}/api/users/bulkUpdate",
        json={"users": users},
        headers={"Api-Key": running.api_key},
        timeout=10,
    ).json()
    assert answer["successCount"] == len(users), answer


def _profiles(running: RunningIterable, key: str, value: str) -> list[dict[str, Any]]:
    return [u for u in running.emulator.users() if u[key] == value]


def test_refusals_in_an_email_based_project(
    email_project: RunningIterable,
    make_config: MakeConfig,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    project = email_project
    _seed(project, [{"email": "kept@example.com", "dataFields": {"visits": 1}}])
    users: list[dict[str, Any]] = [
        {"email": "no-at-sign", "dataFields": {"firstName": "Nobody"}},
        # Two updates of one person: only the second carries data Iterable refuses.
        {"email": "kept@example.com", "dataFields": {"firstName": "Kim"}},
        {"email": "kept@example.com", "dataFields": {"visits": "many"}},
        # An email change to an address Iterable refuses (found in dataFields).
        {"email": "ann@example.com", "dataFields": {"email": "ann at example"}},
        {"userId": "never-seen"},  # userId alone, no preferUserId: nobody to update
    ]
    events = [
        {"email": "kept@example.com", "eventName": "viewed", "id": "e1"},
        {"email": "nobody@example.com", "eventName": "viewed", "id": "e2"},
    ]
    config = make_config(project)
    stderr = _run_in_process(
        config,
        [
            schema("users"),
            *(record("users", u) for u in users),
            schema("events"),
            *(record("events", e) for e in events),
        ],
        caplog,
    )

    assert sorted(_letters(Path(config["dead_letter_path"]))) == sorted(
        [
            ("failedUpdates.invalidEmails", "email", "no-at-sign"),
            ("failedUpdates.invalidDataEmails", "email", "kept@example.com"),
            ("failedUpdates.invalidEmails", "dataFields.email", "ann@example.com"),
            ("failedUpdates.notFoundUserIds", "userId", "never-seen"),
            ("failedUpdates.notFoundEmails", "email", "nobody@example.com"),
        ]
    )
    (kept,) = _profiles(project, "email", "kept@example.com")
    assert kept["dataFields"] == {"visits": 1, "firstName": "Kim"}  # the accepted update only
    assert _profiles(project, "email", "no-at-sign") == []
    assert [e["id"] for e in project.emulator.events()] == ["e1"]
    assert _summary(stderr, "users") == {
        "received": 5,
        "accepted": 1,
        "dead_lettered": 4,
        "unchanged": 0,
    }
    assert _refused(stderr, "users") == {
        "failedUpdates.invalidDataEmails": 1,
        "failedUpdates.invalidEmails": 2,
        "failedUpdates.notFoundUserIds": 1,
    }
    assert _refused(stderr, "events") == {"failedUpdates.notFoundEmails": 1}

    # Nothing refused is in the delivery ledger: the same input refuses the same records again.
    again = run_target(
        {**config, "dead_letter_path": str(tmp_path / "again.jsonl")},
        [
            schema("users"),
            *(record("users", u) for u in users),
        ],
    )
    assert len(again.dead_letters) == 4


def test_refusals_in_a_user_id_based_project(
    user_id_project: RunningIterable, make_config: MakeConfig, caplog: pytest.LogCaptureFixture
) -> None:
    project = user_id_project
    project.emulator.forget(user_id="bc-gone")
    users: list[dict[str, Any]] = [
        # A registered customer whose email Iterable refuses: written by userId without it.
        {"userId": "bc-1", "dataFields": {"email": "bob@localhost", "firstName": "Bob"}},
        {"userId": "bc-gone", "dataFields": {"firstName": "Forgotten"}},
        {"userId": "bc-2", "dataFields": {"email": "cy@example.com"}},
    ]
    config = make_config(project)
    stderr = _run_in_process(
        config, [schema("users"), *(record("users", u) for u in users)], caplog
    )

    (bob,) = _profiles(project, "userId", "bc-1")
    assert bob["email"] is None
    assert bob["dataFields"] == {"firstName": "Bob"}
    assert len(_profiles(project, "userId", "bc-2")) == 1
    letters = read_jsonl(Path(config["dead_letter_path"]))
    assert sorted(_letters(Path(config["dead_letter_path"]))) == sorted(
        [
            ("failedUpdates.invalidEmails", "dataFields.email", "bc-1"),
            ("failedUpdates.forgottenUserIds", "userId", "bc-gone"),
        ]
    )
    report = next(letter for letter in letters if letter["record"]["userId"] == "bc-1")
    assert "bob@localhost" in report["reason"]
    assert "sent again by its userId" in report["reason"]
    assert _summary(stderr, "users") == {
        "received": 3,
        "accepted": 2,
        "dead_lettered": 1,
        "unchanged": 0,
        "written_by_user_id_without_refused_email": 1,
    }
    assert _refused(stderr, "users") == {
        "failedUpdates.forgottenUserIds": 1,
        "failedUpdates.invalidEmails": 1,
    }


def test_refusals_in_a_hybrid_project(
    hybrid_project: RunningIterable, make_config: MakeConfig, tmp_path: Path
) -> None:
    project = hybrid_project
    _seed(project, [{"email": "taken@example.com", "dataFields": {"visits": 1}}])
    users: list[dict[str, Any]] = [
        # A registered customer whose email Iterable refuses: written by userId without it.
        {"email": "bob@localhost", "dataFields": {"userId": "bc-1", "firstName": "Bob"}},
        # A move to an address another profile has, beside an update of that profile: the
        # conflict is traced to the move alone.
        {"email": "ann@example.com", "dataFields": {"email": "taken@example.com"}},
        {"email": "taken@example.com", "dataFields": {"visits": 2}},
    ]
    events = [
        {"email": "taken@example.com", "eventName": "viewed", "id": "e1"},
        {"email": "bob@localhost", "eventName": "viewed", "id": "e2"},
    ]
    config = make_config(project)
    stderr = _run_cli(
        config,
        [
            schema("users"),
            *(record("users", u) for u in users),
            schema("events"),
            *(record("events", e) for e in events),
        ],
        tmp_path,
    )

    (bob,) = _profiles(project, "userId", "bc-1")
    assert (bob["email"], bob["dataFields"]) == (None, {"firstName": "Bob"})
    (taken,) = _profiles(project, "email", "taken@example.com")
    assert taken["dataFields"] == {"visits": 2}
    assert _profiles(project, "email", "ann@example.com") == []
    assert sorted(_letters(Path(config["dead_letter_path"]))) == sorted(
        [
            ("failedUpdates.invalidEmails", "email", "bob@localhost"),  # reported, user written
            ("failedUpdates.conflictEmails", "dataFields.email", "ann@example.com"),
            ("failedUpdates.invalidEmails", "email", "bob@localhost"),  # the event
        ]
    )
    assert [e["id"] for e in project.emulator.events()] == ["e1"]
    assert _summary(stderr, "users") == {
        "received": 3,
        "accepted": 2,
        "dead_lettered": 1,
        "unchanged": 0,
        "written_by_user_id_without_refused_email": 1,
    }
    assert _refused(stderr, "users") == {
        "failedUpdates.conflictEmails": 1,
        "failedUpdates.invalidEmails": 1,
    }
    assert _refused(stderr, "events") == {"failedUpdates.invalidEmails": 1}
