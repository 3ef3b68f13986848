"""Rate limits (leaky buckets per endpoint) and bulk/body limits."""

from __future__ import annotations

import time

import pytest
import requests
from conftest import Api

from sandbox.iterable.testing import running_iterable

USERS = {"users": [{"email": "a@example.com"}]}


def _post(running_url: str, path: str, body: object) -> requests.Response:
    headers = {"Api-Key": "sandbox-iterable-key"}
    return requests.post(f"{running_url}{path}", json=body, headers=headers, timeout=10)


def test_default_bulk_update_limit_is_5_per_second() -> None:
    with running_iterable() as running:
        statuses = [
            _post(running.api_url, "/api/users/bulkUpdate", USERS).status_code for _ in range(6)
        ]
        assert statuses[:5] == [200] * 5
        assert statuses[5] == 429
        limited = _post(running.api_url, "/api/users/bulkUpdate", USERS)
        assert limited.json() == {
            "msg": "Exceeded rate limit for endpoint: /api/users/bulkUpdate, project: 1 ",
            "code": "RateLimitExceeded",
            "params": {},
        }
        # Other endpoints have their own buckets.
        assert _post(running.api_url, "/api/users/update", {"email": "a@example.com"}).ok


def test_tight_limit_then_the_bucket_drains() -> None:
    with running_iterable(rate_limits={"events/trackBulk": 20}) as running:
        running.emulator.configure(events_require_existing_user=False)
        body = {"events": [{"email": "a@example.com", "eventName": "e"}]}
        statuses = [
            _post(running.api_url, "/api/events/trackBulk", body).status_code for _ in range(25)
        ]
        assert statuses.count(429) >= 1
        deadline = time.monotonic() + 5
        while _post(running.api_url, "/api/events/trackBulk", body).status_code == 429:
            assert time.monotonic() < deadline, "the bucket never drained"
            time.sleep(0.02)
        assert running.emulator.request_counts()["POST /api/events/trackBulk 429"] >= 1


def test_zero_rate_always_limits_and_unknown_names_are_refused() -> None:
    with running_iterable(rate_limits={"commerce/trackPurchase": 0}) as running:
        purchase = {"user": {"email": "a@example.com"}, "items": [], "total": 0.0}
        assert _post(running.api_url, "/api/commerce/trackPurchase", purchase).status_code == 429
        running.emulator.set_rate_limits({"commerce/trackPurchase": None})
        assert _post(running.api_url, "/api/commerce/trackPurchase", purchase).ok
    with (
        pytest.raises(ValueError, match="users/bulk"),
        running_iterable(rate_limits={"users/bulk": 1}),
    ):
        pass


def test_export_is_limited_to_4_per_minute() -> None:
    with running_iterable() as running:
        url = f"{running.api_url}/api/export/data.json?dataTypeName=user&range=All"
        headers = {"Api-Key": running.api_key}
        statuses = [requests.get(url, headers=headers, timeout=10).status_code for _ in range(5)]
        assert statuses == [200, 200, 200, 200, 429]


def test_bulk_body_over_4mb_is_413(api: Api) -> None:
    users = [
        {"email": f"u{i}@example.com", "dataFields": {"blob": "x" * 900_000}} for i in range(5)
    ]
    answer = api.post("/api/users/bulkUpdate", {"users": users})
    assert answer.status_code == 413
    assert answer.json()["code"] == "BatchTooLarge"
    assert api.emulator.users() == []


def test_bulk_of_exactly_1000_users_and_events_is_fine(api: Api) -> None:
    users = [{"email": f"u{i}@example.com", "dataFields": {"n": i}} for i in range(1000)]
    answer = api.post("/api/users/bulkUpdate", {"users": users}).json()
    assert answer["successCount"] == 1000
    events = [{"email": f"u{i}@example.com", "eventName": "e", "id": f"e{i}"} for i in range(1000)]
    assert api.post("/api/events/trackBulk", {"events": events}).json()["successCount"] == 1000


def test_catalog_limits(api: Api) -> None:
    assert api.post("/api/catalogs/products").status_code == 201
    too_many = {str(i): {"a": i} for i in range(1001)}
    answer = api.post(
        "/api/catalogs/products/items", {"documents": too_many, "replaceUploadedFieldsOnly": False}
    )
    assert answer.status_code == 413
    # 30 KB = 30720 bytes of compact JSON: {"d":"..."} is 8 bytes of framing.
    fits = {"1": {"d": "x" * (30 * 1024 - 8)}}
    too_big = {"2": {"d": "x" * (30 * 1024 - 7)}}
    ok = api.post(
        "/api/catalogs/products/items", {"documents": fits, "replaceUploadedFieldsOnly": False}
    )
    assert ok.status_code == 200
    refused = api.post(
        "/api/catalogs/products/items", {"documents": too_big, "replaceUploadedFieldsOnly": False}
    )
    assert refused.status_code == 400
    assert "2" in refused.json()["msg"]
    assert set(api.emulator.catalog_items("products")) == {"1"}
