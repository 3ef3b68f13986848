"""The per-endpoint pacer: spacing, one cut per wave of 429s, gradual recovery.

A fake clock moves time forward, so nothing here depends on how busy the machine is.
"""

from __future__ import annotations

import pytest

from target_iterable.rate_limit import Pacer


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _pacer(rate: float) -> tuple[Pacer, FakeClock]:
    clock = FakeClock()
    return Pacer(rate, clock=clock, sleep=clock.sleep), clock


def test_requests_are_spaced_by_the_rate() -> None:
    pacer, clock = _pacer(50.0)
    started = clock.now
    waits = [pacer.wait() for _ in range(6)]
    assert waits[0] == 0.0
    assert clock.now - started == pytest.approx(5 / 50)


def test_429s_of_requests_in_flight_cut_the_rate_once() -> None:
    pacer, clock = _pacer(100.0)
    sent_before_cut = clock.now
    pacer.rate_limited(0.0, sent_before_cut)
    pacer.rate_limited(0.0, sent_before_cut)  # same wave: no second cut
    assert pacer.rate == 50.0
    pacer.rate_limited(0.0, clock.now + 1)  # a request sent after the cut
    assert pacer.rate == 25.0


def test_a_429_pauses_every_sender() -> None:
    pacer, clock = _pacer(1000.0)
    pacer.rate_limited(0.2, clock.now)
    assert pacer.wait() == pytest.approx(0.2)


def test_the_rate_grows_back_but_not_past_the_setting() -> None:
    pacer, clock = _pacer(100.0)
    pacer.rate_limited(0.0, clock.now)
    assert pacer.rate == 50.0
    clock.sleep(0.2)
    pacer.succeeded()
    assert pacer.rate == pytest.approx(50.0 * 1.1)  # +50% a second, for 0.2 s
    clock.sleep(1.9)
    pacer.succeeded()
    assert pacer.rate == 100.0
