"""The store across runs: its id in STATE (a lost store stops the run), newest wins across runs,
and a store that cannot be opened stops the run naming `database_url`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from singer_sdk.exceptions import ConfigValidationError

from map_bigcommerce_iterable.catalog import FIXED_CATALOG_FIELDS, MAX_CATALOG_FIELDS
from map_bigcommerce_iterable.mapper import StoreLostError
from target_iterable.contract.state_marker import MARKER_BOOKMARK

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


def test_custom_catalog_fields_stay_under_iterables_limit_across_runs(tmp_path: Path) -> None:
    def with_custom(product_id: int, names: range) -> dict:
        product = r.product(product_id, f"P{product_id}", "5.00")
        product["custom_fields"] = [{"name": f"Field {i}", "value": "x"} for i in names]
        return product

    config = _config(tmp_path / "store.sqlite")
    first = run_in_process(r.messages(("products", with_custom(1, range(200)))), config)
    later = run_in_process(r.messages(("products", with_custom(2, range(150, 400)))), config)

    fields = {
        name
        for lines in (first, later)
        for item in records(lines, "catalog_items")
        for name in item["value"]
    }
    custom = {name for name in fields if name.startswith("custom_")}
    assert len(custom) == MAX_CATALOG_FIELDS - FIXED_CATALOG_FIELDS  # 22 fixed ones may come
    assert len(fields) <= MAX_CATALOG_FIELDS
    # First come, first served: the first run's fields are all kept by later runs.
    (item,) = records(later, "catalog_items")
    assert {f"custom_Field_{i}" for i in range(150, 200)} <= set(item["value"])
    assert len(fields - custom) <= FIXED_CATALOG_FIELDS
