"""Webhook registration and delivery: payload shape, custom headers, retries, deactivation."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import requests
from bc_openapi import component_schema, load_spec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce
from sandbox.common.server import RunningServer, serve_in_thread


@dataclass
class Receiver:
    """A webhook destination that records what it got and answers scripted statuses."""

    server: RunningServer
    received: list[tuple[dict[str, str], dict[str, Any]]] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)  # next answers; 200 once empty
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"{self.server.url}/hook"

    def wait_for(self, count: int, timeout: float = 10) -> list[dict[str, Any]]:
        deadline = time.monotonic() + timeout
        while True:
            with self.lock:
                if len(self.received) >= count:
                    return [body for _, body in self.received]
            assert time.monotonic() < deadline, f"only {len(self.received)} of {count} arrived"
            time.sleep(0.01)


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    holder: list[Receiver] = []

    async def hook(request: Request) -> Response:
        rx = holder[0]
        body = await request.json()
        with rx.lock:
            rx.received.append((dict(request.headers), body))
            status = rx.statuses.pop(0) if rx.statuses else 200
        return Response(status_code=status)

    app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])
    with serve_in_thread(app) as server:
        holder.append(Receiver(server))
        yield holder[0]


@pytest.fixture
def store() -> Iterator[RunningBigCommerce]:
    with running_bigcommerce(orders=20, webhook_retry_scale=0.0001) as bc:
        yield bc


def _register(bc: RunningBigCommerce, scope: str, destination: str, **extra: Any) -> dict[str, Any]:
    answer = requests.post(
        f"{bc.v3_url}/hooks",
        headers={**bc.headers, "Content-Type": "application/json"},
        json={"scope": scope, "destination": destination, **extra},
        timeout=5,
    )
    assert answer.status_code == 200, answer.text
    hook: dict[str, Any] = answer.json()["data"]
    return hook


def test_cart_events_arrive_with_custom_headers_and_spec_shape(
    store: RunningBigCommerce, receiver: Receiver, bigcommerce_specs: Path
) -> None:
    _register(store, "store/cart/*", receiver.url, headers={"X-Receiver-Key": "s3cret"})
    activity = store.emulator.simulate_cart_activity(["abandoned", "converted"])
    bodies = receiver.wait_for(len(activity.events) - 1)  # order/created is not a cart scope
    assert store.emulator.webhooks.wait_idle(5)
    scopes = [b["scope"] for b in bodies]
    assert {
        "store/cart/created",
        "store/cart/updated",
        "store/cart/lineItem/created",
        "store/cart/abandoned",
        "store/cart/converted",
    } <= set(scopes)
    assert all(headers["x-receiver-key"] == "s3cret" for headers, _ in receiver.received)
    spec = load_spec(bigcommerce_specs / "webhooks.v3.yml")
    for body in bodies:
        assert set(body) == {"scope", "store_id", "data", "hash", "created_at", "producer"}
        assert body["producer"] == f"stores/{store.store_hash}"
        assert isinstance(body["created_at"], int)
        name = body["scope"].replace("/", "_")
        jsonschema.Draft4Validator(component_schema(spec, name)).validate(body)
    converted = next(b for b in bodies if b["scope"] == "store/cart/converted")
    assert converted["data"]["orderId"] == activity.order_ids[0]
    abandoned = next(b for b in bodies if b["scope"] == "store/cart/abandoned")
    assert abandoned["data"]["token"]
    # The converted cart is gone; its order exists and points back at it.
    cart_id = converted["data"]["id"]
    gone = requests.get(f"{store.v3_url}/carts/{cart_id}", headers=store.headers, timeout=5)
    assert gone.status_code == 404
    order = requests.get(
        f"{store.v2_url}/orders/{activity.order_ids[0]}", headers=store.headers, timeout=5
    ).json()
    assert order["cart_id"] == cart_id


def test_scopes_are_matched_exactly_or_by_wildcard(
    store: RunningBigCommerce, receiver: Receiver
) -> None:
    _register(store, "store/order/created", receiver.url)
    _register(store, "store/cart/lineItem/*", f"{receiver.url}?line")
    activity = store.emulator.simulate_cart_activity(["converted"])
    line_items = sum(e.scope.startswith("store/cart/lineItem/") for e in activity.events)
    bodies = receiver.wait_for(1 + line_items)
    assert store.emulator.webhooks.wait_idle(5)
    assert sorted({b["scope"] for b in bodies}) == [
        "store/cart/lineItem/created",
        "store/order/created",
    ]
    assert len(bodies) == 1 + line_items


def test_failed_deliveries_are_retried_with_the_same_hash(
    store: RunningBigCommerce, receiver: Receiver
) -> None:
    receiver.statuses = [500, 503]
    _register(store, "store/order/updated", receiver.url)
    store.emulator.apply_delta(orders=1, new_orders=0, customers=0, products=0, subscribers=0)
    bodies = receiver.wait_for(3)
    assert store.emulator.webhooks.wait_idle(5)
    first = bodies[0]
    assert all(b["hash"] == first["hash"] and b["data"] == first["data"] for b in bodies[:3])
    attempts = [a for a in store.emulator.webhook_attempts() if a.payload["hash"] == first["hash"]]
    assert [(a.attempt, a.status) for a in attempts] == [(0, 500), (1, 503), (2, 200)]
    # Retries wait BigCommerce's schedule (60 s, 180 s...) times the scale (1/10000 here).
    assert attempts[2].at - attempts[1].at >= 0.018 - 0.005


def test_hook_is_deactivated_when_retries_run_out() -> None:
    # The 48 hours of retries take 1.7 s at this scale.
    with running_bigcommerce(orders=10, webhook_retry_scale=0.00001) as store:
        # Nothing listens on port 9: every attempt fails without an HTTP answer.
        hook = _register(store, "store/product/updated", "http://127.0.0.1:9/nobody")
        store.emulator.apply_delta(orders=0, new_orders=0, customers=0, products=1, subscribers=0)
        assert store.emulator.webhooks.wait_idle(30)
        attempts = [a for a in store.emulator.webhook_attempts() if a.hook_id == hook["id"]]
        assert len(attempts) == 12  # the first try and 11 retries
        assert all(a.status is None for a in attempts)
        url = f"{store.v3_url}/hooks/{hook['id']}"
        listed = requests.get(url, headers=store.headers, timeout=5)
        assert listed.json()["data"]["is_active"] is False


def test_invalid_hooks_are_rejected_naming_the_field(store: RunningBigCommerce) -> None:
    headers = {**store.headers, "Content-Type": "application/json"}
    for body, field_name in (
        ({"destination": "https://example.com/h"}, "scope"),
        ({"scope": "store/order/*"}, "destination"),
        ({"scope": "store/order/*", "destination": "ftp://x"}, "destination"),
        (
            {"scope": "store/order/*", "destination": "https://e.com", "headers": {"a": 1}},
            "headers",
        ),
    ):
        answer = requests.post(f"{store.v3_url}/hooks", headers=headers, json=body, timeout=5)
        assert answer.status_code == 422, body
        assert field_name in answer.json()["errors"]
    _register(store, "store/order/*", "https://example.com/a")
    again = requests.post(
        f"{store.v3_url}/hooks",
        headers=headers,
        json={"scope": "store/order/*", "destination": "https://example.com/a"},
        timeout=5,
    )
    assert again.status_code == 422
    no_type = requests.post(
        f"{store.v3_url}/hooks",
        headers=store.headers,
        data=b'{"scope": "store/order/*"}',
        timeout=5,
    )
    assert no_type.status_code == 415


def test_hooks_can_be_listed_updated_and_deleted(store: RunningBigCommerce) -> None:
    headers = {**store.headers, "Content-Type": "application/json"}
    hook = _register(store, "store/order/*", "https://example.com/a")
    _register(store, "store/cart/*", "https://example.com/b", is_active=False)
    active = requests.get(
        f"{store.v3_url}/hooks", headers=headers, params={"is_active": "true"}, timeout=5
    ).json()
    assert [h["id"] for h in active["data"]] == [hook["id"]]
    assert active["meta"]["pagination"]["total"] == 1
    updated = requests.put(
        f"{store.v3_url}/hooks/{hook['id']}", headers=headers, json={"is_active": False}, timeout=5
    )
    assert updated.json()["data"]["is_active"] is False
    assert requests.delete(f"{store.v3_url}/hooks/{hook['id']}", headers=headers, timeout=5).ok
    missing = requests.get(f"{store.v3_url}/hooks/{hook['id']}", headers=headers, timeout=5)
    assert missing.status_code == 404


def test_duplicate_deliveries_share_body_and_hash(receiver: Receiver) -> None:
    with running_bigcommerce(orders=10, webhook_duplicates=True) as store:
        _register(store, "store/customer/updated", receiver.url)
        store.emulator.apply_delta(orders=0, new_orders=0, customers=1, products=0, subscribers=0)
        first, second = receiver.wait_for(2)
        assert store.emulator.webhooks.wait_idle(5)
        assert first == second
        assert len(receiver.received) == 2


def test_deleting_customers_sends_customer_deleted(
    store: RunningBigCommerce, receiver: Receiver, bigcommerce_specs: Path
) -> None:
    """`DELETE /v3/customers?id:in=` (customers.v3.yml `deleteCustomers`): 204, the customers are
    gone, and each sends `store/customer/deleted` with data `{type: "customer", id}`
    (webhooks.v3.yml); a read-only token may not delete."""
    _register(store, "store/customer/*", receiver.url)
    url = f"{store.v3_url}/customers"
    refused = requests.delete(url, params={"id:in": "2"}, headers=store.headers, timeout=5)
    assert refused.status_code == 403
    store.emulator.token_scopes = frozenset({"store_v2_customers"})
    answer = requests.delete(url, params={"id:in": "2,3"}, headers=store.headers, timeout=5)
    assert answer.status_code == 204
    assert answer.content == b""
    bodies = receiver.wait_for(2)
    assert sorted(b["data"]["id"] for b in bodies) == [2, 3]
    spec = load_spec(bigcommerce_specs / "webhooks.v3.yml")
    for body in bodies:
        assert body["scope"] == "store/customer/deleted"
        assert body["data"]["type"] == "customer"
        jsonschema.Draft4Validator(component_schema(spec, "store_customer_deleted")).validate(body)
    listed = requests.get(url, params={"id:in": "1,2,3"}, headers=store.headers, timeout=5).json()
    assert [c["id"] for c in listed["data"]] == [1]
    assert listed["meta"]["pagination"]["total"] == 1
    # Deleting again changes nothing and sends nothing.
    assert store.emulator.delete_customers([2]) == []
    everyone = requests.get(url, params={"limit": 250}, headers=store.headers, timeout=5).json()
    assert {2, 3}.isdisjoint(c["id"] for c in everyone["data"])
    assert everyone["meta"]["pagination"]["total"] == store.emulator.store.customers.count - 2
