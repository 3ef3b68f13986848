"""singer-sdk's standard target tests that apply, curated as target-postgres does.

The standard streams (`test_camelcase`, `test:SpecialChars!in?attributes`, ...) map to no Iterable
operation, so this suite runs with `unknown_streams: dead_letter`: it checks the Singer plumbing
(schemas, records, state, key properties, encodings) end to end without sending anything.
Excluded, and why:
- TargetMultipleStateMessages: expects the SDK sample target's checkpoints after every 2 records;
  this target emits STATE once the batches before it are settled, which its own tests check.
- TargetRecordMissingRequiredProperty: the SDK suite expects nothing in particular; our own
  contract tests check required properties produce dead letters.
Our own `.singer` fixture with every operation runs through the same runner below
(`TargetIterableOperations`), against the Iterable emulator.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from singer_sdk.testing import SuiteConfig, TargetTestRunner, get_target_test_class
from singer_sdk.testing.suites import SingerTestSuite
from singer_sdk.testing.target_tests import (
    TargetArrayData,
    TargetCamelcaseComplexSchema,
    TargetCamelcaseTest,
    TargetCliPrintsTest,
    TargetDuplicateRecords,
    TargetEncodedStringData,
    TargetInvalidSchemaTest,
    TargetNoPrimaryKeys,
    TargetOptionalAttributes,
    TargetPrimaryKeyUpdates,
    TargetRecordBeforeSchemaTest,
    TargetRecordMissingKeyProperty,
    TargetRecordMissingOptionalFields,
    TargetSchemaNoProperties,
    TargetSchemaUpdates,
    TargetSpecialCharsInAttributes,
)
from singer_sdk.testing.templates import TargetFileTestTemplate

from sandbox.iterable.testing import RunningIterable, running_iterable
from target_iterable.target import TargetIterable

from .helpers import DATA_DIR, FAST_LIMITS_EMULATOR, FAST_LIMITS_TARGET

STANDARD_TESTS = [
    TargetArrayData,
    TargetCamelcaseComplexSchema,
    TargetCamelcaseTest,
    TargetCliPrintsTest,
    TargetDuplicateRecords,
    TargetEncodedStringData,
    TargetInvalidSchemaTest,
    TargetNoPrimaryKeys,
    TargetOptionalAttributes,
    TargetPrimaryKeyUpdates,
    TargetRecordBeforeSchemaTest,
    TargetRecordMissingKeyProperty,
    TargetRecordMissingOptionalFields,
    TargetSchemaNoProperties,
    TargetSchemaUpdates,
    TargetSpecialCharsInAttributes,
]


class TargetIterableOperations(TargetFileTestTemplate):
    """Every operation once, from `tests/target/data/operations.singer`, into the emulator."""

    name = "iterable_operations"

    @property
    def singer_filepath(self) -> Path:  # type: ignore[override]
        return DATA_DIR / "operations.singer"

    def validate(self) -> None:
        emulator = self.resource.emulator
        assert emulator.user(email="ada@example.com") is not None
        assert [p["id"] for p in emulator.purchases()] == ["order-100"]
        assert sorted(emulator.catalog_items("products")) == ["111", "112"]


def _config(running: RunningIterable, tmp_path: Path) -> dict[str, Any]:
    return {
        "api_key": running.api_key,
        "api_url": running.api_url,
        "unknown_streams": "dead_letter",
        "dead_letter_path": str(tmp_path / "dead-letters-{run_id}.jsonl"),
        "database_url": f"sqlite:///{tmp_path / 'ledger.sqlite'}",
        "rate_limits": FAST_LIMITS_TARGET,
    }


StandardTests = get_target_test_class(
    TargetIterable,
    # Each test's runner below points at its own emulator (and ledger); this one sends nothing.
    config={"api_key": "unused", "database_url": "sqlite://"},
    custom_suites=[
        SingerTestSuite(kind="target", tests=[*STANDARD_TESTS, TargetIterableOperations])
    ],
    include_target_tests=False,
)


class TestTargetIterable(StandardTests):  # type: ignore[misc, valid-type]
    @pytest.fixture
    def resource(self) -> Iterator[RunningIterable]:
        with running_iterable(rate_limits=FAST_LIMITS_EMULATOR) as running:
            yield running

    @pytest.fixture
    def runner(self, resource: RunningIterable, tmp_path: Path) -> TargetTestRunner:
        return TargetTestRunner(
            target_class=TargetIterable,
            config=_config(resource, tmp_path),
            suite_config=SuiteConfig(),
            parse_env_config=False,
        )
