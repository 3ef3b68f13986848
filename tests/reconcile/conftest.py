"""One real sync for the package: the real `meltano run` pipeline from the BigCommerce emulator
into the Iterable emulator (the e2e tests' helpers), then the real reconciler CLI against both.

The Iterable emulator's export limit is raised from Iterable's 4 a minute (and the reconciler
told so), so the reconciler's three export calls do not wait 30 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from e2e.conftest import E2E_QUOTA, Pipeline, pipeline_env, tap_env

from sandbox.bigcommerce.testing import running_bigcommerce
from sandbox.iterable.testing import RunningIterable, running_iterable

RECONCILE = str(Path(sys.executable).with_name("bigcommerce-iterable-reconcile"))
FAST_EXPORTS_PER_MINUTE = 600
START = "2024-01-01"  # the sandbox store's first orders
TIMEOUT_SECONDS = 120


@dataclass
class ReconcileRun:
    returncode: int
    stdout: str
    stderr: str
    out_dir: Path

    @property
    def summary(self) -> dict[str, Any]:
        loaded: dict[str, Any] = json.loads((self.out_dir / "report.json").read_text())
        return loaded

    def subjects(self, kind: str) -> list[str]:
        return [d["subject"] for d in self.summary["discrepancies"] if d["kind"] == kind]


def run_reconcile(pipeline: Pipeline, out_dir: Path, *args: str, **env: str) -> ReconcileRun:
    command = [RECONCILE, "--start", START, "--out-dir", str(out_dir)]
    command += ["--export-rate-per-minute", str(FAST_EXPORTS_PER_MINUTE), *args]
    result = subprocess.run(
        command,
        env={**pipeline.env, **env},
        capture_output=True,
        text=True,
        timeout=TIMEOUT_SECONDS,
        check=False,
    )
    return ReconcileRun(result.returncode, result.stdout, result.stderr, out_dir)


def iterable_api(iterable: RunningIterable, method: str, path: str, body: Any) -> None:
    """Write to the emulator through Iterable's own API, as another integration would."""
    response = requests.request(
        method,
        f"{iterable.api_url}{path}",
        json=body,
        headers={"Api-Key": iterable.api_key},
        timeout=10,
    )
    assert response.status_code < 300, response.text


@pytest.fixture(scope="package")
def synced(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Pipeline]:
    workdir = tmp_path_factory.mktemp("reconcile-sync")
    with (
        running_bigcommerce(seed=3, orders=40, rate_limit_quota=E2E_QUOTA) as bigcommerce,
        running_iterable(
            rate_limits={"export/data.json": FAST_EXPORTS_PER_MINUTE / 60}
        ) as iterable,
    ):
        env = {**pipeline_env(workdir, iterable), **tap_env("TAP_BIGCOMMERCE", bigcommerce)}
        pipeline = Pipeline(bigcommerce, iterable, workdir, env)
        pipeline.run()
        yield pipeline


@pytest.fixture(scope="package")
def clean_run(synced: Pipeline, tmp_path_factory: pytest.TempPathFactory) -> ReconcileRun:
    return run_reconcile(synced, tmp_path_factory.mktemp("clean-report"))


@dataclass(frozen=True)
class Injected:
    missing: str  # purchase id removed from Iterable
    duplicated_order: int  # order tracked a second time under another purchase id
    wrong_total: str  # purchase id re-tracked with a total one unit off
    duplicated_customer: int  # BigCommerce customer id given to a second profile
    stale_item: str  # catalog item whose price was changed in Iterable
    run: ReconcileRun


@pytest.fixture(scope="package")
def injected(
    synced: Pipeline, clean_run: ReconcileRun, tmp_path_factory: pytest.TempPathFactory
) -> Injected:
    """Runs after the clean reconciliation (it depends on it), then breaks five things."""
    iterable = synced.iterable
    purchases = sorted(iterable.emulator.purchases(), key=lambda p: p["id"])
    missing, duplicate, wrong = purchases[0], purchases[1], purchases[2]
    # No Iterable API deletes a purchase: lose one through the emulator's in-process state.
    with iterable.emulator.state.lock:
        del iterable.emulator.state.purchases[missing["id"]]
    iterable_api(iterable, "POST", "/api/commerce/trackPurchase", {
        "id": f"{duplicate['id']}-again",
        "user": {"email": duplicate["email"]},
        "items": duplicate["items"],
        "total": duplicate["total"],
        "createdAt": duplicate["createdAt"],
        "dataFields": duplicate["dataFields"],
    })  # fmt: skip
    iterable_api(iterable, "POST", "/api/commerce/trackPurchase", {
        "id": wrong["id"],
        "user": {"email": wrong["email"]},
        "items": wrong["items"],
        "total": wrong["total"] + 1.0,
        "createdAt": wrong["createdAt"],
        "dataFields": wrong["dataFields"],
    })  # fmt: skip
    customer = next(
        u["dataFields"]["bcCustomerId"]
        for u in iterable.emulator.users()
        if u["dataFields"].get("bcCustomerId")
    )
    iterable_api(iterable, "POST", "/api/users/update", {
        "email": "second.profile@example.com",
        "dataFields": {"bcCustomerId": customer},
    })  # fmt: skip
    item_id, item = sorted(iterable.emulator.catalog_items("products").items())[0]
    iterable_api(
        iterable,
        "PATCH",
        f"/api/catalogs/products/items/{item_id}",
        {"update": {"price": item["price"] + 5.0}},
    )
    return Injected(
        missing=missing["id"],
        duplicated_order=duplicate["dataFields"]["orderId"],
        wrong_total=wrong["id"],
        duplicated_customer=customer,
        stale_item=item_id,
        run=run_reconcile(synced, tmp_path_factory.mktemp("injected-report")),
    )
