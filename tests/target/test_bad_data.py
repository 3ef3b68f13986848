"""Bad data gets a clear dead letter naming the field and the rule; nothing else is lost."""

from __future__ import annotations

import json

import pytest

from target_iterable.target import UnknownStreamError

from .helpers import DATA_DIR, event, record, run_target, schema, singer_lines, state, user


def _by_field(dead_letters: list[dict]) -> dict[str | None, dict]:
    return {letter["field"]: letter for letter in dead_letters}


def test_invalid_records_are_dead_lettered_and_the_rest_loaded(iterable, make_config) -> None:
    run = run_target(make_config(iterable), (DATA_DIR / "invalid_records.singer").read_text())

    letters = run.dead_letters
    assert len(letters) == 7
    by_field = _by_field(letters)
    assert by_field["userId"]["rule"] == "pattern"
    assert by_field["userId"]["stream"] == "users"
    assert by_field["email/userId"]["rule"] == "anyOf"  # no identifier at all
    assert "email or userId" in by_field["email/userId"]["reason"]
    assert by_field["dataFields"]["rule"] == "propertyNames"  # "a.b": no periods
    assert by_field["id"]["rule"] == "required"
    assert by_field["createdAt"]["rule"] == "type"
    assert by_field["items[0].price"]["rule"] == "type"
    assert by_field["itemId"]["rule"] == "pattern"
    assert by_field["itemId"]["record"] == {"itemId": "bad id!", "value": {"name": "Mug"}}
    assert all(letter["iterable_answer"] is None for letter in letters)  # refused before sending

    emulator = iterable.emulator
    assert emulator.user(email="ok@example.com") is not None
    assert [e["id"] for e in emulator.events()] == ["e-2"]
    assert list(emulator.catalog_items("products")) == ["111"]
    assert run.states == [{"bookmark": "done"}]  # dead-lettered records count as settled


def test_a_type_mismatch_only_dead_letters_the_offenders(iterable, make_config) -> None:
    first = [schema("users"), record("users", user(0, signupDate="2024-03-10"))]
    run_target(make_config(iterable), first)  # signupDate is now a date field
    bad = {17, 911}
    batch = [
        schema("users"),
        *(
            record("users", user(i, signupDate="GGG" if i in bad else "2024-03-11"))
            for i in range(1, 1001)
        ),
    ]
    run = run_target(make_config(iterable), batch)

    assert len(run.dead_letters) == 2
    assert {letter["record"]["email"] for letter in run.dead_letters} == {
        "user17@example.com",
        "user911@example.com",
    }
    letter = run.dead_letters[0]
    assert letter["rule"] == "RequestFieldsTypesMismatched"
    assert letter["field"] == "dataFields.signupDate"
    assert letter["iterable_answer"]["status"] == 400
    assert "signupDate" in letter["iterable_answer"]["params"]["validationErrors"]
    assert len(iterable.emulator.users()) == 1 + 998
    counts = iterable.emulator.request_counts()
    # 1 refused request of 1000, the 998 others at once, then each suspect alone.
    assert counts["POST /api/users/bulkUpdate 400"] == 3
    assert counts["POST /api/users/bulkUpdate 200"] == 2  # the first run's and the 998


def test_partial_failures_of_a_200_are_dead_lettered_with_iterables_reason(
    iterable, make_config
) -> None:
    iterable.emulator.forget(email="user3@example.com")
    messages = [
        schema("users"),
        *(record("users", user(i)) for i in range(5)),
        schema("events"),
        *(record("events", event(i)) for i in range(5)),
        record("events", event(99)),  # user99 does not exist: events need existing users
    ]
    run = run_target(make_config(iterable), messages)

    rules = sorted((letter["stream"], letter["rule"]) for letter in run.dead_letters)
    assert rules == [
        ("events", "failedUpdates.forgottenEmails"),
        ("events", "failedUpdates.notFoundEmails"),
        ("users", "failedUpdates.forgottenEmails"),
    ]
    for letter in run.dead_letters:
        assert letter["field"] == "email"
        assert letter["iterable_answer"]["status"] == 200
        assert letter["reason"].startswith("Iterable refused this record")
    assert len(iterable.emulator.users()) == 4
    assert len(iterable.emulator.events()) == 4


def test_oversized_catalog_item_is_dead_lettered(iterable, make_config) -> None:
    messages = [
        schema("catalog_items"),
        record("catalog_items", {"itemId": "1", "value": {"text": "x" * 40_000}}),
        record("catalog_items", {"itemId": "2", "value": {"text": "small"}}),
    ]
    run = run_target(make_config(iterable), messages)
    assert [(d["field"], d["rule"]) for d in run.dead_letters] == [("value", "maxBytes")]
    assert list(iterable.emulator.catalog_items("products")) == ["2"]


def test_the_api_key_never_reaches_dead_letters(iterable, make_config) -> None:
    leaky = {"email": "x@example.com", "eventName": "e", "dataFields": {"k": iterable.api_key}}
    run = run_target(make_config(iterable), [schema("events"), record("events", leaky)])
    text = run.dead_letter_path.read_text()
    assert iterable.api_key not in text
    assert '"***"' in text


def test_unknown_stream_fails_at_its_schema_naming_it(iterable, make_config) -> None:
    with pytest.raises(UnknownStreamError, match=r"meltano_test_stream.*stream_operations"):
        run_target(make_config(iterable), [schema("meltano_test_stream")])


def test_unknown_stream_can_be_dead_lettered(iterable, make_config) -> None:
    messages = [
        schema("orders_raw"),
        record("orders_raw", {"id": 1}),
        schema("users"),
        record("users", user(1)),
        state({"n": 1}),
    ]
    run = run_target(make_config(iterable, unknown_streams="dead_letter"), messages)
    assert [(d["stream"], d["operation"], d["rule"]) for d in run.dead_letters] == [
        ("orders_raw", None, "unknown_stream")
    ]
    assert iterable.emulator.user(email="user1@example.com") is not None
    assert run.states == [{"n": 1}]


def test_validation_can_be_turned_off(iterable, make_config) -> None:
    # With validate_records false the record goes to Iterable, which refuses it itself.
    bad = {"email": "ok@example.com", "eventName": "viewed", "id": "e-1", "createdAt": "soon"}
    users = [schema("users"), record("users", {"email": "ok@example.com"})]
    run = run_target(
        make_config(iterable, validate_records=False),
        [*users, schema("events"), record("events", bad)],
    )
    assert [d["rule"] for d in run.dead_letters] == ["BadJsonBody"]
    assert run.dead_letters[0]["iterable_answer"]["status"] == 400


def test_batch_messages_are_validated_too(iterable, make_config, tmp_path) -> None:
    batch_file = tmp_path / "users.jsonl"
    batch_file.write_text(
        json.dumps(user(1)) + "\n" + json.dumps({"dataFields": {"no": "identifier"}}) + "\n"
    )
    batch = {
        "type": "BATCH",
        "stream": "users",
        "encoding": {"format": "jsonl", "compression": "none"},
        "manifest": [batch_file.as_uri()],
    }
    run = run_target(make_config(iterable), [schema("users"), batch, state({"n": 1})])
    assert [d["rule"] for d in run.dead_letters] == ["anyOf"]
    assert iterable.emulator.user(email="user1@example.com") is not None
    assert run.states == [{"n": 1}]


def test_a_mismatch_without_a_named_value_is_isolated_by_splitting(iterable, make_config) -> None:
    run_target(make_config(iterable), [schema("users"), record("users", user(0, age=30))])
    bad = {5, 60}  # two different offending values: the answer names only one of them
    batch = [
        schema("users"),
        *(record("users", user(i, age=f"old-{i}" if i in bad else 40 + i)) for i in range(1, 101)),
    ]
    run = run_target(make_config(iterable), batch)
    assert sorted(d["record"]["email"] for d in run.dead_letters) == [
        "user5@example.com",
        "user60@example.com",
    ]
    assert {d["field"] for d in run.dead_letters} == {"dataFields.age"}
    assert len(iterable.emulator.users()) == 1 + 98


def test_nan_is_dead_lettered_not_sent(iterable, make_config) -> None:
    # Python's JSON reader accepts NaN; Iterable's does not.
    text = singer_lines([schema("users"), schema("purchases")])
    text += (
        '{"type": "RECORD", "stream": "users", "record": '
        '{"email": "a@example.com", "dataFields": {"x": NaN}}}\n'
    )
    text += (
        '{"type": "RECORD", "stream": "purchases", "record": {"id": "o-1", "user": '
        '{"email": "a@example.com"}, "items": [], "total": NaN}}\n'
    )
    text += singer_lines([record("users", user(2))])
    run = run_target(make_config(iterable), text)
    assert sorted((d["stream"], d["rule"]) for d in run.dead_letters) == [
        ("purchases", "json"),
        ("users", "json"),
    ]
    assert iterable.emulator.user(email="user2@example.com") is not None


def test_without_validation_a_record_that_cannot_be_sent_is_still_dead_lettered(
    iterable, make_config
) -> None:
    messages = [
        schema("purchases"),
        record("purchases", {"id": "o-1", "items": [], "total": 1.0}),  # no user
        schema("catalog_items"),
        record("catalog_items", {"value": {"name": "no id"}}),
        schema("user_deletions"),
        record("user_deletions", {"email": ""}),
    ]
    run = run_target(make_config(iterable, validate_records=False), messages)
    assert sorted((d["field"], d["rule"]) for d in run.dead_letters) == [
        ("email/userId", "anyOf"),
        ("itemId", "type"),
        ("user", "type"),
    ]
