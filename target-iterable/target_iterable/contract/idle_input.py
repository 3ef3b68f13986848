"""Reading Singer messages from a pipe that may go quiet: flush what is held in bounded time.

singer-sdk reads input with `for line in stdin`, which blocks until the next line. A tap in follow
mode (tap-bigcommerce `follow: true`) writes a burst of records and a STATE, then nothing until
the next change, so whatever the mapper or the target still holds would wait for that change.
`IdleAwareLines` yields the same lines, but while it waits for the next one it asks its plugin
when something it holds falls due (`flush_due`) and calls `flush` then: a record is never held
longer than the plugin's `flush_seconds` because the input went quiet.

It reads the file descriptor itself (`os.read` after `select`): a buffered text reader may hold
complete lines that `select` cannot see. Files and other inputs without a descriptor `select`
accepts are read as before (tests feed `.singer` files; they never go quiet).
"""

from __future__ import annotations

import codecs
import os
import select
import stat
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

READ_SIZE = 1 << 16


@dataclass
class Flusher:
    """What a plugin holds: when it must go out (monotonic seconds, None: nothing held), and how."""

    flush_due: Callable[[], float | None]
    flush: Callable[[], None]


class IdleAwareLines:
    def __init__(self, source: IO[str], flusher: Flusher) -> None:
        self.source = source
        self.flusher = flusher

    def __iter__(self) -> Iterator[str]:
        fd = _pipe_descriptor(self.source)
        if fd is None:
            yield from self.source
            return
        decoder = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        while True:
            while "\n" in pending:
                line, pending = pending.split("\n", 1)
                yield line + "\n"
            if not self._wait_readable(fd):
                continue
            chunk = os.read(fd, READ_SIZE)
            if not chunk:
                pending += decoder.decode(b"", final=True)
                if pending:
                    yield pending
                return
            pending += decoder.decode(chunk)

    def _wait_readable(self, fd: int) -> bool:
        """True once input is readable; False after flushing what fell due meanwhile."""
        due = self.flusher.flush_due()
        timeout = None if due is None else max(due - time.monotonic(), 0.0)
        readable, _, _ = select.select([fd], [], [], timeout)
        if readable:
            return True
        self.flusher.flush()
        return False


def _pipe_descriptor(source: IO[str]) -> int | None:
    """The descriptor of a pipe, socket or terminal `select` can wait on; None for files."""
    try:
        fd = source.fileno()
        mode = os.fstat(fd).st_mode
    except (AttributeError, OSError, ValueError):
        return None
    return fd if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode) else None
