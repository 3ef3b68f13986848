"""CI and long variants of the reliability suite: one switch, `RELIABILITY_LONG=1`.

`make reliability` runs the long variant and regenerates docs/RELIABILITY.md from the outcomes
the tests record (`RELIABILITY_RESULTS` names the JSON file they append to).

`SPEC_FUZZ_SMOKE=1` shrinks the spec-driven fuzzing to a few examples per property: for
tests/specs/test_specs_in_a_clone.py, which runs every spec-reading test again in a clone to show
that the clone has the spec files they read (the fuzzing itself runs in the suite; twice at full
size, it made that test the last of CI by ~4 minutes).
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

LONG = os.environ.get("RELIABILITY_LONG", "") == "1"
SPEC_FUZZ_SMOKE = os.environ.get("SPEC_FUZZ_SMOKE", "") == "1"
RESULTS_ENV = "RELIABILITY_RESULTS"


@dataclass(frozen=True)
class Sizes:
    orders: int
    carts: int
    kill_seeds: tuple[int, ...]
    kills_per_seed: int
    fuzz_examples: int
    # The spec-driven fuzzing (test_spec_fuzz.py): records of each stream's own endpoint that
    # each per-stream property reads at least (its examples: enough pages of up to
    # `spec_page_records` records, fewer for heavy records, to hold that many; see
    # `spec_pages.page_size` and `least_records`),
    # and the examples of the whole-store property (every endpoint's page, through the mapper
    # and the target).
    spec_records: int
    spec_page_records: int
    spec_store_examples: int


SIZES = (
    Sizes(
        orders=3000,
        carts=120,
        kill_seeds=tuple(range(1, 11)),
        kills_per_seed=2,
        fuzz_examples=3000,
        spec_records=1000,
        spec_page_records=20,
        spec_store_examples=20,
    )
    if LONG
    else Sizes(
        orders=500,
        carts=30,
        kill_seeds=(1, 2, 3),
        kills_per_seed=1,
        fuzz_examples=60,
        spec_records=300,
        spec_page_records=20,
        spec_store_examples=4,
    )
)
if SPEC_FUZZ_SMOKE:
    SIZES = dataclasses.replace(SIZES, spec_records=20, spec_store_examples=1)
