"""The per-endpoint pacer: spacing, one cut per wave of 429s, gradual recovery."""

from __future__ import annotations

import time

from target_iterable.rate_limit import Pacer


def test_requests_are_spaced_by_the_rate() -> None:
    pacer = Pacer(50.0)
    started = time.monotonic()
    for _ in range(6):
        pacer.wait()
    assert time.monotonic() - started >= 5 / 50


def test_429s_of_requests_in_flight_cut_the_rate_once() -> None:
    pacer = Pacer(100.0)
    sent_before_cut = time.monotonic()
    pacer.rate_limited(0.0, sent_before_cut)
    pacer.rate_limited(0.0, sent_before_cut)  # same wave: no second cut
    assert pacer.rate == 50.0
    pacer.rate_limited(0.0, time.monotonic() + 1)  # a request sent after the cut
    assert pacer.rate == 25.0


def test_a_429_pauses_every_sender() -> None:
    pacer = Pacer(1000.0)
    pacer.rate_limited(0.2, time.monotonic())
    assert pacer.wait() >= 0.15


def test_the_rate_grows_back_but_not_past_the_setting() -> None:
    pacer = Pacer(100.0)
    pacer.rate_limited(0.0, time.monotonic())
    time.sleep(0.2)
    pacer.succeeded()
    assert 50.0 < pacer.rate < 100.0
    time.sleep(1.9)
    pacer.succeeded()
    assert pacer.rate == 100.0
