"""Rule 3 of issue 15: one bad record never stops the sync; an unreadable page fails it clearly.

A record the tap cannot normalise is dead-lettered (stream, field, reason, the record as sent,
never the token), counted in the run summary, and the run goes on with exit 0; with
`on_bad_record: fail` it stops naming the record. A 2xx answer that is not JSON, or a list page
without its envelope, is retried like a 5xx and then fails the run naming the endpoint.
`tap-bigcommerce replay --dead-letters PATH` re-extracts dead-lettered records by id.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.exceptions import FatalAPIError

from sandbox.iterable.testing import running_iterable
from target_iterable.contract.dead_letters import TAP_CONTRACT_RULE, read_dead_letters

from .helpers import run_tap
from .page_server import ACCESS_TOKEN, STORE_HASH, PageServer, RawAnswer, serving, tap_config


def customer(number: int, **changes: Any) -> dict[str, Any]:
    """A customers.v3.yml `customer_Full` with what the tap reads."""
    record = {
        "id": number,
        "email": f"person{number}@example.com",
        "first_name": "Zoë",
        "last_name": "名前",
        "date_created": "2024-01-01T10:00:00Z",
        "date_modified": f"2024-01-0{number}T10:00:00Z",
        "customer_group_id": 0,
    }
    record.update(changes)
    return record


def letters(config: dict[str, Any]) -> list[dict[str, Any]]:
    path = Path(config["dead_letter_path"])
    return read_dead_letters(path) if path.exists() else []


def test_a_record_that_cannot_be_normalised_is_dead_lettered_and_the_rest_emitted(
    tmp_path: Path,
) -> None:
    bad = customer(2, customer_group_id="gold")  # an integer field holding text
    server = PageServer({"v3/customers": [customer(1), bad, customer(3)]})
    with serving(server) as api_url:
        config = tap_config(api_url, tmp_path)
        output = run_tap(config, streams={"customers"})
    assert output.ids("customers") == [1, 3]
    [letter] = letters(config)
    assert letter["stream"] == "customers"
    assert letter["field"] == "customer_group_id"
    assert letter["rule"] == TAP_CONTRACT_RULE
    assert letter["operation"] is None
    assert "customers record 2" in letter["reason"]
    assert letter["record"] == {**bad, "store_hash": STORE_HASH}  # as BigCommerce sent it
    # The bookmark passes the record only because it is in the dead-letter output.
    bookmark = output.final_state["bookmarks"]["customers"]["replication_key_value"]
    assert bookmark.startswith("2024-01-03")


def test_a_record_that_is_not_an_object_or_has_no_id_is_dead_lettered(tmp_path: Path) -> None:
    server = PageServer({"v3/customers": [customer(1), "oops", customer(2, id=None)]})
    with serving(server) as api_url:
        config = tap_config(api_url, tmp_path)
        output = run_tap(config, streams={"customers"})
    assert output.ids("customers") == [1]
    reasons = {json.dumps(letter["record"]): letter for letter in letters(config)}
    assert len(reasons) == 2
    assert any("not a JSON object" in letter["reason"] for letter in reasons.values())
    assert any(letter["field"] == "id" for letter in reasons.values())


def test_on_bad_record_fail_stops_the_run_naming_the_record(tmp_path: Path) -> None:
    server = PageServer({"v3/customers": [customer(1), customer(2, date_created="someday")]})
    with serving(server) as api_url:
        config = tap_config(api_url, tmp_path, on_bad_record="fail")
        with pytest.raises(ValueError, match=r"customers record 2: field date_created"):
            run_tap(config, streams={"customers"})
    assert letters(config) == []


def test_the_cli_exits_0_with_a_summary_naming_the_dead_letters(tmp_path: Path) -> None:
    server = PageServer(
        {
            "v2/store": {"id": STORE_HASH, "name": "Fuzz"},  # store_information.v2.yml /store
            "v3/customers": [customer(1), customer(2, date_created="someday")],
        }
    )
    with serving(server) as api_url:
        config = tap_config(api_url, tmp_path)
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(config))
        result = subprocess.run(
            ["tap-bigcommerce", "--config", str(config_path)],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    summary = [line for line in result.stderr.splitlines() if "Run summary" in line]
    assert summary, result.stderr[-3000:]
    assert "Dead-lettered 1 record(s) {'customers': 1}" in summary[0]
    assert "tap-bigcommerce replay --dead-letters" in result.stderr
    assert ACCESS_TOKEN not in result.stderr + result.stdout
    assert ACCESS_TOKEN not in Path(config["dead_letter_path"]).read_text()


@pytest.mark.parametrize(
    ("route", "answer"),
    [
        ("v3/customers", RawAnswer(b"<html>502 Bad Gateway</html>", content_type="text/html")),
        ("v3/customers", RawAnswer(b'{"data": [{"id": 1')),  # cut off
        ("v3/customers", RawAnswer(b'{"title": "no data"}')),  # no `data` array
        ("v2/orders", RawAnswer(b'{"id": 1}')),  # a v2 list that is not an array
    ],
    ids=["html", "truncated", "envelope-without-data", "v2-object"],
)
def test_an_unreadable_page_is_retried_then_fails_naming_the_endpoint(
    tmp_path: Path, route: str, answer: RawAnswer
) -> None:
    server = PageServer({route: answer})
    stream = route.split("/")[1]
    with serving(server) as api_url:
        config = tap_config(api_url, tmp_path, max_retries=2)
        with pytest.raises(
            FatalAPIError, match=rf"after 2 retries: GET /stores/{STORE_HASH}/{route}"
        ):
            run_tap(config, streams={stream})
    assert len([r for r in server.requests if r.startswith(route)]) == 3  # 1 + 2 retries
    assert letters(config) == []


def test_replay_re_extracts_dead_lettered_records_into_iterable(tmp_path: Path) -> None:
    """After an upgrade (here: BigCommerce now sends a readable value), `tap-bigcommerce replay`
    re-extracts exactly the dead-lettered ids through the mapper and the target, with no STATE."""
    broken = customer(2, date_created="someday", email="late@example.com")
    server = PageServer({"v3/customers": [customer(1), broken, customer(3)]})
    with serving(server) as api_url, running_iterable() as iterable:
        config = tap_config(api_url, tmp_path)
        run_tap(config, streams={"customers"})
        letters_path = Path(config["dead_letter_path"])
        assert [letter["record"]["id"] for letter in read_dead_letters(letters_path)] == [2]
        server.set("v3/customers", [customer(1), customer(2, email="late@example.com"),
                                    customer(3)])  # fmt: skip
        paths = {name: tmp_path / f"{name}.json" for name in ("tap", "mapper", "target")}
        paths["tap"].write_text(
            json.dumps({**config, "dead_letter_path": str(tmp_path / "r.jsonl")})
        )
        paths["mapper"].write_text(json.dumps({
            "database_url": f"sqlite:///{tmp_path / 'mapper.sqlite'}",
            "dead_letter_path": str(tmp_path / "mapper-letters.jsonl"),
        }))  # fmt: skip
        paths["target"].write_text(json.dumps({
            "api_key": iterable.api_key, "api_url": iterable.api_url,
            "dead_letter_path": str(tmp_path / "target-letters.jsonl"),
        }))  # fmt: skip
        replay = subprocess.run(
            ["tap-bigcommerce", "replay", "--dead-letters", str(letters_path),
             "--config", str(paths["tap"])],
            capture_output=True, text=True, timeout=120, check=False,
        )  # fmt: skip
        assert replay.returncode == 0, replay.stderr[-3000:]
        messages = [json.loads(line) for line in replay.stdout.splitlines()]
        assert [m["record"]["id"] for m in messages if m["type"] == "RECORD"] == [2]
        assert not [m for m in messages if m["type"] == "STATE"]  # no bookmark moves
        mapped = subprocess.run(
            ["map-bigcommerce-iterable", "--config", str(paths["mapper"])],
            input=replay.stdout, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        subprocess.run(
            ["target-iterable", "--config", str(paths["target"])],
            input=mapped.stdout, capture_output=True, text=True, timeout=120, check=True,
        )  # fmt: skip
        emails = {user.get("email") for user in iterable.emulator.users()}
    assert emails == {"late@example.com"}
