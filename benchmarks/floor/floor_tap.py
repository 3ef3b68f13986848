"""A do-nothing singer-sdk tap: re-emits the records of a Singer file, stream by stream.

Config: `{"input": "<path of a file our tap wrote>"}`. Each SCHEMA message in the file becomes a
stream with that schema and key properties; its records are the file's records for the stream.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from singer_sdk import Stream, Tap
from singer_sdk import typing as th
from singer_sdk.helpers.types import Context


class FileStream(Stream):
    def __init__(
        self, tap: Tap, name: str, schema: dict[str, Any], keys: list[str], path: Path
    ) -> None:
        super().__init__(tap, schema=schema, name=name)
        self.primary_keys = keys
        self._path = path
        self._marker = f'"stream":"{name}"'

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        with self._path.open() as lines:
            for line in lines:
                if line.startswith('{"type":"RECORD"') and self._marker in line[:80]:
                    yield json.loads(line)["record"]


class FloorTap(Tap):
    name = "floor-tap"
    config_jsonschema = th.PropertiesList(
        th.Property("input", th.StringType, required=True)
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        path = Path(self.config["input"])
        streams: list[Stream] = []
        with path.open() as lines:
            for line in lines:
                if line.startswith('{"type":"SCHEMA"'):
                    message = json.loads(line)
                    streams.append(
                        FileStream(
                            self,
                            message["stream"],
                            message["schema"],
                            message.get("key_properties", []),
                            path,
                        )
                    )
        return streams


if __name__ == "__main__":
    FloorTap.cli()
