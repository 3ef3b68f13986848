"""Journey entries per fact through the real `meltano run`: each fact reaches the triggers once.

The Iterable emulator counts journey entries as Iterable's "Journey Setup: The Start Tile"
describes them: every purchase and custom event added to *or updated on* a profile, every cart
update, and every field a users/update or bulkUpdate call contains, changed or not
(sandbox/sandbox/iterable/journeys.py). A re-run, a full refresh, a state clear and a backfill must
add none; a delta adds exactly its new facts; a lost ledger stops the run before any write.

With `JOURNEY_TABLE=<file>` each scenario appends its measured row (JSON) to that file.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from sandbox.bigcommerce.testing import running_bigcommerce
from sandbox.common.faults import FaultConfig
from sandbox.iterable.testing import running_iterable

from .conftest import (
    E2E_QUOTA,
    MELTANO_TIMEOUT_SECONDS,
    PIPELINE,
    REPO_ROOT,
    STATE_ID,
    Pipeline,
    pipeline_env,
    tap_env,
)

pytestmark = pytest.mark.e2e

WRITE_PATHS = ("/api/users/bulkUpdate", "/api/events/trackBulk", "/api/commerce/")
FACT_TRIGGERS = ("purchase", "customEvent:")  # one entry per purchase / event id, ever


def _writes(pipeline: Pipeline) -> int:
    return sum(
        1
        for entry in pipeline.iterable.emulator.request_log.entries()
        if entry.method == "POST"
        and (entry.path.startswith(WRITE_PATHS) or entry.path.endswith("/items"))
    )


def _entries(pipeline: Pipeline) -> dict[str, dict[str, int]]:
    by_trigger: dict[str, dict[str, int]] = pipeline.iterable.emulator.journey_entries()[
        "by_trigger"
    ]
    return by_trigger


def _added(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]], *, detail: bool = False
) -> Counter[str]:
    """New journey entries per trigger kind (purchase, customEvent, userProfileUpdate, ...);
    with `detail`, per trigger and fact."""
    added: Counter[str] = Counter()
    for trigger, facts in after.items():
        kind = trigger.split(":")[0]
        for fact, count in facts.items():
            added[f"{trigger} {fact}" if detail else kind] += count - before.get(trigger, {}).get(
                fact, 0
            )
    return +added


def _each_fact_entered_once(pipeline: Pipeline, *, allowed_twice: int = 0) -> None:
    twice = []
    for trigger, facts in _entries(pipeline).items():
        if trigger.startswith(FACT_TRIGGERS):
            twice += [(trigger, fact) for fact, count in facts.items() if count > 1]
    assert len(twice) <= allowed_twice, f"facts that entered journeys again: {twice[:10]}"


class Scenarios:
    """Runs a scenario and measures write requests and journey entries it caused."""

    def __init__(self, pipeline: Pipeline, label: str) -> None:
        self.pipeline = pipeline
        self.label = label
        self.rows: list[dict[str, Any]] = []

    def measure(self, scenario: str, action: Any) -> tuple[int, Counter[str]]:
        before, writes = _entries(self.pipeline), _writes(self.pipeline)
        action()
        after = _entries(self.pipeline)
        added, wrote = _added(before, after), _writes(self.pipeline) - writes
        row = {
            "ledger": self.label,
            "scenario": scenario,
            "write_requests": wrote,
            "journey_entries": sum(added.values()),
            "by_trigger": dict(added),
        }
        if 0 < sum(added.values()) <= 20:  # a few: say which, to explain them
            row["facts"] = dict(_added(before, after, detail=True))
        self.rows.append(row)
        table = os.environ.get("JOURNEY_TABLE")
        if table:
            with Path(table).open("a") as file:
                file.write(json.dumps(row) + "\n")
        return wrote, added


def _run_failing(pipeline: Pipeline, *args: str) -> str:
    result = subprocess.run(
        ["meltano", "--environment", "sandbox", "run", *(args or PIPELINE)],
        cwd=REPO_ROOT,
        env=pipeline.env,
        capture_output=True,
        text=True,
        timeout=MELTANO_TIMEOUT_SECONDS,
        check=False,
    )
    assert result.returncode != 0, "the run should have stopped"
    return result.stdout + result.stderr


def _qualifying_purchase_ids(pipeline: Pipeline, order_ids: list[int]) -> set[str]:
    store = pipeline.bigcommerce.store_hash
    return {f"{store}-{order_id}" for order_id in order_ids}


def test_each_fact_enters_journeys_once_across_reruns_resets_and_backfills(
    pipeline: Pipeline,
) -> None:
    runs = Scenarios(pipeline, "sqlite")

    wrote, added = runs.measure("first sync", pipeline.run)
    assert wrote > 0
    assert added["purchase"] == len(pipeline.iterable.emulator.purchases())
    assert added["customEvent"] == len(pipeline.iterable.emulator.events())
    _each_fact_entered_once(pipeline)

    for scenario, action in [
        ("no-change re-run", pipeline.run),
        ("--full-refresh", lambda: pipeline.run("--full-refresh", *PIPELINE)),
        (
            "state clear",
            lambda: (pipeline.meltano("state", "clear", "--force", STATE_ID), pipeline.run()),
        ),
        (
            "backfill (own state id, older start date)",
            lambda: pipeline.run(
                "--state-id-suffix",
                "backfill-2024",
                *PIPELINE,
                extra_env={"TAP_BIGCOMMERCE_START_DATE": "2024-01-01T00:00:00Z"},
            ),
        ),
    ]:
        wrote, added = runs.measure(scenario, action)
        assert (scenario, wrote, dict(added)) == (scenario, 0, {})

    delta = pipeline.bigcommerce.emulator.apply_delta(orders=3, new_orders=2)
    wrote, added = runs.measure("1 delta (3 changed, 2 new orders)", pipeline.run)
    new_purchases = {
        fact
        for fact in _entries(pipeline)["purchase"]
        if fact in _qualifying_purchase_ids(pipeline, delta.new_order_ids)
    }
    assert added["purchase"] == len(new_purchases) > 0  # one entry per new purchase, no other
    assert added["customEvent"] > 0  # the changed orders' lifecycle events
    _each_fact_entered_once(pipeline)

    wrote, added = runs.measure("re-run after the delta", pipeline.run)
    assert (wrote, dict(added)) == (0, {})

    # The ledger is lost (an ephemeral worker): the run stops before any write.
    Path(pipeline.env["TARGET_ITERABLE_DATABASE_URL"].removeprefix("sqlite:///")).unlink()
    writes = _writes(pipeline)
    output = _run_failing(pipeline)
    assert "database_url" in output
    assert "ledger_rebuild" in output
    assert _writes(pipeline) == writes


def test_faults_and_a_killed_run_add_no_journey_entry_on_postgresql(
    tmp_path: Path, postgres_server: Any
) -> None:
    with (
        running_bigcommerce(seed=4, orders=40, rate_limit_quota=E2E_QUOTA) as bigcommerce,
        running_iterable() as iterable,
    ):
        env = {
            **pipeline_env(tmp_path, iterable),
            **tap_env("TAP_BIGCOMMERCE", bigcommerce),
            "TARGET_ITERABLE_DATABASE_URL": postgres_server.new_database("ledger"),
            "BIGCOMMERCE_ITERABLE_MAPPER_DATABASE_URL": postgres_server.new_database("store"),
        }
        pipeline = Pipeline(bigcommerce, iterable, tmp_path, env)
        runs = Scenarios(pipeline, "postgresql")
        runs.measure("first sync", pipeline.run)
        _each_fact_entered_once(pipeline)

        # 5xx answers and dropped connections: retried, and still each fact once.
        bigcommerce.emulator.apply_delta(orders=3, new_orders=2)
        iterable.emulator.faults.configure(FaultConfig(seed=7, error_rate=0.3, drop_rate=0.1))
        wrote, added = runs.measure("delta under faults", pipeline.run)
        iterable.emulator.faults.configure(FaultConfig())
        assert added["purchase"] > 0
        _each_fact_entered_once(pipeline)

        # Killed half-way, then resumed from the committed state.
        delta = bigcommerce.emulator.apply_delta(orders=8, new_orders=8)
        purchases_before = len(iterable.emulator.purchases())

        def kill_and_resume() -> None:
            slow = {"TARGET_ITERABLE_RATE_LIMITS_TRACK_PURCHASE": "2"}
            process = pipeline.start(extra_env=slow)
            deadline = time.monotonic() + 120
            while len(iterable.emulator.purchases()) == purchases_before:
                assert process.poll() is None, "the run finished before it could be killed"
                assert time.monotonic() < deadline, "the run never reached Iterable"
                time.sleep(0.05)
            pipeline.kill(process)
            pipeline.run("--force", *PIPELINE)

        runs.measure("kill and resume", kill_and_resume)
        new = _qualifying_purchase_ids(pipeline, delta.new_order_ids)
        assert new & set(_entries(pipeline)["purchase"]), "the new purchases did not arrive"
        # A crash between Iterable's answer and the ledger's write may resend what was in flight
        # (at most one request per commerce worker); everything else entered once.
        _each_fact_entered_once(pipeline, allowed_twice=8)

        # --force: Meltano still holds the killed run's job as running.
        wrote, added = runs.measure(
            "re-run after the resume", lambda: pipeline.run("--force", *PIPELINE)
        )
        assert (wrote, dict(added)) == (0, {})
