"""Rate limits, retries, dropped connections, 413 and 204, over HTTP against the emulator."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import requests

from sandbox.bigcommerce.testing import running_bigcommerce
from sandbox.common.faults import FaultConfig
from tap_bigcommerce.api import RequestFailedError

from .helpers import logged_statuses, run_tap, tap_config

EXPECTED_ORDERS = 60 - 1  # the generator's 60-order store has one Incomplete order


def test_paces_by_rate_limit_headers_without_429(inbox_url: str) -> None:
    """A quota of 4 per 400 ms: the tap waits for resets instead of provoking 429s."""
    with running_bigcommerce(orders=60, rate_limit_quota=4, rate_limit_window_ms=400) as bc:
        output = run_tap(
            tap_config(bc, inbox_url, page_size=10),
            streams={"orders", "customers", "currencies", "channels"},
        )
        seen = logged_statuses(bc, at_least=output.requests)
    assert len(output.records["orders"]) == EXPECTED_ORDERS
    assert len(seen) > 12, "the run must need several quota windows"
    assert 429 not in seen
    assert output.paced_seconds > 0


def test_429_with_headers_waits_for_the_reset(inbox_url: str) -> None:
    with running_bigcommerce(orders=60, rate_limit_quota=3, rate_limit_window_ms=500) as bc:
        # Another client spends the whole quota first.
        for _ in range(3):
            requests.get(f"{bc.v2_url}/currencies", headers=bc.headers, timeout=5)
        output = run_tap(tap_config(bc, inbox_url), streams={"currencies"})
        seen = logged_statuses(bc, at_least=3 + output.requests, path_contains="/currencies")
    assert seen.count(429) == 1
    assert seen[-1] in (200, 204)
    assert len(output.records["currencies"]) > 0


@pytest.mark.parametrize(
    "script",
    [["429", "429"], ["500", "503", "502"], ["drop", "drop"], ["503", "drop", "429"]],
    ids=["load-shedding-429", "5xx", "dropped-connections", "mixed"],
)
def test_transient_failures_are_retried_never_skipped(inbox_url: str, script: list[str]) -> None:
    with running_bigcommerce(orders=60) as bc:
        baseline = run_tap(tap_config(bc, inbox_url, page_size=20), streams={"orders"})
    faults = FaultConfig(script=list(script), path_contains="/v2/orders")
    with running_bigcommerce(orders=60, faults=faults) as bc:
        output = run_tap(tap_config(bc, inbox_url, page_size=20), streams={"orders"})
        seen = logged_statuses(bc, at_least=output.requests, path_contains="/v2/orders")
    assert output.records["orders"] == baseline.records["orders"]
    assert len(output.records["orders"]) == EXPECTED_ORDERS
    # Every injected failure cost exactly one retry of the same request.
    assert len(seen) == baseline.requests + len(script)


def test_timeouts_are_retried(inbox_url: str) -> None:
    faults = FaultConfig(script=["slow"], slow_seconds=1.5, path_contains="/v2/currencies")
    with running_bigcommerce(orders=10, faults=faults) as bc:
        output = run_tap(tap_config(bc, inbox_url, request_timeout=1), streams={"currencies"})
    assert len(output.records["currencies"]) > 0


def test_gives_up_loudly_naming_the_request_not_the_token(inbox_url: str) -> None:
    faults = FaultConfig(script=["503"] * 10, path_contains="/v2/orders")
    with running_bigcommerce(orders=10, faults=faults) as bc:
        config = tap_config(bc, inbox_url, max_retries=2)
        with pytest.raises(RequestFailedError) as failure:
            run_tap(config, streams={"orders"})
        attempts = logged_statuses(bc, at_least=3, path_contains="/v2/orders")
    message = str(failure.value)
    assert "GET /stores/sandbox1/v2/orders?" in message
    assert "503" in message
    assert bc.access_token not in message
    assert attempts == [503, 503, 503]


def test_cli_exits_non_zero_without_leaking_the_token(tmp_path: Path, inbox_url: str) -> None:
    faults = FaultConfig(script=["500"] * 10, path_contains="/v3/channels")
    with running_bigcommerce(orders=10, faults=faults) as bc:
        config_path = tmp_path / "config.json"
        config_path.write_text(json.dumps(tap_config(bc, inbox_url, max_retries=1)))
        result = subprocess.run(
            ["tap-bigcommerce", "--config", str(config_path)],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    assert result.returncode != 0
    assert "GET /stores/sandbox1/v3/channels" in result.stderr
    assert bc.access_token not in result.stderr + result.stdout


def test_413_halves_the_page_size(inbox_url: str) -> None:
    with running_bigcommerce(orders=60) as bc:
        output = run_tap(tap_config(bc, inbox_url, page_size=1000), streams={"orders"})
        seen = logged_statuses(bc, at_least=output.requests, path_contains="/v2/orders")
    assert seen[:3] == [413, 413, 200]  # 1000 -> 500 -> 250
    assert len(output.records["orders"]) == EXPECTED_ORDERS


def test_204_ends_a_v2_list(inbox_url: str) -> None:
    with running_bigcommerce(orders=10) as bc:
        total = len(requests.get(f"{bc.v2_url}/currencies", headers=bc.headers, timeout=5).json())
        logged_statuses(bc, at_least=1)  # our own request is logged before the log is cleared
        bc.emulator.request_log.clear()
        output = run_tap(tap_config(bc, inbox_url, page_size=total), streams={"currencies"})
        seen = logged_statuses(bc, at_least=output.requests, path_contains="/v2/currencies")
    assert seen == [200, 204]
    assert len(output.records["currencies"]) == total


def test_sub_resource_requests_are_retried_too(inbox_url: str) -> None:
    """Line-item fallbacks and coupon lookups share the list requests' retry policy."""
    with running_bigcommerce(orders=60) as bc:
        baseline = run_tap(tap_config(bc, inbox_url), streams={"orders"})
    faults = FaultConfig(script=["500", "drop", "503"], path_contains="/orders/7/products")
    with running_bigcommerce(orders=60, faults=faults) as bc:
        output = run_tap(tap_config(bc, inbox_url), streams={"orders"})
    assert output.records["orders"] == baseline.records["orders"]
    big = next(o for o in output.records["orders"] if o["id"] == 7)
    assert len(big["line_items"]) == 60
