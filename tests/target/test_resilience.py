"""Retries, pacing and loud failures against the emulator's faults and rate limits."""

from __future__ import annotations

import time
from email.utils import formatdate
from pathlib import Path

import pytest

from sandbox.common.faults import FaultConfig
from sandbox.iterable.testing import running_iterable
from target_iterable.client import (
    IterableAuthError,
    IterableError,
    IterableUnavailableError,
    _retry_after_seconds,
)

from .helpers import FAST_LIMITS_EMULATOR, purchase, record, run_target, schema, state, user


def _users(n: int) -> list[dict]:
    return [schema("users"), *(record("users", user(i)) for i in range(n))]


def test_429_5xx_and_dropped_connections_are_retried(iterable, make_config) -> None:
    iterable.emulator.faults.configure(
        FaultConfig(script=["503", "drop", "429", "500", "502"], path_contains="bulkUpdate")
    )
    run = run_target(make_config(iterable), [*_users(10), state({"done": True})])

    counts = iterable.emulator.request_counts()
    for status in (503, 429, 500, 502):
        assert counts[f"POST /api/users/bulkUpdate {status}"] == 1
    # The dropped connection had started a 200 answer before closing: 2 = dropped + success.
    assert counts["POST /api/users/bulkUpdate 200"] == 2
    assert len(iterable.emulator.users()) == 10
    assert run.dead_letters == []
    assert run.states == [{"done": True}]


def test_timeouts_are_retried(iterable, make_config) -> None:
    iterable.emulator.faults.configure(
        FaultConfig(script=["slow"], slow_seconds=1.0, path_contains="bulkUpdate")
    )
    run_target(make_config(iterable, request_timeout=0.3), _users(3))
    assert len(iterable.emulator.users()) == 3


def test_exhausted_retries_fail_the_run_naming_the_endpoint(iterable, make_config) -> None:
    iterable.emulator.faults.configure(FaultConfig(error_rate=1.0, path_contains="trackPurchase"))
    messages = [schema("purchases"), record("purchases", purchase(1)), state({"n": 1})]
    with pytest.raises(IterableUnavailableError, match=r"/api/commerce/trackPurchase") as error:
        run_target(make_config(iterable, max_retries=2), messages)
    assert iterable.api_key not in str(error.value)
    attempts = sum(
        n
        for key, n in iterable.emulator.request_counts().items()
        if key.startswith("POST /api/commerce/trackPurchase 5")
    )
    assert attempts == 3  # the first try and 2 retries


def test_no_state_after_a_failed_batch(iterable, make_config, capsys) -> None:
    iterable.emulator.faults.configure(FaultConfig(error_rate=1.0, path_contains="bulkUpdate"))
    with pytest.raises(IterableUnavailableError):
        run_target(make_config(iterable, max_retries=1), [*_users(3), state({"n": 1})])
    assert '{"n": 1}' not in capsys.readouterr().out


def test_a_bad_key_stops_the_run_without_showing_it(iterable, make_config) -> None:
    config = make_config(iterable, api_key="wrong-key-123456")
    with pytest.raises(IterableAuthError, match=r"/api/users/bulkUpdate.*401") as error:
        run_target(config, _users(1))
    assert "wrong-key-123456" not in str(error.value)


def test_rate_limits_are_respected_without_429s(make_config) -> None:
    # Emulator and target at the same 20 requests/s: 15 requests take >= 0.7 s and none is refused.
    limits = {**FAST_LIMITS_EMULATOR, "users/bulkUpdate": 20.0}
    with running_iterable(rate_limits=limits) as it:
        config = make_config(it, users_per_request=100)
        config["rate_limits"]["users_bulk_update"] = 20.0
        started = time.monotonic()
        run_target(config, _users(1500))
        elapsed = time.monotonic() - started
        counts = it.emulator.request_counts()
    assert counts == {"POST /api/users/bulkUpdate 200": 15}
    assert elapsed >= 14 / 20


def test_a_too_fast_setting_backs_off_without_a_429_storm(make_config) -> None:
    # The target is configured 4x faster than the emulator allows: 429s happen, then every
    # sender slows down; all purchases land and 429s stay a minority of the requests.
    limits = {**FAST_LIMITS_EMULATOR, "commerce/trackPurchase": 25.0}
    with running_iterable(rate_limits=limits) as it:
        users = [schema("users"), *(record("users", user(i)) for i in range(40))]
        purchases = [schema("purchases"), *(record("purchases", purchase(i)) for i in range(40))]
        config = make_config(it, retry_initial_delay=0.1, retry_max_delay=1.0, max_retries=10)
        config["rate_limits"]["track_purchase"] = 100.0
        run = run_target(config, users + purchases)
        counts = it.emulator.request_counts()
        assert len(it.emulator.purchases()) == 40
    refused = counts.get("POST /api/commerce/trackPurchase 429", 0)
    assert counts["POST /api/commerce/trackPurchase 200"] == 40
    assert refused <= 15, counts  # a few (about 6 here), not a storm (40+)
    assert run.dead_letters == []


@pytest.mark.parametrize(
    ("header", "expected"),
    [("3", 3.0), ("0.5", 0.5), (None, None), ("soon", None), ("-2", 0.0)],
)
def test_retry_after_header_is_read(header: str | None, expected: float | None) -> None:
    assert _retry_after_seconds(header) == expected


def test_retry_after_http_date_is_read() -> None:
    seconds = _retry_after_seconds(formatdate(time.time() + 30, usegmt=True))
    assert seconds is not None
    assert 25 <= seconds <= 31


def test_a_wrong_api_url_stops_the_run_instead_of_dead_lettering(iterable, make_config) -> None:
    config = make_config(iterable, api_url=iterable.api_url + "/not-iterable")
    with pytest.raises(IterableError, match="check api_url") as error:
        run_target(config, _users(2))
    assert not isinstance(error.value, IterableAuthError)
    assert not Path(config["dead_letter_path"]).exists()
