"""`meltano run tap-bigcommerce map-bigcommerce-iterable target-iterable`, for real.

Against the sandbox: state, backfills, state resets, a killed run and several stores, as a
data engineer would exercise them.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest
import requests

from sandbox.bigcommerce.testing import running_bigcommerce
from sandbox.iterable.testing import running_iterable

from .conftest import (
    E2E_QUOTA,
    STATE_ID,
    Pipeline,
    dead_lettered_orders,
    lifetime_values,
    pipeline_env,
    purchases_by_order,
    tap_env,
)

pytestmark = pytest.mark.e2e


def _track_purchase_calls(pipeline: Pipeline) -> int:
    return sum(
        1
        for entry in pipeline.iterable.emulator.request_log.entries()
        if entry.path == "/api/commerce/trackPurchase"
    )


def test_first_run_loads_everything_and_commits_state(pipeline: Pipeline) -> None:
    pipeline.run()

    state = pipeline.state()
    bookmarks = state["singer_state"]["bookmarks"]
    assert {"orders", "customers", "products"} <= set(bookmarks)
    assert pipeline.iterable.emulator.users(), "no user reached Iterable"
    assert purchases_by_order(pipeline.iterable), "no purchase reached Iterable"
    assert pipeline.iterable.emulator.catalog_items("products"), "no catalog item reached Iterable"


def test_second_run_sends_only_what_changed(pipeline: Pipeline) -> None:
    pipeline.run()
    first_run_purchases = _track_purchase_calls(pipeline)
    delta = pipeline.bigcommerce.emulator.apply_delta(orders=3, new_orders=2)

    pipeline.run()

    second_run_purchases = _track_purchase_calls(pipeline) - first_run_purchases
    changed = set(delta.order_ids) | set(delta.new_order_ids)
    purchases = purchases_by_order(pipeline.iterable)
    # Only the changed orders (and any in the bookmark's own second, re-read on purpose).
    assert second_run_purchases <= len(changed) + 2 < first_run_purchases
    new_purchases = set(delta.new_order_ids) & set(purchases)
    assert new_purchases, "the new orders' purchases did not arrive"


@pytest.mark.parametrize("reset", ["state clear", "--full-refresh"])
def test_reset_rereads_history_but_sends_iterable_nothing_it_has(
    pipeline: Pipeline, reset: str
) -> None:
    pipeline.run()
    purchases_before = purchases_by_order(pipeline.iterable)
    ltv_before = lifetime_values(pipeline.iterable)
    calls_before = _track_purchase_calls(pipeline)

    if reset == "state clear":
        pipeline.meltano("state", "clear", "--force", STATE_ID)
        assert pipeline.state() == {}
        output = pipeline.run()
    else:
        output = pipeline.run(
            "--full-refresh", *("tap-bigcommerce", "map-bigcommerce-iterable", "target-iterable")
        )

    # History was really read again (the mapper emitted the purchases) ...
    assert f"'purchases': {len(purchases_before)}" in output
    # ... and the delivery ledger kept every one of them from Iterable: it has them.
    assert _track_purchase_calls(pipeline) == calls_before
    assert purchases_by_order(pipeline.iterable).keys() == purchases_before.keys()
    assert set(pipeline.iterable.emulator.write_counts("purchases").values()) == {1}
    # Lifetime value is kept in a ledger keyed by order id: nothing counted twice.
    assert lifetime_values(pipeline.iterable) == ltv_before


def test_backfill_with_a_state_id_suffix_leaves_regular_state_alone(pipeline: Pipeline) -> None:
    pipeline.run()
    regular_state = pipeline.state()

    pipeline.run(
        "--state-id-suffix",
        "backfill-2024",
        "tap-bigcommerce",
        "map-bigcommerce-iterable",
        "target-iterable",
        extra_env={"TAP_BIGCOMMERCE_START_DATE": "2024-06-01T00:00:00Z"},
    )

    assert pipeline.state() == regular_state
    assert f"{STATE_ID}:backfill-2024" in pipeline.state_ids()
    assert pipeline.state(f"{STATE_ID}:backfill-2024")["singer_state"]["bookmarks"]


def test_killed_run_resumes_from_committed_state_without_loss(pipeline: Pipeline) -> None:
    pipeline.run()
    committed = pipeline.state()
    delta = pipeline.bigcommerce.emulator.apply_delta(orders=8, new_orders=8)
    calls_before = _track_purchase_calls(pipeline)

    # A slow trackPurchase rate makes the run long enough to kill it half-way through.
    slow = {"TARGET_ITERABLE_RATE_LIMITS_TRACK_PURCHASE": "2"}
    process = pipeline.start(extra_env=slow)
    deadline = time.monotonic() + 120
    while _track_purchase_calls(pipeline) == calls_before and process.poll() is None:
        assert time.monotonic() < deadline, "the run never reached Iterable"
        time.sleep(0.05)
    assert process.poll() is None, "the run finished before it could be killed"
    pipeline.kill(process)

    assert pipeline.state() == committed, "a killed run must not move the committed state"
    pipeline.run("--force", "tap-bigcommerce", "map-bigcommerce-iterable", "target-iterable")

    purchases = purchases_by_order(pipeline.iterable)
    # Every new order is in Iterable or dead-lettered with a reason; a guest without a usable
    # email (none, or no "@") cannot be identified in an email-based project: the mapper skips it.
    bigcommerce = pipeline.bigcommerce

    def email(order_id: int) -> str:
        url = f"{bigcommerce.v2_url}/orders/{order_id}"
        order = requests.get(url, headers=bigcommerce.headers, timeout=10).json()
        return str(order["billing_address"]["email"])

    identifiable = {order_id for order_id in delta.new_order_ids if "@" in email(order_id)}
    accounted = set(purchases) | dead_lettered_orders(pipeline.workdir)
    assert identifiable <= accounted, "orders from the killed run were lost"
    assert len(purchases) == len({p["id"] for p in purchases.values()})
    assert pipeline.state() != committed


def test_two_stores_flow_into_one_project_with_their_own_state(tmp_path: Path) -> None:
    with (
        running_bigcommerce(
            seed=5, orders=30, store_hash="store-a", rate_limit_quota=E2E_QUOTA
        ) as a,
        running_bigcommerce(
            seed=5, orders=30, store_hash="store-b", rate_limit_quota=E2E_QUOTA
        ) as b,
        running_iterable() as iterable,
    ):
        env = {
            **pipeline_env(tmp_path, iterable),
            **tap_env("TAP_BIGCOMMERCE", a),
            **tap_env("TAP_BIGCOMMERCE_STORE_B", b),
        }
        pipeline = Pipeline(a, iterable, tmp_path, env)
        pipeline.run("all-stores-to-iterable")

        assert {
            STATE_ID,
            "sandbox:tap-bigcommerce-store-b-to-target-iterable",
        } <= pipeline.state_ids()
        stores = Counter(p["dataFields"]["storeHash"] for p in iterable.emulator.purchases())
        assert set(stores) == {"store-a", "store-b"}
        # The same generator seed gives both stores the same shoppers: one Iterable user each.
        emails = [u["email"] for u in iterable.emulator.users()]
        assert len(emails) == len(set(emails))
        shared = [u for u in iterable.emulator.users() if u["dataFields"].get("ordersCount", 0) > 0]
        assert shared, "no user with orders"
