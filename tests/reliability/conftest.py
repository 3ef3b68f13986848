"""A store with orders and cart webhooks, shared by the fault matrix, and its clean run.

The BigCommerce emulator and the webhook inbox are built once per module and never changed, so
every run reads the same facts; each run gets a fresh Iterable emulator and mapper store.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce
from sandbox.common.faults import FaultConfig
from sandbox.common.server import serve_in_thread
from sandbox.iterable.testing import RunningIterable, running_iterable
from tap_bigcommerce.api import BigCommerceAPI, RetrySettings, StoreSettings
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.app import DEFAULT_PATH, build_app
from tap_bigcommerce.webhooks.auth import WebhookAuthenticator
from tap_bigcommerce.webhooks.register import register_hooks

from .pipeline import QUOTA_THAT_NEVER_BINDS, Pipeline, PipelineRun, dead_letters, pipeline_configs
from .settings import SIZES
from .snapshot import Snapshot, snapshot

WEBHOOK_HEADER = "X-Webhook-Secret"
WEBHOOK_SECRET = "reliability-webhook-secret"
CART_OUTCOMES = ("active", "abandoned", "converted", "expired", "deleted")
# Far above what a run sends: these runs are about faults, not Iterable's rate limits.
FAST_ITERABLE = {
    "users/bulkUpdate": 1000.0,
    "events/trackBulk": 1000.0,
    "commerce/trackPurchase": 1000.0,
    "commerce/updateCart": 1000.0,
}


def register_cart_hooks(bigcommerce: RunningBigCommerce, destination: str) -> None:
    """What `tap-bigcommerce-webhooks register` does, through the tap's own API helper."""
    api = BigCommerceAPI(
        StoreSettings(
            api_url=bigcommerce.api_url,
            store_hash=bigcommerce.store_hash,
            access_token=bigcommerce.access_token,
            user_agent="reliability-tests",
            timeout_seconds=5,
            retry=RetrySettings(max_retries=2, backoff_base_seconds=0.01),
        )
    )
    register_hooks(api, destination, {WEBHOOK_HEADER: WEBHOOK_SECRET})


def cart_outcomes(count: int) -> list[str]:
    return [CART_OUTCOMES[i % len(CART_OUTCOMES)] for i in range(count)]


@dataclass
class Store:
    bigcommerce: RunningBigCommerce
    inbox_url: str
    workdir: Path

    def run(
        self,
        name: str,
        *,
        iterable_faults: FaultConfig | None = None,
    ) -> tuple[PipelineRun, Snapshot, list[dict]]:
        """One clean pipeline run into a fresh Iterable project; its outcome and state."""
        workdir = self.workdir / name
        with running_iterable(rate_limits=FAST_ITERABLE, faults=iterable_faults) as iterable:
            pipeline = self.pipeline(workdir, iterable)
            run = pipeline.run()
            iterable.emulator.faults.configure(FaultConfig())
            return run, snapshot(iterable), dead_letters(workdir)

    def pipeline(self, workdir: Path, iterable: RunningIterable, name: str = "run") -> Pipeline:
        configs = pipeline_configs(workdir, self.bigcommerce, iterable, inbox_url=self.inbox_url)
        return Pipeline(workdir, configs, name)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    workdir = tmp_path_factory.mktemp("reliability")
    inbox_url = f"sqlite:///{workdir / 'inbox.sqlite'}"
    inbox = Inbox(inbox_url)
    receiver = build_app(
        inbox, WebhookAuthenticator(header_name=WEBHOOK_HEADER, header_secret=WEBHOOK_SECRET)
    )
    with (
        running_bigcommerce(
            seed=8,
            orders=SIZES.orders,
            rate_limit_quota=QUOTA_THAT_NEVER_BINDS,
            rate_limit_window_ms=1000,
        ) as bigcommerce,
        serve_in_thread(receiver) as server,
    ):
        register_cart_hooks(bigcommerce, f"{server.url}{DEFAULT_PATH}")
        bigcommerce.emulator.simulate_cart_activity(cart_outcomes(SIZES.carts))
        assert bigcommerce.emulator.webhooks.wait_idle(30), "cart webhooks were not delivered"
        assert inbox.count() > 0
        yield Store(bigcommerce, inbox_url, workdir)
    inbox.close()


@dataclass
class Baseline:
    snapshot: Snapshot
    dead_letters: list[dict]
    iterable_requests: int


@pytest.fixture(scope="module")
def baseline(store: Store) -> Baseline:
    """The fault-free run every faulted run is compared with."""
    workdir = store.workdir / "baseline"
    with running_iterable(rate_limits=FAST_ITERABLE) as iterable:
        run = store.pipeline(workdir, iterable).run()
        assert run.ok, run.describe()
        clean = snapshot(iterable)
        requests = len(iterable.emulator.request_log.entries())
    counts = clean.counts()
    assert all(counts[kind] > 0 for kind in counts), f"the clean run missed a kind: {counts}"
    return Baseline(clean, dead_letters(workdir), requests)
