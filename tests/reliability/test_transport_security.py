"""TLS stays on, and no credential is ever sent over plain http except to this machine.

`api_url` of the tap and of the target (and the webhook `register` command's URLs) accept
`https://`, or `http://` only to a loopback address (127.0.0.0/8, ::1, localhost: the sandbox).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from singer_sdk.exceptions import ConfigValidationError

from tap_bigcommerce.api import PacedSession
from tap_bigcommerce.pacing import RateLimitPacer
from tap_bigcommerce.tap import TapBigCommerce
from tap_bigcommerce.webhooks.cli import SECRET_ENV
from target_iterable.target import TargetIterable

from .pipeline import executable

pytestmark = pytest.mark.reliability
REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("tap-bigcommerce", "target-iterable", "transforms", "sandbox")
LOOPBACK = ["http://127.0.0.1:8701", "http://127.9.9.9", "http://localhost:1", "http://[::1]:8702"]
REFUSED = ["http://api.bigcommerce.com", "http://10.0.0.5:8080", "http://localhost.evil.com"]


def tap_config(api_url: str) -> dict:
    return {"store_hash": "abc123", "access_token": "t0ken", "api_url": api_url}


def target_config(api_url: str, tmp_path: Path) -> dict:
    return {
        "api_key": "k3y",
        "api_url": api_url,
        "dead_letter_path": str(tmp_path / "dl.jsonl"),
        "database_url": f"sqlite:///{tmp_path / 'ledger.sqlite'}",
    }


@pytest.mark.parametrize("api_url", REFUSED)
def test_tap_refuses_plain_http_off_this_machine(api_url: str) -> None:
    with pytest.raises(ConfigValidationError) as error:
        TapBigCommerce(config=tap_config(api_url))
    assert "api_url must use https://" in " ".join(error.value.errors)


@pytest.mark.parametrize("api_url", REFUSED)
def test_target_refuses_plain_http_off_this_machine(api_url: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigValidationError) as error:
        TargetIterable(config=target_config(api_url, tmp_path))
    assert "api_url must use https://" in " ".join(error.value.errors)


@pytest.mark.parametrize("api_url", [*LOOPBACK, "https://api.example.com"])
def test_https_and_loopback_http_are_accepted(api_url: str, tmp_path: Path) -> None:
    assert TapBigCommerce(config=tap_config(api_url)).config["api_url"] == api_url
    target = TargetIterable(config=target_config(api_url, tmp_path))
    assert target.runtime.settings.api_url == api_url


@pytest.mark.parametrize(
    ("argument", "value", "named"),
    [
        ("--destination", "http://hooks.example.com/bc", "--destination"),
        ("api_url", "http://api.bigcommerce.com", "api_url"),
    ],
)
def test_webhook_register_refuses_plain_http(
    tmp_path: Path, argument: str, value: str, named: str
) -> None:
    config = tap_config("https://api.bigcommerce.com")
    destination = "https://hooks.example.com/bc"
    if argument == "api_url":
        config["api_url"] = value
    else:
        destination = value
    path = tmp_path / "config.json"
    path.write_text(json.dumps(config))
    result = subprocess.run(
        [executable("tap-bigcommerce-webhooks"), "register", "--config", str(path),
         "--destination", destination],
        env={**os.environ, SECRET_ENV: "hook-secret-value"},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode == 2
    assert f"{named} must" in result.stderr
    assert "hook-secret-value" not in result.stdout + result.stderr


def test_certificate_verification_is_never_disabled() -> None:
    """No source turns verification off, and the sessions the plugins use keep it on."""
    switch_off = re.compile(
        r"verify\s*=\s*False|CERT_NONE|_create_unverified_context|PYTHONHTTPSVERIFY"
    )
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for package in PACKAGES
        for path in (REPO / package).rglob("*.py")
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if switch_off.search(line)
    ]
    assert offenders == []
    assert PacedSession(RateLimitPacer()).verify is True
