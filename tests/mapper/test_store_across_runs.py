"""The store across runs: its id in STATE (a lost store stops the run), newest wins across runs,
and a store that cannot be opened stops the run naming `database_url`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from singer_sdk.exceptions import ConfigValidationError

from map_bigcommerce_iterable.mapper import StoreLostError
from target_iterable.state_marker import MARKER_BOOKMARK

from . import records as r
from .helpers import records, run_in_process


def _config(path: Path) -> dict[str, str]:
    return {"database_url": f"sqlite:///{path}"}


def _forwarded_states(lines: list[str]) -> list[dict]:
    return [json.loads(line)["value"] for line in lines if line.startswith('{"type":"STATE"')]


def test_a_state_naming_another_store_stops_before_any_output(tmp_path: Path) -> None:
    first = run_in_process(
        r.messages(("customers", r.customer(1, "a@example.com")), r.state({"bookmarks": {}})),
        _config(tmp_path / "store.sqlite"),
    )
    carried = _forwarded_states(first)[-1]
    assert carried["bookmarks"][MARKER_BOOKMARK]["store_id"]

    # The same STATE with the same store: fine, and the STATE before any record goes out first.
    again = run_in_process(
        r.messages(r.state(carried), ("customers", r.customer(1, "a@example.com"))),
        _config(tmp_path / "store.sqlite"),
    )
    assert json.loads(again[0])["type"] == "STATE"

    with pytest.raises(StoreLostError, match="database_url") as error:
        run_in_process(
            r.messages(r.state(carried), ("customers", r.customer(2, "b@example.com"))),
            _config(tmp_path / "lost.sqlite"),
        )
    assert "--full-refresh" in str(error.value)


def test_a_reread_older_record_does_not_overwrite_a_newer_value(tmp_path: Path) -> None:
    newer = r.customer(1, "a@example.com", first_name="Annie", date_modified="2024-03-01T00:00:00Z")
    older = r.customer(1, "a@example.com", first_name="Ann", date_modified="2024-01-05T09:00:00Z")
    config = _config(tmp_path / "store.sqlite")
    run_in_process(r.messages(("customers", newer), r.state({"bookmarks": {}})), config)

    lines = run_in_process(r.messages(("customers", older), r.state({"bookmarks": {}})), config)

    (user,) = records(lines, "users")
    assert "firstName" not in user.get("dataFields", {})  # Iterable keeps "Annie"


def test_a_corrupt_store_stops_the_run_naming_the_setting(tmp_path: Path) -> None:
    path = tmp_path / "store.sqlite"
    path.write_bytes(b"not a database at all" * 100)
    with pytest.raises(ConfigValidationError, match="database_url"):
        run_in_process(r.messages(("customers", r.customer(1, "a@example.com"))), _config(path))
