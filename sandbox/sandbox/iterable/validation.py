"""Checks request bodies against the vendored Swagger definitions (`spec/api-docs.json`).

Swagger 2.0 schemas are JSON Schema draft 4, so the definitions are validated as they are.
A compiled fastjsonschema validator answers the common case (a valid body) quickly; only a body it
rejects is walked with jsonschema to list every error. Errors are reported the way Iterable's
Play-JSON backend does: `{"obj.events[1].createdAt": "Number value expected"}` under code
`BadJsonBody`; one bad element rejects the whole request.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from importlib import resources
from typing import Any

import fastjsonschema
from jsonschema import Draft4Validator
from jsonschema.exceptions import ValidationError

from sandbox.iterable.errors import bad_json

# What Play JSON says when a value has the wrong JSON type (the two recorded ones: Number, Boolean).
_EXPECTED = {
    "string": "String value expected",
    "number": "Number value expected",
    "integer": "Number value expected",
    "boolean": "Boolean value expected",
    "object": "Object value expected",
    "array": "Array value expected",
}


@cache
def swagger() -> dict[str, Any]:
    text = resources.files("sandbox.iterable").joinpath("spec/api-docs.json").read_text("utf-8")
    spec: dict[str, Any] = json.loads(text)
    return spec


def _schema(definition: str) -> dict[str, Any]:
    definitions = swagger()["definitions"]
    if definition not in definitions:
        msg = f"No Swagger definition named {definition!r}"
        raise KeyError(msg)
    return {
        "$schema": "http://json-schema.org/draft-04/schema#",
        "$ref": f"#/definitions/{definition}",
        "definitions": definitions,
    }


@cache
def _validator(definition: str) -> Draft4Validator:
    return Draft4Validator(_schema(definition))


@cache
def _fast_validator(definition: str) -> Callable[[Any], Any]:
    validate: Callable[[Any], Any] = fastjsonschema.compile(_schema(definition))
    return validate


def _location(error: ValidationError) -> str:
    location = "obj"
    for part in error.absolute_path:
        location += f"[{part}]" if isinstance(part, int) else f".{part}"
    return location


def _message(error: ValidationError) -> tuple[str, str]:
    if error.validator == "required":
        # jsonschema reports the parent; Play JSON names the missing path itself.
        missing = str(error.message).split("'")[1]
        return f"{_location(error)}.{missing}", "Missing required field"
    if error.validator == "type":
        expected = error.validator_value
        if expected == "integer" and isinstance(error.instance, float):
            return _location(error), "Integer value expected (got a fractional number)"
        return _location(error), _EXPECTED.get(str(expected), f"{expected} value expected")
    return _location(error), str(error.message)


def swagger_errors(definition: str, body: Any) -> dict[str, str]:
    """Every place where `body` breaks the Swagger definition, Iterable-style."""
    errors: dict[str, str] = {}
    for error in _validator(definition).iter_errors(body):
        location, message = _message(error)
        errors.setdefault(location, message)
    return errors


def validate_body(endpoint: str, definition: str, body: Any) -> None:
    """Raise Iterable's 400 BadJsonBody when `body` does not match `definition`."""
    try:
        _fast_validator(definition)(body)
    except fastjsonschema.JsonSchemaValueException:
        pass
    else:
        return
    errors = swagger_errors(definition, body)
    if errors:
        raise bad_json(endpoint, dict(sorted(errors.items())))
