"""The Singer reader, refusing a line that is no well-formed message with a clear error.

singer-sdk's reader accepts any JSON on a line: `null` or `1` then fails with a TypeError from
its own key check, and the mapper's base class reads `record` and `stream` without checking them
(a KeyError). Both found by fuzzing the readers; each now fails naming the line and what is
missing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import IO, cast

from singer_sdk.io_base import SingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine

from .idle_input import Flusher, IdleAwareLines

# Keys each message type needs, and those of them that must be JSON objects.
REQUIRED_KEYS = {
    "SCHEMA": {"stream", "schema"},
    "RECORD": {"stream", "record"},
    "STATE": {"value"},
    "ACTIVATE_VERSION": {"stream", "version"},
}
OBJECT_KEYS = ("schema", "record")


class MessageLinesReader(SingerReader):
    # Set by a plugin that holds messages: flushed when stdin goes quiet (idle_input.py).
    flusher: Flusher | None = None

    def process_lines(
        self, file_input: IO[str] | None, callbacks: dict[str, Callable[[dict], None]]
    ) -> Counter[str]:
        if file_input is None and self.flusher is not None:
            # Only iterated line by line, which is all the SDK's loop does with it.
            file_input = cast(IO[str], IdleAwareLines(self.default_input, self.flusher))
        return super().process_lines(file_input, callbacks)

    def deserialize_json(self, line: str) -> dict:
        message = super().deserialize_json(line)
        shown = line[:200]
        if not isinstance(message, dict):
            msg = f"A Singer message must be a JSON object, got {shown!r}"
            raise InvalidInputLine(msg)
        missing = REQUIRED_KEYS.get(str(message.get("type")), set()) - set(message)
        if missing:
            msg = f"{message['type']} message without {', '.join(sorted(missing))}: {shown!r}"
            raise InvalidInputLine(msg)
        for key in OBJECT_KEYS:
            if key in message and not isinstance(message[key], dict):
                msg = f"The {key} of a {message.get('type')} message must be an object: {shown!r}"
                raise InvalidInputLine(msg)
        if "stream" in message and not isinstance(message["stream"], str):
            msg = f"The stream of a message must be a string: {shown!r}"
            raise InvalidInputLine(msg)
        return message
