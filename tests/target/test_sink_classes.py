"""The target has one Sink class per Iterable operation, chosen in `get_sink_class` (the private
singer-sdk members it still needs are pinned in tests/distribution/test_sdk_private_members.py)."""

from __future__ import annotations

from target_iterable.sinks import SINKS, IterableSink
from target_iterable.target import TargetIterable


def test_one_sink_class_per_operation(make_config, iterable) -> None:
    target = TargetIterable(
        config=make_config(iterable, stream_operations={"warehouse_people": "users"})
    )
    assert {op: target.get_sink_class(op) for op in SINKS} == SINKS
    assert target.get_sink_class("warehouse_people") is SINKS["users"]
    assert len(set(SINKS.values())) == len(SINKS)
    assert all(issubclass(sink, IterableSink) for sink in SINKS.values())
    target.runtime.close()
