"""Events of a user Iterable does not know yet wait for that user (found by tests/reliability).

The mapper sends a person's user record after the events that changed it (it buffers users), and
`events/trackBulk` refuses events of unknown users: before this, a first run dead-lettered most
events when more than one events batch was sent before the users came.
"""

from __future__ import annotations

from .helpers import event, record, run_target, schema, state, user

EVENTS = 1001


def test_events_sent_before_their_users_arrive_are_sent_again(iterable, make_config) -> None:
    messages = [
        schema("events"),
        # More than a batch (1000): the first batch goes before any user is known.
        *(record("events", event(i)) for i in range(EVENTS)),
        state({"after": "events"}),
        schema("users"),
        *(record("users", user(i)) for i in range(EVENTS)),
        state({"after": "users"}),
    ]
    run = run_target(make_config(iterable), messages)
    assert run.dead_letters == []
    assert {e["id"] for e in iterable.emulator.events()} == {f"event-{i}" for i in range(EVENTS)}
    # No STATE passed the events before they were in Iterable; the last one is written.
    assert run.states[-1] == {"after": "users"}
    assert {"after": "events"} not in run.states


def test_events_whose_user_never_comes_are_dead_lettered_at_the_end(iterable, make_config) -> None:
    messages = [
        schema("users"),
        record("users", user(1)),
        schema("events"),
        record("events", event(1)),
        record("events", event(2)),  # user2 is never sent
        state({"n": 1}),
    ]
    run = run_target(make_config(iterable, events_per_request=1), messages)
    assert [e["id"] for e in iterable.emulator.events()] == ["event-1"]
    assert [(d["record"]["id"], d["rule"]) for d in run.dead_letters] == [
        ("event-2", "failedUpdates.notFoundEmails")
    ]
    assert run.states == [{"n": 1}]
