"""`flush_seconds`: with its input held open (a follow-mode pipeline), the real mapper CLI forwards
the users it buffers and the STATE it holds once the input goes quiet, not only at its end."""

from __future__ import annotations

import json
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import IO, Any

from . import records as r
from .helpers import parse

EXECUTABLE = str(Path(sys.executable).parent / "map-bigcommerce-iterable")


def _reader(stdout: IO[str], lines: queue.Queue[Any]) -> None:
    with stdout:
        for line in stdout:
            # STATE values without the store id the mapper adds (helpers.parse).
            lines.put(parse([line])[0])


def _until_state(lines: queue.Queue[Any]) -> list[dict[str, Any]]:
    """Messages up to and including the next STATE (fails after 20 s)."""
    seen = []
    while not seen or seen[-1]["type"] != "STATE":
        seen.append(lines.get(timeout=20))
    return seen


def test_quiet_input_gets_its_users_and_state_forwarded(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    # STATE would otherwise be held up to 300 s (state_interval_seconds) or to the end.
    config.write_text(
        json.dumps(
            {
                "database_url": f"sqlite:///{tmp_path / 'store.sqlite'}",
                "state_interval_seconds": 300,
                "flush_seconds": 0.3,
            }
        )
    )
    process = subprocess.Popen(
        [EXECUTABLE, "--config", str(config)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert process.stdin is not None
    assert process.stdout is not None
    lines: queue.Queue[Any] = queue.Queue()
    reader = threading.Thread(target=_reader, args=(process.stdout, lines), daemon=True)
    reader.start()
    try:
        first = r.messages(("customers", r.customer(1, "a@example.com")), r.state({"n": 1}))
        process.stdin.write(r.to_lines(first))
        process.stdin.flush()
        out = _until_state(lines)
        users = [m["record"] for m in out if m["type"] == "RECORD" and m["stream"] == "users"]
        assert [u["email"] for u in users] == ["a@example.com"]
        assert out[-1]["value"] == {"n": 1}

        second = [*r.messages(("customers", r.customer(2, "b@example.com"))), r.state({"n": 2})]
        process.stdin.write(r.to_lines(second[1:]))  # its SCHEMA was sent already
        process.stdin.flush()
        out = _until_state(lines)
        users = [m["record"] for m in out if m["type"] == "RECORD" and m["stream"] == "users"]
        assert [u["email"] for u in users] == ["b@example.com"]
        assert out[-1]["value"] == {"n": 2}
    finally:
        process.stdin.close()
        assert process.wait(30) == 0
        reader.join(10)
