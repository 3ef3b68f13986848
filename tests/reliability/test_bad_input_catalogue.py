"""Each row of the bad input catalogue, fed to the component it enters, has its expected outcome."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from sandbox.iterable.testing import running_iterable

from . import outcomes
from .catalogue import CATALOGUE, GOOD, BadInput, Observation, Outcome
from .drivers import Receiver, StreamRig, observe, webhook_receiver

pytestmark = pytest.mark.reliability
FAST = dict.fromkeys(("users/bulkUpdate", "events/trackBulk", "commerce/trackPurchase"), 1000.0)


def slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", kind.lower()).strip("-")


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[StreamRig]:
    with running_iterable(rate_limits=FAST) as iterable:
        yield StreamRig(iterable, tmp_path_factory.mktemp("catalogue"))


@pytest.fixture(scope="module")
def receiver(rig: StreamRig) -> Iterator[Receiver]:
    with webhook_receiver(rig.workdir) as running:
        yield running


def mentions(observation: Observation, text: str) -> bool:
    letters = observation.dead_letters or []
    said = [observation.error or ""] + [
        f"{d.get('field')} {d.get('rule')} {d.get('reason')}" for d in letters
    ]
    return any(text in s for s in said)


def assert_outcome(item: BadInput, seen: Observation) -> None:
    rest_loaded = GOOD in (seen.users or {})
    match item.outcome:
        case Outcome.CONFIG_ERROR | Outcome.STATE_ERROR | Outcome.RUN_STOPS:
            assert seen.error, "no error"
            assert item.names in seen.error, f"the error does not name {item.names!r}"
        case Outcome.DEAD_LETTERED:
            assert seen.error is None, seen.error
            assert seen.dead_letters, "nothing was dead-lettered"
            assert all(d.get("reason") for d in seen.dead_letters), "a dead letter without reason"
            assert mentions(seen, item.names), f"no dead letter names {item.names!r}"
            assert rest_loaded, "the rest of the run was affected"
        case Outcome.MAPPER_DEAD_LETTERED:
            assert seen.error is None, seen.error
            refused = [d for d in seen.dead_letters or [] if d.get("operation") is None]
            assert refused, "the mapper dead-lettered nothing"
            assert all(d.get("field") and d.get("reason") for d in refused), refused
            assert mentions(seen, item.names), f"no dead letter names {item.names!r}"
            assert rest_loaded, "the rest of the run was affected"
            assert seen.state_passed, "the STATE after the bad record did not pass"
        case Outcome.SKIPPED | Outcome.NORMALISED | Outcome.LOADED | Outcome.IGNORED:
            assert seen.error is None, seen.error
            assert rest_loaded, "the rest of the run was affected"
        case Outcome.HTTP_REFUSED:
            assert seen.statuses == [int(item.names)]
            assert seen.stored == 0
        case Outcome.STORED_ONCE:
            assert set(seen.statuses or []) == {200}
    assert item.check is None or item.check(seen), f"the row's check failed: {seen!r}"[:3000]


@pytest.mark.parametrize("item", CATALOGUE, ids=[slug(i.kind) for i in CATALOGUE])
def test_bad_input_has_its_expected_outcome(
    item: BadInput, rig: StreamRig, receiver: Receiver
) -> None:
    seen = observe(item, rig, receiver, slug(item.kind))
    assert_outcome(item, seen)
    outcomes.record("bad_input", item.kind, cases=1, outcome=item.outcome.value, nothing_lost=True)


def test_the_catalogue_has_at_least_40_distinct_kinds() -> None:
    kinds = [item.kind for item in CATALOGUE]
    assert len(set(kinds)) == len(kinds) >= 40
