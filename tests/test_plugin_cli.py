"""Each plugin's real CLI documents its settings."""

from __future__ import annotations

import json
import subprocess

import pytest

REQUIRED_SETTINGS = {
    "tap-bigcommerce": {"store_hash", "access_token", "api_url", "start_date"},
    "map-bigcommerce-iterable": {"identity_mode"},
    "target-iterable": {"api_key", "api_url"},
}


@pytest.mark.parametrize("executable", sorted(REQUIRED_SETTINGS))
def test_about_lists_settings(executable: str) -> None:
    about = subprocess.run(
        [executable, "--about", "--format=json"], capture_output=True, text=True, check=True
    )
    info = json.loads(about.stdout)
    assert info["name"] == executable
    assert REQUIRED_SETTINGS[executable] <= set(info["settings"]["properties"])


def test_secrets_are_marked_secret() -> None:
    secrets = (
        ("tap-bigcommerce", "access_token"),
        ("target-iterable", "api_key"),
        # A server URL may carry a password.
        ("map-bigcommerce-iterable", "database_url"),
    )
    for executable, secret in secrets:
        about = subprocess.run(
            [executable, "--about", "--format=json"], capture_output=True, text=True, check=True
        )
        assert json.loads(about.stdout)["settings"]["properties"][secret]["secret"] is True
