"""The private singer-sdk members the target still needs, pinned: an SDK upgrade that renames or
reshapes one fails here, naming it, instead of silently breaking STATE ordering or draining.

Used by `target_iterable.target` (drain stages, STATE gating) and `target_iterable.sinks` (records
go to Iterable as received, no datetime parsing).
"""

from __future__ import annotations

import inspect

import pytest
from singer_sdk import Target
from singer_sdk.sinks import BatchSink

from target_iterable.sinks import SINKS, IterableSink
from target_iterable.target import TargetIterable

TARGET_METHODS = {
    "_drain_all": ["self", "sink_list", "parallelism"],
    "_process_state_message": ["self", "message_dict"],
    "_process_record_message": ["self", "message_dict"],
    "_process_batch_message": ["self", "message_dict"],
    "_write_state_message": ["self", "state"],
    "drain_one": ["self", "sink"],
}
TARGET_ATTRIBUTES = ("_sinks_to_clear", "_sinks_active", "_latest_state", "_last_full_drain_at")
SINK_METHODS = {"_parse_timestamps_in_record": ["self", "record", "schema", "treatment"]}


@pytest.mark.parametrize(("name", "parameters"), TARGET_METHODS.items())
def test_target_methods_keep_their_shape(name: str, parameters: list[str]) -> None:
    method = getattr(Target, name, None)
    assert method is not None, f"singer_sdk.Target.{name} is gone"
    assert list(inspect.signature(method).parameters) == parameters


@pytest.mark.parametrize(("name", "parameters"), SINK_METHODS.items())
def test_sink_methods_keep_their_shape(name: str, parameters: list[str]) -> None:
    method = getattr(BatchSink, name, None)
    assert method is not None, f"singer_sdk BatchSink.{name} is gone"
    assert list(inspect.signature(method).parameters) == parameters


def test_target_attributes_exist(make_config, iterable) -> None:
    target = TargetIterable(config=make_config(iterable))
    for name in TARGET_ATTRIBUTES:
        assert hasattr(target, name), f"singer_sdk.Target no longer sets {name}"
    target.runtime.close()


def test_one_sink_class_per_operation(make_config, iterable) -> None:
    target = TargetIterable(
        config=make_config(iterable, stream_operations={"warehouse_people": "users"})
    )
    assert {op: target.get_sink_class(op) for op in SINKS} == SINKS
    assert target.get_sink_class("warehouse_people") is SINKS["users"]
    assert len(set(SINKS.values())) == len(SINKS)
    assert all(issubclass(sink, IterableSink) for sink in SINKS.values())
    target.runtime.close()
