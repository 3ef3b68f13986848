"""The input contract schemas are valid draft-07 and accept/reject the right records."""

from __future__ import annotations

import jsonschema
import pytest

from target_iterable.contract import OPERATIONS, operation_schema


@pytest.mark.parametrize("operation", OPERATIONS)
def test_schema_is_valid_draft7(operation: str) -> None:
    jsonschema.Draft7Validator.check_schema(operation_schema(operation))


def test_event_needs_an_identity_and_an_id() -> None:
    validator = jsonschema.Draft7Validator(operation_schema("events"))
    assert validator.is_valid({"email": "a@b.co", "eventName": "x", "id": "1"})
    assert not validator.is_valid({"eventName": "x", "id": "1"})
    assert not validator.is_valid({"email": "a@b.co", "eventName": "x"})


def test_user_id_is_at_most_52_printable_ascii() -> None:
    validator = jsonschema.Draft7Validator(operation_schema("users"))
    assert validator.is_valid({"userId": "x" * 52})
    assert not validator.is_valid({"userId": "x" * 53})
    assert not validator.is_valid({"userId": "caf\u00e9"})
    assert not validator.is_valid({"userId": ""})


def test_field_names_without_periods() -> None:
    validator = jsonschema.Draft7Validator(operation_schema("users"))
    assert not validator.is_valid({"email": "a@b.co", "dataFields": {"a.b": 1}})


def test_unknown_operation_is_named() -> None:
    with pytest.raises(ValueError, match="nope"):
        operation_schema("nope")
