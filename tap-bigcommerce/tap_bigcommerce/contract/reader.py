"""The Singer reader, refusing a line that is no well-formed message with a clear error.

singer-sdk's reader accepts any JSON on a line: `null` or `1` then fails with a TypeError from
its own key check, and the mapper's base class reads `record` and `stream` without checking them
(a KeyError). Both found by fuzzing the readers; each now fails naming the line and what is
missing.
"""

from __future__ import annotations

from singer_sdk.io_base import SingerReader
from singer_sdk.singerlib.exceptions import InvalidInputLine

# Keys each message type needs, and those of them that must be JSON objects.
REQUIRED_KEYS = {
    "SCHEMA": {"stream", "schema"},
    "RECORD": {"stream", "record"},
    "STATE": {"value"},
    "ACTIVATE_VERSION": {"stream", "version"},
}
OBJECT_KEYS = ("schema", "record")


class MessageLinesReader(SingerReader):
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
