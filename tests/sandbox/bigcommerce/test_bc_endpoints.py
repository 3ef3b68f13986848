"""The emulator's endpoints answer with BigCommerce's shapes, filters and wire formats."""

from __future__ import annotations

import requests

from sandbox.bigcommerce.testing import RunningBigCommerce


def test_auth_is_required(bc: RunningBigCommerce) -> None:
    missing = requests.get(f"{bc.v2_url}/store", timeout=5)
    assert missing.status_code == 401
    assert missing.json() == [
        {"status": 401, "message": "You are not authorized to access this resource."}
    ]
    wrong = requests.get(f"{bc.v3_url}/customers", headers={"X-Auth-Token": "nope"}, timeout=5)
    assert wrong.status_code == 401
    assert wrong.json()["status"] == 401
    assert "nope" not in wrong.text


def test_store_and_time(bc: RunningBigCommerce, http: requests.Session) -> None:
    store = http.get(f"{bc.v2_url}/store", timeout=5).json()
    assert store["id"] == bc.store_hash
    assert store["timezone"]["name"] == "America/Chicago"
    assert isinstance(http.get(f"{bc.v2_url}/time", timeout=5).json()["time"], int)


def test_orders_wire_format(bc: RunningBigCommerce, http: requests.Session) -> None:
    orders = http.get(f"{bc.v2_url}/orders", params={"limit": 5}, timeout=5).json()
    assert [o["id"] for o in orders] == sorted(o["id"] for o in orders)
    first = orders[0]
    assert first["date_created"].endswith(" +0000")
    assert first["total_inc_tax"].count(".") == 1
    assert len(first["total_inc_tax"].split(".")[1]) == 4
    assert len(first["currency_exchange_rate"].split(".")[1]) == 10


def test_empty_v2_page_is_204(bc: RunningBigCommerce, http: requests.Session) -> None:
    response = http.get(f"{bc.v2_url}/orders", params={"page": 99}, timeout=5)
    assert response.status_code == 204
    assert response.content == b""


def test_limit_above_250_is_413(bc: RunningBigCommerce, http: requests.Session) -> None:
    assert http.get(f"{bc.v2_url}/orders", params={"limit": 251}, timeout=5).status_code == 413
    response = http.get(f"{bc.v3_url}/customers", params={"limit": 251}, timeout=5)
    assert response.status_code == 413
    assert response.json()["status"] == 413
