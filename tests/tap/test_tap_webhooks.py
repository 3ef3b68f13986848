"""The webhook receiver over real HTTP: authentication, bounds, dedupe, durability."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from sandbox.common.server import serve_in_thread
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.app import DEFAULT_PATH, build_app
from tap_bigcommerce.webhooks.auth import WebhookAuthenticator, sign, signing_key

SECRET = "header-secret-for-tests"
SIGNING_SECRET = "client-secret-for-tests"
HEADER = "X-Webhook-Secret"


def delivery(number: int = 1, scope: str = "store/cart/updated") -> dict[str, Any]:
    return {
        "scope": scope,
        "store_id": "1001",
        "data": {"type": "cart", "id": f"cart-{number}"},
        "hash": f"{number:040x}",
        "created_at": 1735689600 + number,
        "producer": "stores/sandbox1",
    }


@pytest.fixture
def inbox(tmp_path: Path) -> Iterator[Inbox]:
    store = Inbox(f"sqlite:///{tmp_path / 'inbox.sqlite'}")
    yield store
    store.close()


def receiver_url(inbox: Inbox, **auth: Any) -> Any:
    authenticator = WebhookAuthenticator(header_name=HEADER, **auth)
    return serve_in_thread(build_app(inbox, authenticator, max_body_bytes=4096))


def post(url: str, body: bytes | dict[str, Any], **headers: str) -> requests.Response:
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return requests.post(
        f"{url}{DEFAULT_PATH}",
        data=data,
        headers={"Content-Type": "application/json", **headers},
        timeout=5,
    )


def test_header_secret_is_required(inbox: Inbox) -> None:
    with receiver_url(inbox, header_secret=SECRET) as server:
        missing = post(server.url, delivery())
        wrong = post(server.url, delivery(), **{HEADER: "not-the-secret"})
        right = post(server.url, delivery(), **{HEADER: SECRET})
    assert missing.status_code == 401
    assert wrong.status_code == 401
    assert SECRET not in missing.text + wrong.text
    assert right.status_code == 200
    assert right.content == b""
    assert inbox.count() == 1


def _signed_headers(
    body: bytes, *, timestamp: int | None = None, key: str = SIGNING_SECRET
) -> dict:
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        "webhook-id": "msg_1",
        "webhook-timestamp": str(stamp),
        "webhook-signature": sign(signing_key(key), "msg_1", stamp, body),
    }


def test_standard_webhooks_signatures_are_verified_where_present(inbox: Inbox) -> None:
    body = json.dumps(delivery(1)).encode()
    with receiver_url(inbox, header_secret=SECRET, signing_secret=SIGNING_SECRET) as server:
        good = post(server.url, body, **{HEADER: SECRET}, **_signed_headers(body))
        forged = post(
            server.url, body, **{HEADER: SECRET}, **_signed_headers(body, key="someone-else")
        )
        tampered = post(
            server.url,
            json.dumps(delivery(2)).encode(),
            **{HEADER: SECRET},
            **_signed_headers(body),
        )
        replayed = post(
            server.url, body, **{HEADER: SECRET}, **_signed_headers(body, timestamp=1_000_000)
        )
        unsigned = post(server.url, json.dumps(delivery(3)).encode(), **{HEADER: SECRET})
    assert good.status_code == 200
    assert forged.status_code == 401
    assert tampered.status_code == 401
    assert replayed.status_code == 401
    assert unsigned.status_code == 200  # signatures are checked where present
    assert inbox.count() == 2


def test_signature_only_receiver_requires_a_signature(inbox: Inbox) -> None:
    body = json.dumps(delivery(1)).encode()
    with receiver_url(inbox, signing_secret=SIGNING_SECRET) as server:
        unsigned = post(server.url, body)
        signed = post(server.url, body, **_signed_headers(body))
    assert unsigned.status_code == 401
    assert signed.status_code == 200


def test_duplicates_are_stored_once_but_distinct_events_are_kept(inbox: Inbox) -> None:
    with receiver_url(inbox, header_secret=SECRET) as server:
        first = post(server.url, delivery(7), **{HEADER: SECRET})
        again = post(server.url, delivery(7), **{HEADER: SECRET})
        # Same `data` (so the same hash) but another event of the same cart: kept.
        other = {**delivery(7, scope="store/cart/created"), "created_at": 1735689000}
        third = post(server.url, other, **{HEADER: SECRET})
    assert [first.status_code, again.status_code, third.status_code] == [200, 200, 200]
    assert inbox.count() == 2
    assert [event.scope for event in inbox.read_after(0)] == [
        "store/cart/updated",
        "store/cart/created",
    ]


@pytest.mark.parametrize(
    ("body", "content_type", "status"),
    [
        (b"x" * 5000, "application/json", 413),
        (b'{"scope": "store/cart/updated", "hash": ', "application/json", 400),
        (b"\xff\xfe not utf-8", "application/json", 400),
        (json.dumps({"scope": "store/cart/updated", "data": {}}).encode(), "application/json", 422),
        (json.dumps([1, 2]).encode(), "application/json", 422),
        (json.dumps(delivery()).encode(), "text/plain", 415),
        # Found by tests/reliability/test_fuzz.py: a created_at beyond 64 bits was a 500.
        (json.dumps({**delivery(), "created_at": 2**64}).encode(), "application/json", 422),
    ],
    ids=[
        "oversize",
        "truncated-json",
        "not-utf8",
        "no-hash",
        "not-an-object",
        "not-json-type",
        "created-at-beyond-64-bits",
    ],
)
def test_bad_bodies_are_rejected_with_clear_statuses(
    inbox: Inbox, body: bytes, content_type: str, status: int
) -> None:
    with receiver_url(inbox, header_secret=SECRET) as server:
        response = requests.post(
            f"{server.url}{DEFAULT_PATH}",
            data=body,
            headers={"Content-Type": content_type, HEADER: SECRET},
            timeout=5,
        )
    assert response.status_code == status
    assert response.json()["detail"]
    if status == 422 and b"created_at" in body:
        assert "created_at" in response.json()["detail"]
    assert inbox.count() == 0


def test_oversize_chunked_body_is_rejected(inbox: Inbox) -> None:
    def chunks() -> Iterator[bytes]:
        for _ in range(10):
            yield b"x" * 1000

    with receiver_url(inbox, header_secret=SECRET) as server:
        response = requests.post(
            f"{server.url}{DEFAULT_PATH}",
            data=chunks(),
            headers={"Content-Type": "application/json", HEADER: SECRET},
            timeout=5,
        )
    assert response.status_code == 413


def test_receiver_needs_a_secret() -> None:
    with pytest.raises(ValueError, match="secret"):
        WebhookAuthenticator()


def test_unwritable_inbox_answers_503_so_bigcommerce_retries(inbox: Inbox) -> None:
    with receiver_url(inbox, header_secret=SECRET) as server:
        with inbox.engine.begin() as connection:
            connection.exec_driver_sql("DROP TABLE bigcommerce_webhook_events")
        response = post(server.url, delivery(), **{HEADER: SECRET})
    assert response.status_code == 503
    assert "retry" in response.json()["detail"]
