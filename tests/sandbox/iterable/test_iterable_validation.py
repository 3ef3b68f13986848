"""The two Swagger validators (fast path and detailed errors) must agree on every body."""

from __future__ import annotations

import fastjsonschema
from hypothesis import given, settings
from hypothesis import strategies as st

from sandbox.iterable.validation import _fast_validator, swagger_errors

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
    ),
    max_leaves=8,
)
track_fields = st.fixed_dictionaries(
    {},
    optional={
        "email": json_values,
        "eventName": json_values,
        "id": json_values,
        "createdAt": json_values,
        "dataFields": json_values,
        "campaignId": json_values,
    },
)
bodies = st.one_of(
    json_values,
    track_fields,
    st.fixed_dictionaries({"events": st.lists(track_fields, max_size=3)}),
)


def _fast_accepts(definition: str, body: object) -> bool:
    try:
        _fast_validator(definition)(body)
    except fastjsonschema.JsonSchemaValueException:
        return False
    return True


@settings(max_examples=300, deadline=None)
@given(body=bodies)
def test_fast_and_detailed_validators_agree(body: object) -> None:
    for definition in ("TrackRequest", "BulkTrackRequest"):
        assert _fast_accepts(definition, body) == (swagger_errors(definition, body) == {})
