"""`flush_seconds`: with its input held open (a follow-mode pipeline), the real target CLI sends
what it holds and emits STATE in bounded time, not only at the end of its input."""

from __future__ import annotations

import json
import queue
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO, Any

from sandbox.iterable.testing import RunningIterable

from .helpers import record, schema, singer_lines, state, user, without_marker

EXECUTABLE = str(Path(sys.executable).parent / "target-iterable")


def _line_reader(stdout: IO[str]) -> tuple[queue.Queue[Any], threading.Thread]:
    """Lines of the target's stdout, read by a thread so a test can wait with a deadline."""
    lines: queue.Queue[Any] = queue.Queue()

    def read() -> None:
        with stdout:
            for line in stdout:
                # STATE values without the ledger id the target adds (helpers.without_marker).
                lines.put(without_marker(json.loads(line)))

    thread = threading.Thread(target=read, daemon=True)
    thread.start()
    return lines, thread


def test_a_quiet_input_still_gets_its_records_sent_and_state_emitted(
    iterable: RunningIterable, make_config, tmp_path: Path
) -> None:
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(make_config(iterable, flush_seconds=0.5)))
    process = subprocess.Popen(
        [EXECUTABLE, "--config", str(config_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    emitted, reader = _line_reader(process.stdout)
    try:
        messages = [schema("users"), *(record("users", user(i)) for i in range(3))]
        process.stdin.write(singer_lines([*messages, state({"wake_up": 1})]))
        process.stdin.flush()
        # Input stays open: only the bounded flush can send these and emit the STATE.
        assert emitted.get(timeout=20) == {"wake_up": 1}
        emails = {u["email"] for u in iterable.emulator.users()}
        assert {user(i)["email"] for i in range(3)} <= emails

        # Records without a STATE go out once the input has been quiet flush_seconds.
        process.stdin.write(singer_lines([record("users", user(7))]))
        process.stdin.flush()
        deadline = time.monotonic() + 20
        while user(7)["email"] not in {u["email"] for u in iterable.emulator.users()}:
            assert time.monotonic() < deadline, "the quiet input's record was never sent"
            time.sleep(0.02)
        # SIGTERM with the input quiet: it ends as at the end of the input (graceful_stop.py).
        process.stdin.write(singer_lines([state({"wake_up": 2})]))
        process.stdin.flush()
        assert emitted.get(timeout=20) == {"wake_up": 2}
        process.send_signal(signal.SIGTERM)
        assert process.wait(30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdin.close()
        reader.join(10)


def test_sigterm_takes_in_the_upstream_last_micro_batch_then_ends_with_its_state(
    iterable: RunningIterable, make_config, tmp_path: Path
) -> None:
    """`meltano run` sends SIGTERM to the tap and the target at once and never closes the
    target's stdin: the records the tap still sends after the signal are delivered, their STATE
    is the last line out, and the target exits 0 once its input has gone quiet."""
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(make_config(iterable, flush_seconds=0.5)))
    process = subprocess.Popen(
        [EXECUTABLE, "--config", str(config_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    emitted, reader = _line_reader(process.stdout)
    try:
        process.stdin.write(singer_lines([schema("users"), record("users", user(1))]))
        process.stdin.write(singer_lines([state({"wake_up": 1})]))
        process.stdin.flush()
        assert emitted.get(timeout=20) == {"wake_up": 1}
        process.send_signal(signal.SIGTERM)
        # The tap's wake-up goes on a moment after the signal: its records and STATE still count.
        process.stdin.write(singer_lines([record("users", user(2)), record("users", user(3))]))
        process.stdin.write(singer_lines([state({"wake_up": 2})]))
        process.stdin.flush()
        assert process.wait(30) == 0  # its stdin is still open
        emails = {u["email"] for u in iterable.emulator.users()}
        assert {user(i)["email"] for i in (1, 2, 3)} <= emails
        assert emitted.get(timeout=10) == {"wake_up": 2}
    finally:
        if process.poll() is None:
            process.kill()
            process.wait(10)
        process.stdin.close()
        reader.join(10)
