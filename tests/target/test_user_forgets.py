"""`user_forgets`: GDPR forgets (`POST /api/users/forget`), after the user's other records, once per
user, within Iterable's daily cap (Swagger `forget`: "Daily Cap: 1000 requests per 24 hour period,
per project"); a forgotten user's later data is refused by Iterable and dead-lettered."""

from __future__ import annotations

from sandbox.iterable.testing import running_iterable

from .helpers import FAST_LIMITS_EMULATOR, purchase, record, run_target, schema, user


def test_a_forget_goes_after_the_users_records_and_blocks_later_data(iterable, make_config) -> None:
    messages = [
        schema("user_forgets"),
        record("user_forgets", {"email": "user1@example.com"}),
        schema("users"),
        *(record("users", user(i)) for i in range(3)),
        schema("purchases"),
        record("purchases", purchase(1)),
    ]
    run = run_target(make_config(iterable), messages)

    assert run.dead_letters == []
    assert {u["email"] for u in iterable.emulator.users()} == {
        "user0@example.com",
        "user2@example.com",
    }
    counts = iterable.emulator.request_counts()
    assert counts["POST /api/users/forget 200"] == 1

    # A later run: the same forget again is not sent; the user's new data is refused, and said so.
    later = [
        schema("user_forgets"),
        record("user_forgets", {"email": "user1@example.com"}),
        schema("users"),
        record("users", user(1, n=10)),
    ]
    again = run_target(make_config(iterable), later)
    assert iterable.emulator.request_counts()["POST /api/users/forget 200"] == 1
    assert "user1@example.com" not in {u["email"] for u in iterable.emulator.users()}
    (letter,) = again.dead_letters
    assert letter["operation"] == "users"
    assert letter["record"]["email"] == "user1@example.com"
    assert "forgotten" in str(letter).lower()


def test_user_id_projects_forget_by_user_id(make_config) -> None:
    with running_iterable(project_type="user_id", rate_limits=FAST_LIMITS_EMULATOR) as it:
        people = [{"userId": f"bc-{i}", "dataFields": {"n": i}} for i in range(2)]
        messages = [
            schema("users"),
            *(record("users", person) for person in people),
            schema("user_forgets"),
            record("user_forgets", {"userId": "bc-0"}),
        ]
        run = run_target(make_config(it), messages)
        assert run.dead_letters == []
        assert [u["userId"] for u in it.emulator.users()] == ["bc-1"]


def test_forgets_beyond_the_daily_cap_are_dead_lettered(iterable, make_config) -> None:
    config = make_config(iterable, users_forget_daily_cap=2)
    users = [schema("users"), *(record("users", user(i)) for i in range(4))]
    run_target(config, users)
    first = run_target(
        config,
        [
            schema("user_forgets"),
            *(record("user_forgets", {"email": f"user{i}@example.com"}) for i in range(3)),
        ],
    )
    assert iterable.emulator.request_counts()["POST /api/users/forget 200"] == 2
    (over,) = first.dead_letters
    assert over["rule"] == "daily_cap"
    assert over["operation"] == "user_forgets"
    assert "2 users/forget calls per 24 hours" in over["reason"]
    # The cap spans runs: the ledger remembers when each forget was accepted.
    second = run_target(
        config, [schema("user_forgets"), record("user_forgets", {"email": "user3@example.com"})]
    )
    new_letters = second.dead_letters[len(first.dead_letters) :]  # the file is appended to
    assert [(x["rule"], x["record"]) for x in new_letters] == [
        ("daily_cap", {"email": "user3@example.com"})
    ]
    assert len(iterable.emulator.users()) == 2
