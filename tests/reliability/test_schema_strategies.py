"""What `schema_strategies.strategy_of` draws for every endpoint the tap reads is valid against
the endpoint's schema, in both readings (the fuzz tests rely on it: a record they serve as
spec-valid must be)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .spec_pages import ENDPOINTS, Endpoint, record_schema, records

pytestmark = pytest.mark.reliability


@pytest.mark.parametrize("documented", [True, False], ids=["documented", "raw"])
@pytest.mark.parametrize("endpoint", ENDPOINTS, ids=lambda endpoint: endpoint.route)
def test_drawn_records_are_valid_against_the_schema(
    endpoint: Endpoint, documented: bool, bigcommerce_specs: Path
) -> None:
    schema = record_schema(bigcommerce_specs, endpoint, documented)
    validator = jsonschema.validators.validator_for(schema)(schema)

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def drawn_record_is_valid(data: st.DataObject) -> None:
        record: Any = data.draw(records(bigcommerce_specs, endpoint, documented))
        errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(record)]
        assert errors == []

    drawn_record_is_valid()
