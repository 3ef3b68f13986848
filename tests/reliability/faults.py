"""The injected faults of the fault matrix, one row each (docs/RELIABILITY.md lists them).

SIGKILL-and-resume (`test_kill_and_resume.py`), 429s that carry rate-limit headers (another app
spending the quota, `test_fault_matrix.py`) and the killed webhook receiver
(`test_webhook_redelivery.py`) are driven by their own tests.
"""

from __future__ import annotations

from dataclasses import dataclass

from sandbox.common.faults import FaultConfig


@dataclass(frozen=True)
class Fault:
    kind: str
    side: str  # "bigcommerce" or "iterable"
    config: FaultConfig
    description: str


FAULTS = [
    Fault(
        "bigcommerce-5xx-bursts",
        "bigcommerce",
        FaultConfig(seed=11, error_rate=0.08, script=["500", "503", "502", "504"]),
        "500/502/503/504 answers, a burst of 4 first, then 8% of requests",
    ),
    Fault(
        "bigcommerce-429-without-headers",
        "bigcommerce",
        FaultConfig(seed=12, burst_rate=0.04, burst_length=3),
        "load shedding: bursts of 3 header-less 429s",
    ),
    Fault(
        "bigcommerce-slow-past-timeout",
        "bigcommerce",
        FaultConfig(seed=13, slow_rate=0.02, slow_seconds=1.3),
        "2% of answers 1.3 s late, past the tap's 1 s timeout",
    ),
    Fault(
        "bigcommerce-dropped-mid-page",
        "bigcommerce",
        FaultConfig(seed=14, drop_rate=0.06),
        "6% of connections closed after the first bytes of the page",
    ),
    Fault(
        "iterable-5xx-bursts",
        "iterable",
        FaultConfig(seed=21, error_rate=0.05, script=["503", "500", "502"]),
        "500/502/503 answers, a burst of 3 first, then 5% of requests",
    ),
    Fault(
        "iterable-429-storms",
        "iterable",
        FaultConfig(seed=22, burst_rate=0.01, burst_length=6),
        "storms of 6 header-less 429s",
    ),
    Fault(
        "iterable-dropped-connections",
        "iterable",
        FaultConfig(seed=23, drop_rate=0.04),
        "4% of connections closed mid-answer",
    ),
    Fault(
        "iterable-slow-past-timeout",
        "iterable",
        FaultConfig(seed=24, slow_rate=0.02, slow_seconds=1.5),
        "2% of answers 1.5 s late, past the target's 1 s timeout (then applied: upserts)",
    ),
]

# Faults driven by their own tests, by the kind they record.
OTHER_FAULT_KINDS = {
    "bigcommerce-429-with-headers": "another app spends the store's quota: 429s with reset headers",
    "pipeline-sigkill-and-resume": "SIGKILL of tap, mapper and target at a seeded point, resumed "
    "from the last STATE the target emitted",
    "webhook-receiver-killed-and-redelivered": "the receiver SIGKILLed right after answering; "
    "BigCommerce retries and sends some deliveries twice",
}
