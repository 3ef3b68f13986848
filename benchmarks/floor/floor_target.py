"""A do-nothing singer-sdk target: accepts every stream, validates each record against its
SCHEMA (the SDK's default), and drops it."""

from __future__ import annotations

from typing import Any

from singer_sdk import RecordSink, Target
from singer_sdk import typing as th


class DropSink(RecordSink):
    def process_record(self, record: dict[str, Any], context: dict[str, Any]) -> None:
        """Nothing to write: the cost measured is the SDK's, up to this call."""


class FloorTarget(Target):
    name = "floor-target"
    config_jsonschema = th.PropertiesList().to_dict()
    default_sink_class = DropSink


if __name__ == "__main__":
    FloorTarget.cli()
