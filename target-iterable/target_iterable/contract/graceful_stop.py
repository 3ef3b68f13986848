"""SIGTERM to a plugin that reads a pipe: take in the upstream's last micro-batch, then end as
at the end of the input (every sink drains, the last STATE is written, exit 0).

Why not singer-sdk's own handler: `PluginBase._handle_termination` calls `sys.exit(0)` wherever
the plugin is (a mapper drops what it holds and the tap's last records), and `Target`'s drains its
sinks from inside the signal handler, possibly in the middle of a request. And why not simply wait
for the end of the input: `meltano run` answers its own SIGTERM by sending SIGTERM to every plugin
at once (meltano 4.4.1 `cli/run.py` lines 312-320, `ExtractLoadBlocks.terminate(graceful=True)`
in `core/block/extract_load.py` lines 544-556) and never closes a mapper's or a target's stdin on
that path (only `_handle_head_completed`, line 827, does, when the tap ends on its own), so the end
of the input never comes.

So a stop signal is noted and reading goes on. The tap, signalled too, ends its wake-up with STATE
and writes nothing more (tap-bigcommerce `follow.py`); the input is taken as ended once it has been
quiet for `quiet_seconds` after the signal, and at the latest `grace_seconds` after it (at a line
boundary; an upstream that never goes quiet). Ending early loses nothing: only a STATE the target
received after the records it covers is ever written, so what was cut off is read again by the
next run. A real end of the input ends it at once, as without a signal.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import threading
import time
from collections.abc import Callable
from types import FrameType
from typing import Any

LOGGER = logging.getLogger(__name__)

STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)
# Longer than any pause inside a tap's wake-up on a healthy API (one request), and than the
# plugins' own `flush_seconds` hold: the upstream plugin's last output must come before it.
MIN_QUIET_SECONDS = 3.0
GRACE_SECONDS = 60.0


class GracefulStop:
    def __init__(
        self,
        *,
        quiet_seconds: float = MIN_QUIET_SECONDS,
        grace_seconds: float = GRACE_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.quiet_seconds = quiet_seconds
        self.grace_seconds = grace_seconds
        self.requested_at: float | None = None
        self._clock = clock
        self._previous: dict[int, Any] = {}
        self._wake_read = self._wake_write = -1

    @classmethod
    def after_flushes_of(cls, flush_seconds: float) -> GracefulStop:
        """Quiet long enough for an upstream plugin holding records `flush_seconds` to send them."""
        return cls(quiet_seconds=max(MIN_QUIET_SECONDS, 2 * flush_seconds + 1))

    @property
    def wake_fd(self) -> int:
        """Readable once a stop was asked: wait on it beside the input (installed only)."""
        return self._wake_read

    def take_wakeups(self) -> None:
        """Empty the wake-up pipe (else every later wait would end at once)."""
        with contextlib.suppress(BlockingIOError):
            os.read(self._wake_read, 1024)

    def request(self, signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        if self._wake_write >= 0:
            with contextlib.suppress(BlockingIOError):  # full: a wake-up is pending anyway
                os.write(self._wake_write, b"x")
        if self.requested_at is None:
            self.requested_at = self._clock()
            LOGGER.info(
                "Stop signal %d: taking in the rest of the current micro-batch, then ending as at "
                "the end of the input (quiet %.1f s, at most %.0f s)",
                signum,
                self.quiet_seconds,
                self.grace_seconds,
            )

    def deadline(self, last_input_at: float) -> float | None:
        """When the input counts as ended (monotonic seconds); None while no stop was asked."""
        if self.requested_at is None:
            return None
        quiet_end = max(self.requested_at, last_input_at) + self.quiet_seconds
        return min(quiet_end, self.requested_at + self.grace_seconds)

    def input_over(self, last_input_at: float) -> bool:
        deadline = self.deadline(last_input_at)
        return deadline is not None and self._clock() >= deadline

    # -- handlers, while a pipe is read ---------------------------------------------------------

    def install(self) -> None:
        """Replace singer-sdk's stop handlers (only the main thread may set handlers)."""
        # A wait on the input would not end at a signal (PEP 475 retries `select` after the
        # handler): the handler also writes a byte to this pipe, which the reader waits on too.
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        if threading.current_thread() is not threading.main_thread():
            return
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self.request)

    def uninstall(self) -> None:
        for signum, handler in self._previous.items():
            signal.signal(signum, handler)
        self._previous.clear()
        for fd in (self._wake_read, self._wake_write):
            os.close(fd)
        self._wake_read = self._wake_write = -1
