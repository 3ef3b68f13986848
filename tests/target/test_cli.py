"""The real `target-iterable` CLI: crash and resume, replay, config errors, secrets, --about."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import ConfigValidationError

from map_bigcommerce_iterable.mapper import BigCommerceToIterableMapper
from target_iterable.settings import CONFIG_JSONSCHEMA
from target_iterable.target import TargetIterable

from .helpers import event, read_jsonl, record, run_target, schema, singer_lines, state, user

EXECUTABLE = str(Path(sys.executable).parent / "target-iterable")


def _write_config(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(json.dumps(config))
    return path


def _chunks(first: int, last: int, size: int) -> list[dict[str, Any]]:
    messages: list[dict[str, Any]] = [schema("events")]
    for chunk in range(first, last):
        messages += [record("events", event(i)) for i in range(chunk * size, (chunk + 1) * size)]
        messages.append(state({"chunk": chunk}))
    return messages


def test_crash_and_resume_loses_nothing_and_duplicates_nothing(
    iterable, make_config, tmp_path: Path
) -> None:
    chunks, size = 10, 200
    total = chunks * size
    run_target(
        make_config(iterable), [schema("users"), *(record("users", user(i)) for i in range(total))]
    )
    config = make_config(iterable, batch_size_rows=size, events_per_request=size)
    config["rate_limits"]["events_track_bulk"] = 5.0  # ~0.2 s per chunk: time to crash mid-run
    config_path = _write_config(tmp_path / "config.json", config)
    input_path = tmp_path / "input.singer"
    input_path.write_text(singer_lines(_chunks(0, chunks, size)))

    with (
        input_path.open() as stdin,
        subprocess.Popen(
            [EXECUTABLE, "--config", str(config_path)],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        ) as process,
    ):
        assert process.stdout is not None
        seen = [json.loads(process.stdout.readline()) for _ in range(3)]
        os.kill(process.pid, signal.SIGKILL)  # a crash: no clean shutdown, no final drain
        seen += [json.loads(line) for line in process.stdout.read().splitlines() if line]
        process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL
    last_chunk = seen[-1]["chunk"]
    assert last_chunk < chunks - 1, "the run finished before the crash: nothing was tested"
    before_resume = iterable.emulator.write_counts("events")
    # Everything STATE confirmed is in Iterable.
    assert all(f"event-{i}" in before_resume for i in range((last_chunk + 1) * size))

    # The tap resumes after the last STATE it received.
    resumed = run_target(config, _chunks(last_chunk + 1, chunks, size))
    assert resumed.states[-1] == {"chunk": chunks - 1}

    writes = iterable.emulator.write_counts("events")
    assert sorted(writes) == sorted(f"event-{i}" for i in range(total))  # no loss
    assert len(iterable.emulator.events()) == total  # no duplicate event
    resent = [event_id for event_id, count in writes.items() if count > 1]
    assert all(count <= 2 for count in writes.values())
    assert len(resent) <= 2 * size  # at most the unconfirmed tail was sent again
    confirmed = {f"event-{i}" for i in range((last_chunk + 1) * size)}
    assert not confirmed & set(resent)


def test_replay_resends_dead_letters_with_the_same_ids(
    iterable, make_config, tmp_path: Path
) -> None:
    config = make_config(iterable)
    first = run_target(config, [schema("events"), record("events", event(1))])  # no user yet
    assert [d["rule"] for d in first.dead_letters] == ["failedUpdates.notFoundEmails"]
    run_target(config, [schema("users"), record("users", user(1))])  # the cause, fixed

    replay_config = {**config, "dead_letter_path": str(tmp_path / "replay-{run_id}.jsonl")}
    result = subprocess.run(
        [
            EXECUTABLE,
            "replay",
            str(first.dead_letter_path),
            "--config",
            str(_write_config(tmp_path / "replay.json", replay_config)),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert [e["id"] for e in iterable.emulator.events()] == ["event-1"]
    assert list(tmp_path.glob("replay-*.jsonl")) == []  # nothing was refused again
    assert "No record was dead-lettered" in result.stderr


def test_replay_never_appends_to_the_file_it_replays(iterable, make_config, tmp_path: Path) -> None:
    config = make_config(iterable)
    first = run_target(config, [schema("events"), record("events", event(1))])
    before = first.dead_letter_path.read_text()
    result = subprocess.run(
        [
            EXECUTABLE,
            "replay",
            str(first.dead_letter_path),
            "--config",
            str(_write_config(tmp_path / "c.json", config)),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert first.dead_letter_path.read_text() == before
    again = list((tmp_path / "dead-letters").glob("target-iterable-*.jsonl"))
    assert len(again) == 1  # still refused (the user is still missing): a new file
    assert read_jsonl(again[0])[0]["record"]["id"] == "event-1"


@pytest.mark.parametrize(
    ("config", "named"),
    [
        ({"api_url": "http://127.0.0.1:9"}, "api_key"),
        ({"api_key": "k", "rate_limits": {"users_bulk_update": 0}}, "users_bulk_update"),
        ({"api_key": "k", "stream_operations": {"orders": "orderz"}}, "orders"),
        ({"api_key": "k", "users_per_request": 5000}, "users_per_request"),
        ({"api_key": "k", "api_url": "ftp://example.com"}, "api_url"),
        ({"api_key": "k", "unknown_streams": "ignore"}, "unknown_streams"),
    ],
)
def test_invalid_config_fails_at_start_naming_the_key(config: dict[str, Any], named: str) -> None:
    with pytest.raises(ConfigValidationError) as error:
        TargetIterable(config=config)
    assert any(named in message for message in error.value.errors), error.value.errors


def test_the_cli_exits_1_on_invalid_config_naming_the_key(tmp_path: Path) -> None:
    config = {"api_key": "k", "rate_limits": {"users_bulk_update": -1}}
    result = subprocess.run(
        [EXECUTABLE, "--config", str(_write_config(tmp_path / "config.json", config))],
        input="",
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "users_bulk_update" in result.stderr


def test_the_api_key_never_reaches_stderr(iterable, make_config, tmp_path: Path) -> None:
    config = make_config(iterable)
    messages = [
        schema("users"),
        record("users", user(1)),
        record("users", {"email": "bad", "dataFields": {"secret": iterable.api_key}}),
        schema("events"),
        record("events", event(5)),  # refused by Iterable: user5 does not exist
    ]
    result = subprocess.run(
        [EXECUTABLE, "--config", str(_write_config(tmp_path / "config.json", config))],
        input=singer_lines(messages),
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
        env={**os.environ, "TARGET_ITERABLE_LOGLEVEL": "DEBUG"},
    )
    assert result.returncode == 0, result.stderr
    assert "dead-lettered" in result.stderr
    assert iterable.api_key not in result.stderr
    # Observability: the SDK's METRIC lines and the end summary per operation and endpoint.
    assert 'METRIC: {"type":"counter","metric":"record_count"' in result.stderr
    assert "users: received=2 accepted=1 dead_lettered=1" in result.stderr
    assert "events: received=1 accepted=0 dead_lettered=1" in result.stderr
    assert "users_bulk_update: requests=1 retries=0" in result.stderr
    assert iterable.api_key not in Path(config["dead_letter_path"]).read_text()


def test_about_documents_every_setting() -> None:
    result = subprocess.run(
        [EXECUTABLE, "--about", "--format=markdown"],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    for name, spec in CONFIG_JSONSCHEMA["properties"].items():
        assert f"| {name} |" in result.stdout
        for nested in spec.get("properties", {}):
            assert f"| {name}.{nested} |" in result.stdout


def test_replay_with_an_invalid_config_names_the_key(tmp_path: Path) -> None:
    letters = tmp_path / "letters.jsonl"
    letters.write_text(json.dumps({"operation": "users", "record": {"email": "a@b.co"}}) + "\n")
    result = subprocess.run(
        [
            EXECUTABLE,
            "replay",
            str(letters),
            "--config",
            str(_write_config(tmp_path / "c.json", {"api_key": "k", "users_per_request": 0})),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert result.returncode == 1
    assert "users_per_request" in result.stderr


def test_replay_skips_the_mappers_letters_saying_to_re_extract_them(
    iterable, make_config, tmp_path: Path
) -> None:
    config = make_config(iterable)
    first = run_target(config, [schema("events"), record("events", event(1))])  # no user yet
    run_target(config, [schema("users"), record("users", user(1))])  # the cause, fixed
    mapper_letters = tmp_path / "mapper.jsonl"
    bad_order = {
        "id": 7,
        "store_hash": "store1",
        "total_inc_tax": "twelve",
        "billing_address": {"email": "ann@example.com"},
        "currency_code": "USD",
    }
    messages = [
        {"type": "SCHEMA", "stream": "orders", "schema": {}, "key_properties": ["id"]},
        {"type": "RECORD", "stream": "orders", "record": bad_order},
    ]
    with redirect_stdout(io.StringIO()):
        BigCommerceToIterableMapper(
            config={
                "database_url": f"sqlite:///{tmp_path / 'store.sqlite'}",
                "dead_letter_path": str(mapper_letters),
            }
        ).listen(io.StringIO("".join(json.dumps(m) + "\n" for m in messages)))
    both = tmp_path / "both.jsonl"
    both.write_text(first.dead_letter_path.read_text() + mapper_letters.read_text())

    replay_config = {**config, "dead_letter_path": str(tmp_path / "replay-{run_id}.jsonl")}
    result = subprocess.run(
        [EXECUTABLE, "replay", str(both), "--config",
         str(_write_config(tmp_path / "replay.json", replay_config))],
        capture_output=True, text=True, check=False, timeout=60,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "Skipping 1 letter(s): they are BigCommerce records the mapper refused" in result.stderr
    assert "--state-id-suffix" in result.stderr
    assert "unknown stream" not in result.stderr  # not mistaken for the target's own skips
    assert "Replaying 1 dead letter(s)" in result.stderr
    assert [e["id"] for e in iterable.emulator.events()] == ["event-1"]
    assert iterable.emulator.purchases() == []
    assert list(tmp_path.glob("replay-*.jsonl")) == []
