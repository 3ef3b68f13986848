"""The store quota with its four headers, 429s with and without headers, injected faults."""

from __future__ import annotations

import time

import pytest
import requests

from sandbox.bigcommerce.ratelimit import RateLimiter
from sandbox.bigcommerce.testing import running_bigcommerce
from sandbox.common.faults import FaultConfig

RATE_HEADERS = (
    "X-Rate-Limit-Time-Window-Ms",
    "X-Rate-Limit-Time-Reset-Ms",
    "X-Rate-Limit-Requests-Quota",
    "X-Rate-Limit-Requests-Left",
)


def test_quota_headers_then_429_then_refresh() -> None:
    with (
        running_bigcommerce(orders=10, rate_limit_quota=3, rate_limit_window_ms=800) as bc,
        requests.Session() as http,
    ):
        http.headers.update(bc.headers)
        answers = [http.get(f"{bc.v2_url}/time", timeout=5) for _ in range(4)]
        assert [a.status_code for a in answers] == [200, 200, 200, 429]
        for answer in answers:
            assert all(name in answer.headers for name in RATE_HEADERS)
        assert [int(a.headers["X-Rate-Limit-Requests-Left"]) for a in answers] == [2, 1, 0, 0]
        assert answers[0].headers["X-Rate-Limit-Requests-Quota"] == "3"
        assert answers[0].headers["X-Rate-Limit-Time-Window-Ms"] == "800"
        limited = answers[3]
        reset_ms = int(limited.headers["X-Rate-Limit-Time-Reset-Ms"])
        assert 0 < reset_ms <= 800
        assert limited.json() == [
            {
                "status": 429,
                "message": "You have exceeded the request quota for this time window.",
            }
        ]
        # v3 answers the same quota with a v3 error body.
        v3 = http.get(f"{bc.v3_url}/channels", timeout=5)
        assert v3.status_code == 429
        assert v3.json()["status"] == 429
        # After the advertised reset the quota is back.
        deadline = time.monotonic() + 5
        time.sleep(reset_ms / 1000)
        while (again := http.get(f"{bc.v2_url}/time", timeout=5)).status_code == 429:
            assert time.monotonic() < deadline, "the quota never refreshed"
        assert again.status_code == 200
        assert again.headers["X-Rate-Limit-Requests-Left"] == "2"


def test_set_rate_limit_changes_quota_at_runtime() -> None:
    with running_bigcommerce(orders=10) as bc:
        bc.emulator.set_rate_limit(1, 60000)
        first = requests.get(f"{bc.v2_url}/time", headers=bc.headers, timeout=5)
        second = requests.get(f"{bc.v2_url}/time", headers=bc.headers, timeout=5)
        assert (first.status_code, second.status_code) == (200, 429)
        assert second.headers["X-Rate-Limit-Requests-Quota"] == "1"
        assert int(second.headers["X-Retry-After"]) >= 1


def test_unauthenticated_requests_do_not_spend_the_quota() -> None:
    with running_bigcommerce(orders=10, rate_limit_quota=1) as bc:
        for _ in range(3):
            assert requests.get(f"{bc.v2_url}/time", timeout=5).status_code == 401
        assert requests.get(f"{bc.v2_url}/time", headers=bc.headers, timeout=5).status_code == 200


def test_limiter_window_uses_its_clock() -> None:
    now = [100.0]
    limiter = RateLimiter(2, 1000, clock=lambda: now[0])
    assert [limiter.take().allowed for _ in range(3)] == [True, True, False]
    now[0] += 0.5
    assert limiter.take().reset_ms == 500
    now[0] += 0.5
    decision = limiter.take()
    assert decision.allowed
    assert decision.left == 1
    with pytest.raises(ValueError, match="positive"):
        limiter.configure(0, 1000)


def test_scripted_faults_503_drop_and_headerless_429() -> None:
    faults = FaultConfig(script=["503", "drop", "429"], path_contains="/v2/orders")
    with running_bigcommerce(orders=10, faults=faults) as bc:
        url = f"{bc.v2_url}/orders"
        unavailable = requests.get(url, headers=bc.headers, timeout=5)
        assert unavailable.status_code == 503
        with pytest.raises(requests.exceptions.RequestException):
            requests.get(url, headers=bc.headers, timeout=5).json()
        shed = requests.get(url, headers=bc.headers, timeout=5)
        assert shed.status_code == 429
        # Load shedding: a 429 without the rate-limit headers.
        assert not any(name in shed.headers for name in RATE_HEADERS)
        assert requests.get(url, headers=bc.headers, timeout=5).status_code == 200
        # Other paths were never affected.
        assert requests.get(f"{bc.v2_url}/time", headers=bc.headers, timeout=5).ok
        statuses = [
            e.status for e in bc.emulator.request_log.entries() if e.path.endswith("orders")
        ]
        # The shared log records the dropped answer's promised 200 (its body never completes).
        assert statuses == [503, 200, 429, 200]


def test_seeded_fault_rates_are_repeatable() -> None:
    def statuses() -> list[int]:
        faults = FaultConfig(seed=5, error_rate=0.4, error_statuses=(500, 502))
        with running_bigcommerce(orders=10, faults=faults) as bc, requests.Session() as http:
            http.headers.update(bc.headers)
            return [http.get(f"{bc.v2_url}/time", timeout=5).status_code for _ in range(25)]

    first = statuses()
    assert first == statuses()
    assert {500, 502, 200} >= set(first)
    assert 3 <= sum(s != 200 for s in first) <= 20


def test_request_log_counts_paths() -> None:
    with running_bigcommerce(orders=10) as bc:
        for order_id in (1, 2, 2):
            requests.get(f"{bc.v2_url}/orders/{order_id}/products", headers=bc.headers, timeout=5)
        requests.get(f"{bc.api_url}/_sandbox/summary", timeout=5)  # not logged
        log = bc.emulator.request_log
        assert log.count(path_contains="/orders/2/products") == 2
        assert log.count(path_contains="/products", status=200) == 3
        assert all(not e.path.startswith("/_sandbox") for e in log.entries())
