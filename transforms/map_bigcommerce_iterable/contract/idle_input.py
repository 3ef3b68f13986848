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

While it reads a pipe it also owns the stop signals (graceful_stop.py): after SIGTERM the lines go
on until the input has been quiet long enough, then iteration ends as at the end of the input.
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

from .graceful_stop import GracefulStop

READ_SIZE = 1 << 16


@dataclass
class Flusher:
    """What a plugin holds: when it must go out (monotonic seconds, None: nothing held), and how."""

    flush_due: Callable[[], float | None]
    flush: Callable[[], None]
    flush_seconds: float = 1.0


class IdleAwareLines:
    def __init__(self, source: IO[str], flusher: Flusher, stop: GracefulStop | None = None) -> None:
        self.source = source
        self.flusher = flusher
        self.stop = stop or GracefulStop.after_flushes_of(flusher.flush_seconds)
        self._last_input_at = time.monotonic()

    def __iter__(self) -> Iterator[str]:
        fd = _pipe_descriptor(self.source)
        if fd is None:
            yield from self.source
            return
        self.stop.install()
        try:
            yield from self._lines(fd)
        finally:
            self.stop.uninstall()

    def _lines(self, fd: int) -> Iterator[str]:
        decoder = codecs.getincrementaldecoder("utf-8")()
        pending = ""
        while True:
            while "\n" in pending:
                line, pending = pending.split("\n", 1)
                yield line + "\n"
            if not pending and self.stop.input_over(self._last_input_at):
                return  # stopped: ends like the end of the input (graceful_stop.py)
            if not self._wait_readable(fd):
                continue
            chunk = os.read(fd, READ_SIZE)
            if not chunk:
                pending += decoder.decode(b"", final=True)
                if pending:
                    yield pending
                return
            self._last_input_at = time.monotonic()
            pending += decoder.decode(chunk)

    def _wait_readable(self, fd: int) -> bool:
        """True once input is readable; False after a wait that ended first (what fell due
        meanwhile is flushed)."""
        due = self.flusher.flush_due()
        stop_at = self.stop.deadline(self._last_input_at)
        wake_at = min((t for t in (due, stop_at) if t is not None), default=None)
        timeout = None if wake_at is None else max(wake_at - time.monotonic(), 0.0)
        readable, _, _ = select.select([fd, self.stop.wake_fd], [], [], timeout)
        if self.stop.wake_fd in readable:
            self.stop.take_wakeups()
        if fd in readable:
            return True
        if due is not None and time.monotonic() >= due:
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
