"""A record that breaks the tap contract is dead-lettered, all of it or nothing; the run goes on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from map_bigcommerce_iterable.tables import metadata
from target_iterable.contract.dead_letters import read_dead_letters

from . import records as r
from .helpers import parse, records, run_in_process, validate_output

CUSTOMER = "ann.lee@example.com"
GUEST = "gail@example.com"


def config_in(folder: Path, name: str) -> dict[str, Any]:
    return {
        "database_url": f"sqlite:///{folder / f'{name}.sqlite'}",
        "dead_letter_path": str(folder / f"{name}-dead-letters.jsonl"),
    }


def test_a_bad_record_is_dead_lettered_naming_the_field_and_the_rest_goes_through(
    tmp_path: Path,
) -> None:
    config = config_in(tmp_path, "run")
    bad_total = r.order(2, email="b@example.com")
    bad_total["total_inc_tax"] = "twelve"
    no_store = r.customer(7, "c@example.com")
    del no_store["store_hash"]
    lines = run_in_process(
        r.messages(
            ("customers", no_store),
            ("orders", r.order(1, email="a@example.com")),
            ("orders", bad_total),
            ("orders", r.order(3, email="d@example.com")),
            r.state({"bookmarks": {"orders": {"replication_key_value": "x"}}}),
        ),
        config,
    )
    validate_output(lines)
    assert [p["id"] for p in records(lines, "purchases")] == ["store1-1", "store1-3"]
    assert {u["email"] for u in records(lines, "users")} == {"a@example.com", "d@example.com"}
    assert parse(lines)[-1] == {
        "type": "STATE",
        "value": {"bookmarks": {"orders": {"replication_key_value": "x"}}},
    }
    letters = read_dead_letters(Path(config["dead_letter_path"]))
    assert [(e["stream"], e["operation"], e["field"]) for e in letters] == [
        ("customers", None, "store_hash"),
        ("orders", None, "total_inc_tax"),
    ]
    assert "store_hash" in letters[0]["reason"]
    assert "orders.total_inc_tax" in letters[1]["reason"]
    assert "twelve" in letters[1]["reason"]
    assert letters[1]["record"]["id"] == 2
    assert letters[1]["record"]["billing_address"]["email"] == "b@example.com"


def _store_rows(database_url: str) -> dict[str, list[tuple[Any, ...]]]:
    engine = sa.create_engine(database_url)
    with engine.connect() as connection:
        rows = {
            table.name: sorted(tuple(row) for row in connection.execute(sa.select(table)).all())
            for table in metadata.sorted_tables
            if table.name != "meta"  # holds the store's own (random) id
        }
    engine.dispose()
    return rows


def test_a_record_failing_on_its_last_field_leaves_no_trace(tmp_path: Path) -> None:
    """Both bad orders get through identity, ledger, first purchase, status history, locale,
    phone offer and the purchase before their last field (`date_shipped`) fails."""
    customer = ("customers", r.customer(1, CUSTOMER))
    good = [
        ("orders", r.order(1, customer_id=1, total="10.00", date_created="2024-02-05T10:00:00Z")),
        ("orders", r.order(5, email=GUEST, total="7.00", date_created="2024-02-06T10:00:00Z")),
    ]
    bad = [
        r.order(3, customer_id=1, total="99.00", date_created="2024-01-01T10:00:00Z"),
        r.order(
            4,
            email=GUEST,
            total="50.00",
            date_created="2024-01-02T10:00:00Z",
            phone="+1 512 555 0100",
            customer_locale="fr",
        ),
    ]
    for record in bad:
        record["date_shipped"] = "shipped soon"
    end = r.state({"bookmarks": {}})

    clean = config_in(tmp_path, "clean")
    without = run_in_process(r.messages(customer, *good, end), clean)
    with_bad = config_in(tmp_path, "with-bad")
    lines = run_in_process(
        r.messages(customer, ("orders", bad[0]), good[0], ("orders", bad[1]), good[1], end),
        with_bad,
    )

    # No output of theirs, same lifetime values, same first purchases (STATEs differ only by the
    # id of their store, which parse() leaves out).
    assert parse(lines) == parse(without)
    users = {u["email"]: u["dataFields"] for u in records(lines, "users")}
    assert users[CUSTOMER]["totalSpent"] == 10.0
    assert users[GUEST]["totalSpent"] == 7.0
    assert "phoneNumber" not in users[GUEST]
    assert _store_rows(with_bad["database_url"]) == _store_rows(clean["database_url"])
    letters = read_dead_letters(Path(with_bad["dead_letter_path"]))
    assert [(e["record"]["id"], e["field"]) for e in letters] == [
        (3, "date_shipped"),
        (4, "date_shipped"),
    ]


def test_the_cli_counts_dead_letters_and_logs_each_naming_stream_id_and_field(
    tmp_path: Path,
) -> None:
    config = config_in(tmp_path, "cli")
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))
    bad = r.order(9, email="a@example.com")
    bad["total_inc_tax"] = "twelve"
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "map-bigcommerce-iterable"),
            "--config",
            str(config_path),
        ],
        input=r.to_lines(r.messages(("orders", bad), ("orders", r.order(10)))),
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Dead-lettered orders record 9 (field total_inc_tax)" in result.stderr
    assert "dead-lettered 1 record(s) to" in result.stderr
    assert [p["id"] for p in records(result.stdout.splitlines(), "purchases")] == ["store1-10"]
    assert len(read_dead_letters(Path(config["dead_letter_path"]))) == 1


def test_unresolvable_identities_are_dead_lettered_with_the_reason(tmp_path: Path) -> None:
    """Nobody to address in Iterable: the record is dead-lettered, the rest goes through."""
    config = {**config_in(tmp_path, "run"), "identity_mode": "email"}
    lines = run_in_process(
        r.messages(
            ("orders", r.order(1, email="")),  # a guest order without an email
            ("customers", r.customer(7, "not-an-email")),  # email-based: email is the key
            ("orders", r.order(2, email="a@example.com")),
        ),
        config,
    )
    assert [p["id"] for p in records(lines, "purchases")] == ["store1-2"]
    letters = read_dead_letters(Path(config["dead_letter_path"]))
    assert [(e["stream"], e["field"]) for e in letters] == [
        ("orders", "billing_address.email"),
        ("customers", "email"),
    ]
    assert all("unresolvable identity" in e["reason"] for e in letters)


def test_a_registered_customer_with_an_unusable_email_is_written_by_user_id(
    tmp_path: Path,
) -> None:
    for mode in ("hybrid", "user_id"):
        config = {**config_in(tmp_path, mode), "identity_mode": mode}
        lines = run_in_process(r.messages(("customers", r.customer(7, "bob at example"))), config)
        (user,) = records(lines, "users")
        assert "email" not in user
        assert "email" not in user.get("dataFields", {})
        assert user["userId"] == "bc-store1-7"
        (letter,) = read_dead_letters(Path(config["dead_letter_path"]))
        assert (letter["stream"], letter["field"]) == ("customers", "email")
        assert "bob at example" in letter["reason"]
        assert "written by userId" in letter["reason"]
