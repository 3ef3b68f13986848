"""CI and long variants of the reliability suite: one switch, `RELIABILITY_LONG=1`.

`make reliability` runs the long variant and regenerates docs/RELIABILITY.md from the outcomes
the tests record (`RELIABILITY_RESULTS` names the JSON file they append to).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

LONG = os.environ.get("RELIABILITY_LONG", "") == "1"
RESULTS_ENV = "RELIABILITY_RESULTS"


@dataclass(frozen=True)
class Sizes:
    orders: int
    carts: int
    kill_seeds: tuple[int, ...]
    kills_per_seed: int
    fuzz_examples: int
    # The spec-driven fuzzing (test_spec_fuzz.py): hypothesis examples per stream and property,
    # each a page of up to `spec_page_records` records per list endpoint, read by one tap run.
    spec_examples: int
    spec_page_records: int


SIZES = (
    Sizes(
        orders=3000,
        carts=120,
        kill_seeds=tuple(range(1, 11)),
        kills_per_seed=2,
        fuzz_examples=3000,
        spec_examples=100,
        spec_page_records=10,
    )
    if LONG
    else Sizes(
        orders=500,
        carts=30,
        kill_seeds=(1, 2, 3),
        kills_per_seed=1,
        fuzz_examples=60,
        spec_examples=8,
        spec_page_records=10,
    )
)
