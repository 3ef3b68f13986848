"""Properties of request packing and of reading partial failures (hypothesis)."""

from __future__ import annotations

from typing import Any, cast

from hypothesis import given, settings
from hypothesis import strategies as st

from target_iterable.answers import partial_refusals
from target_iterable.bulk import BulkSender, Item
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
