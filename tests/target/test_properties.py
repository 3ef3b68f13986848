"""Properties of request packing and of reading partial failures (hypothesis)."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from target_iterable.answers import partial_refusals
from target_iterable.bulk import BulkSender, Item, UsersSender
from target_iterable.client import Answer
from target_iterable.endpoints import MAX_BULK_BODY_BYTES
from target_iterable.runtime import Runtime


def _sender(per_request: int) -> BulkSender:
    return BulkSender(cast(Runtime, None), per_request)  # packing needs no runtime


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=1, max_value=1_500_000), max_size=40),
    per_request=st.integers(min_value=1, max_value=1000),
)
def test_packing_keeps_every_record_in_order_within_the_limits(
    sizes: list[int], per_request: int
) -> None:
    items = [Item({"n": i}, "x" * size, "users") for i, size in enumerate(sizes)]
    chunks = list(_sender(per_request)._chunks(items))

    assert [item for chunk in chunks for item in chunk] == items
    for chunk in chunks:
        assert 1 <= len(chunk) <= per_request
        body = sum(len(item.json) + 1 for item in chunk) + 1_000
        assert len(chunk) == 1 or body <= MAX_BULK_BODY_BYTES


emails = st.sampled_from([f"user{i}@example.com" for i in range(8)])


@settings(max_examples=80, deadline=None)
@given(records=st.lists(emails, max_size=12), refused=st.sets(emails, max_size=4))
def test_every_record_of_a_refused_email_is_refused_and_no_other(
    records: list[str], refused: set[str]
) -> None:
    batch: list[dict[str, Any]] = [{"email": email} for email in records]
    answer = Answer(
        status=200,
        body={
            "successCount": sum(email not in refused for email in records),
            "failCount": sum(email in refused for email in records),
            "failedUpdates": {"notFoundEmails": sorted(refused)},
        },
        text="",
    )
    refusals, unmatched = partial_refusals(batch, answer)

    assert {r.index for r in refusals} == {i for i, e in enumerate(records) if e in refused}
    assert all(r.rule == "failedUpdates.notFoundEmails" and r.field == "email" for r in refusals)
    assert unmatched == 0


@settings(max_examples=60, deadline=None)
@given(
    updates=st.lists(st.tuples(emails, st.one_of(st.none(), emails)), max_size=30),
    per_request=st.integers(min_value=1, max_value=10),
)
def test_no_users_request_carries_one_identifier_twice(
    updates: list[tuple[str, str | None]], per_request: int
) -> None:
    """Iterable lists refused identifiers; a refusal may depend on the rest of the update, so one
    identifier (top level or in dataFields) appears in at most one update of a request."""
    sender = UsersSender.__new__(UsersSender)  # packing needs no runtime
    sender.per_request = per_request
    records = [
        {"email": email, "dataFields": {"email": new}} if new else {"email": email}
        for email, new in updates
    ]
    items = [Item(record, "{}", "users") for record in records]
    chunks = list(sender._chunks(items))

    assert [item for chunk in chunks for item in chunk] == items
    for chunk in chunks:
        held = [sender.unique_identifiers(item.record) for item in chunk]
        assert sum(len(keys) for keys in held) == len(set().union(*held))


@settings(max_examples=60, deadline=None)
@given(
    records=st.lists(st.tuples(emails, emails), max_size=12), refused=st.sets(emails, max_size=4)
)
def test_identifiers_listed_from_data_fields_are_traced(
    records: list[tuple[str, str]], refused: set[str]
) -> None:
    batch: list[dict[str, Any]] = [
        {"userId": f"u{i}", "dataFields": {"email": email}} for i, (email, _) in enumerate(records)
    ]
    failing = [i for i, (email, _) in enumerate(records) if email in refused]
    answer = Answer(
        status=200,
        body={"failCount": len(failing), "failedUpdates": {"invalidEmails": sorted(refused)}},
        text="",
    )
    refusals, unmatched = partial_refusals(batch, answer, in_data_fields=True)

    assert [r.index for r in refusals] == failing
    assert all(r.field == "dataFields.email" for r in refusals)
    assert unmatched == 0
