"""Fault injection through the shared middleware, and the `/_sandbox` inspection API."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import requests

from sandbox.common.faults import FaultConfig
from sandbox.common.inspector import InspectorError
from sandbox.iterable.inspect import IterableInspector
from sandbox.iterable.testing import running_iterable

HEADERS = {"Api-Key": "sandbox-iterable-key"}
USER = {"email": "a@example.com", "dataFields": {"n": 1}}


def test_scripted_faults_hit_the_api_but_not_the_inspection_paths() -> None:
    with running_iterable(faults=FaultConfig(script=["503", "drop", "429"])) as running:
        url = f"{running.api_url}/api/users/update"
        inspector = IterableInspector(running.api_url)
        assert inspector.users() == [], "/_sandbox is never faulted"
        assert requests.post(url, json=USER, headers=HEADERS, timeout=5).status_code == 503
        with pytest.raises(requests.exceptions.RequestException):
            requests.post(url, json=USER, headers=HEADERS, timeout=5).json()
        shed = requests.post(url, json=USER, headers=HEADERS, timeout=5)
        assert shed.status_code == 429
        assert "x-ratelimit-remaining" not in shed.headers
        assert requests.post(url, json=USER, headers=HEADERS, timeout=5).ok
        assert len(inspector.users()) == 1, "faulted requests stored nothing"
        counts = inspector.request_counts()
        assert counts == {
            "POST /api/users/update 503": 1,
            "POST /api/users/update 200": 2,  # the dropped one had started a 200 answer
            "POST /api/users/update 429": 1,
        }


def test_seeded_error_rate_is_reproducible() -> None:
    def statuses(seed: int) -> list[int]:
        config = FaultConfig(seed=seed, error_rate=0.3, path_contains="/api/users")
        with running_iterable(faults=config) as running:
            url = f"{running.api_url}/api/users/update"
            return [
                requests.post(url, json=USER, headers=HEADERS, timeout=5).status_code
                for _ in range(30)
            ]

    first = statuses(3)
    assert first == statuses(3)
    assert any(status >= 500 for status in first)
    assert first.count(200) > 10


def test_inspector_reads_match_the_in_process_handle() -> None:
    with running_iterable(rate_limits={"users/bulkUpdate": 100}) as running:
        url = running.api_url
        users = [{"email": "a@example.com", "userId": "u1", "dataFields": {"n": 1}}]
        requests.post(
            f"{url}/api/users/bulkUpdate", json={"users": users}, headers=HEADERS, timeout=5
        )
        event = {
            "email": "a@example.com",
            "eventName": "viewed",
            "id": "e1",
            "createdAt": 1_700_000_000,
        }
        requests.post(f"{url}/api/events/track", json=event, headers=HEADERS, timeout=5)
        item = {"id": "1", "name": "Mug", "price": 1.0, "quantity": 1}
        purchase = {"id": "p1", "user": {"email": "a@example.com"}, "items": [item], "total": 1.0}
        requests.post(
            f"{url}/api/commerce/trackPurchase", json=purchase, headers=HEADERS, timeout=5
        )
        cart = {"user": {"email": "b@example.com"}, "items": [item]}
        requests.post(f"{url}/api/commerce/updateCart", json=cart, headers=HEADERS, timeout=5)
        requests.post(f"{url}/api/catalogs/products", headers=HEADERS, timeout=5)
        upload = {"documents": {"1": {"a": 1}}, "replaceUploadedFieldsOnly": False}
        requests.post(f"{url}/api/catalogs/products/items", json=upload, headers=HEADERS, timeout=5)

        emulator = running.emulator
        with IterableInspector(url) as inspector:
            assert inspector.users() == emulator.users()
            assert inspector.user(email="a@example.com") == emulator.user(email="a@example.com")
            assert inspector.user(user_id="u1")["email"] == "a@example.com"
            assert inspector.user(email="nobody@example.com") is None
            assert inspector.events() == emulator.events() != []
            assert inspector.events("other") == []
            assert inspector.purchases() == emulator.purchases() != []
            assert inspector.carts() == emulator.carts() == {"b@example.com": [item]}
            assert inspector.catalogs() == ["products"]
            assert inspector.catalog_items("products") == {"1": {"a": 1}}
            for kind in ("users", "events", "purchases", "carts", "catalog_items"):
                assert inspector.write_counts(kind) == emulator.write_counts(kind)
            assert inspector.write_counts("events") == {"e1": 1}
            assert inspector.field_types() == emulator.field_types()
            assert inspector.user_write_sources() == emulator.user_write_sources()
            assert inspector.user_write_sources()["b@example.com"] == {"commerce/updateCart": 1}
            assert inspector.request_counts() == emulator.request_counts()
            assert inspector.request_counts()["POST /api/users/bulkUpdate 200"] == 1
            assert len(inspector.request_entries()) == 6
            assert inspector.summary()["users"] == 2
            with pytest.raises(InspectorError, match="kind must be one of"):
                inspector.write_counts("orders")


def test_inspector_knobs() -> None:
    with running_iterable() as running, IterableInspector(running.api_url) as inspector:
        url = f"{running.api_url}/api/users/update"
        inspector.forget(email="a@example.com")
        assert inspector.forgotten() == {"emails": ["a@example.com"], "userIds": []}
        assert requests.post(url, json=USER, headers=HEADERS, timeout=5).status_code == 409
        inspector.unforget(email="a@example.com")
        assert requests.post(url, json=USER, headers=HEADERS, timeout=5).ok

        inspector.set_rate_limits({"users/update": 0})
        assert inspector.rate_limits()["users/update"] == 0
        assert requests.post(url, json=USER, headers=HEADERS, timeout=5).status_code == 429
        inspector.set_rate_limits({"users/update": None})
        assert inspector.rate_limits()["users/update"] is None
        assert requests.post(url, json=USER, headers=HEADERS, timeout=5).ok
        with pytest.raises(InspectorError, match="Unknown rate limit"):
            inspector.set_rate_limits({"nope": 1})

        inspector.set_faults(FaultConfig(script=["502"]))
        assert requests.post(url, json=USER, headers=HEADERS, timeout=5).status_code == 502

        inspector.configure(max_bulk_users=1)
        assert inspector.settings()["max_bulk_users"] == 1
        two = {"users": [{"email": "x@example.com"}, {"email": "y@example.com"}]}
        bulk = requests.post(
            f"{running.api_url}/api/users/bulkUpdate", json=two, headers=HEADERS, timeout=5
        )
        assert bulk.status_code == 413
        with pytest.raises(InspectorError, match="Unknown emulator setting"):
            inspector.configure(bogus=True)
        with pytest.raises(InspectorError, match="must be of type int"):
            inspector.configure(max_bulk_users="3")

        inspector.reset()
        assert inspector.users() == []
        assert inspector.request_counts() == {}
        assert inspector.settings()["max_bulk_users"] == 1000


def test_the_vendored_swagger_is_the_pinned_upstream_copy(iterable_swagger: Path) -> None:
    # The sha256 SOURCES.md records for Iterable/api-client's api-docs.json at the pinned commit.
    digest = hashlib.sha256(iterable_swagger.read_bytes()).hexdigest()
    assert digest == "58c536dc897dcda79f785c0488a2b56d9f566f251116a4748ccba4b7d3d8b9ce"
    assert digest in (iterable_swagger.parent / "SOURCES.md").read_text()
