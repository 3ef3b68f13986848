"""`tap-bigcommerce-follow-service`: SIGTERM to the service stops the pipeline from its head (the
tap), so the pipeline's command ends on its own with status 0; with no tap yet the command itself
is signalled."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from tap_bigcommerce.follow_service import tap_processes

SERVICE = str(Path(sys.executable).parent / "tap-bigcommerce-follow-service")

# A stand-in for `meltano run`: runs a stand-in tap and ends with its status, but exits 143 on a
# SIGTERM of its own (as Meltano does).
PIPELINE = """
import signal, subprocess, sys
signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
tap = subprocess.Popen([sys.executable, sys.argv[1]])
print("started", flush=True)
sys.exit(tap.wait())
"""
# A stand-in tap: on SIGTERM it ends its wake-up and exits 0 (what follow.py does).
TAP = """
import signal, sys, time
signal.signal(signal.SIGTERM, lambda *_: (print("tap stopping", flush=True), sys.exit(0)))
print("tap ready", flush=True)
while True:
    time.sleep(0.05)
"""


def _fake_proc(root: Path, processes: dict[int, tuple[int, list[str]]]) -> Path:
    for pid, (parent, argv) in processes.items():
        entry = root / str(pid)
        entry.mkdir(parents=True)
        (entry / "stat").write_text(f"{pid} (python3) S {parent} 1 1 0")
        (entry / "cmdline").write_bytes(b"\0".join(a.encode() for a in argv) + b"\0")
    (root / "self").mkdir()
    return root


def test_the_tap_is_found_among_the_command_descendants_and_nothing_else(tmp_path: Path) -> None:
    proc = _fake_proc(
        tmp_path,
        {
            10: (1, ["/venv/bin/python", "/venv/bin/meltano", "run"]),
            11: (10, ["/x/venv/bin/python", "/x/venv/bin/tap-bigcommerce", "--config", "c"]),
            12: (10, ["/x/venv/bin/python", "/x/venv/bin/target-iterable", "--config", "c"]),
            13: (12, ["/x/venv/bin/python", "/x/bin/tap-bigcommerce-webhooks", "serve"]),
            20: (1, ["/y/venv/bin/python", "/y/venv/bin/tap-bigcommerce", "--config", "c"]),
        },
    )
    assert tap_processes(10, proc) == [11]  # not the webhooks CLI, not another pipeline's tap
    assert tap_processes(20, proc) == []


def test_sigterm_to_the_service_stops_the_tap_and_the_command_ends_with_0(tmp_path: Path) -> None:
    tap = tmp_path / "tap-bigcommerce"  # the program name the service looks for
    tap.write_text(TAP)
    pipeline = tmp_path / "pipeline.py"
    pipeline.write_text(PIPELINE)
    service = subprocess.Popen(
        [SERVICE, "--", sys.executable, str(pipeline), str(tap)],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert service.stdout is not None
        assert service.stdout.readline().strip() == "started"
        assert service.stdout.readline().strip() == "tap ready"
        assert tap_processes(service.pid)
        os.kill(service.pid, signal.SIGTERM)
        assert service.wait(30) == 0  # the stand-in pipeline was not signalled: not 143
        output = service.stdout.read()
        assert "tap stopping" in output
        assert "stopping the tap" in output
    finally:
        if service.poll() is None:
            service.kill()
            service.wait(10)
        if service.stdout is not None:
            service.stdout.close()
