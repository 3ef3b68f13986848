"""`sandbox serve` as a real subprocess: both URLs and credentials, serving, stopping on SIGTERM."""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import requests

from sandbox.bigcommerce.inspect import BigCommerceInspector

SANDBOX = str(Path(sys.executable).with_name("sandbox"))


def _read_line(process: subprocess.Popen[str], timeout: float) -> str:
    """The first stdout line, waiting at most `timeout` seconds."""
    assert process.stdout is not None
    selector = selectors.DefaultSelector()
    selector.register(process.stdout, selectors.EVENT_READ)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if selector.select(timeout=deadline - time.monotonic()):
            return process.stdout.readline()
        assert process.poll() is None, "sandbox serve exited early"
    raise AssertionError("sandbox serve printed nothing in time")


def _exercise(described: dict[str, Any]) -> None:
    bc, iterable = described["bigcommerce"], described["iterable"]
    assert set(bc) == {"api_url", "store_hash", "access_token"}
    assert set(iterable) == {"api_url", "api_key"}
    headers = {"X-Auth-Token": bc["access_token"], "Accept": "application/json"}
    base = f"{bc['api_url']}/stores/{bc['store_hash']}"
    orders = requests.get(
        f"{base}/v2/orders", params={"limit": 250, "page": 4}, headers=headers, timeout=10
    )
    assert orders.status_code == 200
    assert orders.json()[-1]["id"] > 900
    assert requests.get(f"{base}/v2/orders", timeout=10).status_code == 401
    with BigCommerceInspector(bc["api_url"]) as inspector:
        assert inspector.summary()["orders"] == 1000
        assert inspector.request_counts()[f"GET /stores/{bc['store_hash']}/v2/orders"] == 2
    lookup = f"{iterable['api_url']}/api/users/getByEmail"
    params = {"email": "nobody@example.com"}
    probe = requests.get(
        lookup, params=params, headers={"Api-Key": iterable["api_key"]}, timeout=10
    )
    assert probe.status_code < 500
    wrong = requests.get(lookup, params=params, headers={"Api-Key": "wrong"}, timeout=10)
    assert wrong.status_code == 401


def test_serve_json_starts_both_emulators() -> None:
    command = [SANDBOX, "serve", "--seed", "1", "--orders", "1000", "--json"]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    ) as process:
        try:
            _exercise(json.loads(_read_line(process, timeout=60)))
        finally:
            process.send_signal(signal.SIGTERM)
            try:
                code = process.wait(timeout=20)
            finally:
                if process.poll() is None:
                    process.kill()
        errors = process.stderr.read() if process.stderr else ""
    assert code == 0, errors


def test_serve_rejects_bad_arguments() -> None:
    bad = subprocess.run(
        [SANDBOX, "serve", "--orders", "-5"], capture_output=True, text=True, check=False
    )
    assert bad.returncode == 2
    assert "--orders" in bad.stderr


def test_serve_prints_urls_and_credentials_for_people() -> None:
    command = [SANDBOX, "serve", "--orders", "10", "--project-type", "hybrid"]
    environment = {**os.environ, "PYTHONUNBUFFERED": "1"}
    with subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=environment
    ) as process:
        assert process.stdout is not None
        try:
            # The banner is written at once: after its first line, the rest is there.
            lines = [_read_line(process, timeout=60)]
            lines += [process.stdout.readline() for _ in range(8)]
        finally:
            process.send_signal(signal.SIGINT)
            code = process.wait(timeout=20)
    text = "".join(lines)
    assert "access_token: sandbox-bc-token" in text
    assert "api_key:      sandbox-iterable-key" in text
    assert "project type hybrid" in text
    assert text.count("http://127.0.0.1:") >= 3
    assert code == 0
