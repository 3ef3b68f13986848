"""SIGKILL the whole pipeline at a seeded point, resume from the last STATE the target emitted.

The target emits STATE only after everything before it reached Iterable or the dead-letter log,
so a resumed run may re-send some records (upserts by id) but must lose none and invent none.
"""

from __future__ import annotations

import random

import pytest

from sandbox.iterable.testing import running_iterable

from . import outcomes
from .conftest import FAST_ITERABLE, Baseline, Store
from .pipeline import dead_letters
from .settings import SIZES
from .snapshot import assert_same_state, snapshot

pytestmark = pytest.mark.reliability


@pytest.mark.parametrize("seed", SIZES.kill_seeds)
def test_killed_and_resumed_run_ends_like_the_clean_run(
    store: Store, baseline: Baseline, seed: int
) -> None:
    rng = random.Random(seed)
    workdir = store.workdir / f"kill-{seed}"
    kills = 0
    resumed_from: list[bool] = []
    with running_iterable(rate_limits=FAST_ITERABLE) as iterable:
        log = iterable.emulator.request_log
        state = None
        for attempt in range(SIZES.kills_per_seed + 1):
            pipeline = store.pipeline(workdir, iterable, name=f"attempt-{attempt}")
            pipeline.start(state)
            if attempt < SIZES.kills_per_seed:
                # A point within the first two thirds of the requests the clean run sent: how
                # many a run sends depends on timing (`flush_seconds` sends what waited a second),
                # so a point near the clean run's last request may lie past this run's last one.
                reach = max(1, baseline.iterable_requests * 2 // 3)
                kill_at = len(log.entries()) + rng.randint(1, reach)
                if pipeline.kill_when(lambda at=kill_at: len(log.entries()) >= at):
                    kills += 1
                    run = pipeline.result()
                    state = run.last_state or state
                    resumed_from.append(run.last_state is not None)
                    continue
            run = pipeline.wait()
            assert run.ok, run.describe()
            break
        final = snapshot(iterable)
    assert kills >= 1, "the run always finished before its kill point"
    assert_same_state(baseline.snapshot, final, dead_letters(workdir))
    outcomes.record(
        "fault",
        "pipeline-sigkill-and-resume",
        cases=1,
        outcome=f"killed {kills}x at seeded points, resumed from the last emitted STATE",
        nothing_lost=True,
    )
