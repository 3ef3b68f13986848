"""The fault matrix: the real pipeline under seeded faults ends with the clean run's Iterable state.

Each fault is injected by the emulators (`FaultConfig`) while `tap | mapper | target` runs as
three processes; the final Iterable state must equal the clean run's (see `snapshot.py`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from sandbox.common.faults import FaultConfig

from . import outcomes
from .conftest import Baseline, Store
from .faults import FAULTS, Fault
from .pipeline import QUOTA_THAT_NEVER_BINDS
from .snapshot import Snapshot, assert_same_state

pytestmark = pytest.mark.reliability


@pytest.mark.parametrize("fault", FAULTS, ids=[f.kind for f in FAULTS])
def test_faulted_run_ends_like_the_clean_run(
    store: Store, baseline: Baseline, fault: Fault
) -> None:
    bigcommerce_faults = store.bigcommerce.emulator.faults
    if fault.side == "bigcommerce":
        bigcommerce_faults.configure(fault.config)
    try:
        run, state, letters = store.run(
            fault.kind, iterable_faults=fault.config if fault.side == "iterable" else None
        )
    finally:
        bigcommerce_faults.configure(FaultConfig())
    assert run.ok, run.describe()
    assert "Retrying" in run.logs["tap" if fault.side == "bigcommerce" else "target"], (
        "the fault was never injected"
    )
    assert_same_state(baseline.snapshot, state, letters)
    outcomes.record(
        "fault",
        fault.kind,
        cases=1,
        outcome=f"{fault.description}; {resent(state, baseline)}",
        nothing_lost=True,
    )


def resent(state: Snapshot, baseline: Baseline) -> str:
    """Records the faults made Iterable apply twice (same id: upserts), beyond the clean run's."""
    extra = state.rewrites - baseline.snapshot.rewrites
    if not extra:
        return "no record applied twice"
    return "applied twice (upserts by id): " + ", ".join(f"{n} {k}" for k, n in extra.items())


@contextmanager
def noisy_neighbour(store: Store) -> Iterator[list[int]]:
    """Another app spends the store's quota, so the tap meets 429s that carry reset headers."""
    bc = store.bigcommerce
    statuses: list[int] = []
    stop = threading.Event()

    def spend() -> None:
        # "All apps accessing the store share the store's quota" (BigCommerce, API rate limits:
        # developer.bigcommerce.com/docs/start/best-practices/api-rate-limits; notes §rate limits),
        # so another app's requests are taken straight from the store's quota: over HTTP from this
        # process the spending fell far behind the window on a loaded machine.
        while not stop.wait(0.002):
            statuses.append(200 if bc.emulator.limiter.take().allowed else 429)

    bc.emulator.set_rate_limit(25, 250)
    thread = threading.Thread(target=spend, daemon=True)
    thread.start()
    try:
        yield statuses
    finally:
        stop.set()
        thread.join(10)
        bc.emulator.set_rate_limit(QUOTA_THAT_NEVER_BINDS, 1000)


def test_429_with_rate_limit_headers(store: Store, baseline: Baseline) -> None:
    log = store.bigcommerce.emulator.request_log
    before = len([e for e in log.entries() if e.status == 429 and "/time" not in e.path])
    with noisy_neighbour(store) as neighbour:
        run, state, letters = store.run("bigcommerce-429-with-headers")
    tap_429s = len([e for e in log.entries() if e.status == 429 and "/time" not in e.path]) - before
    assert run.ok, run.describe()
    assert 429 in neighbour
    assert tap_429s > 0, "the tap never met a 429 with headers"
    assert_same_state(baseline.snapshot, state, letters)
    outcomes.record(
        "fault",
        "bigcommerce-429-with-headers",
        cases=1,
        outcome=f"quota 25 per 250 ms shared with another app; {tap_429s} 429s waited out",
        nothing_lost=True,
    )
