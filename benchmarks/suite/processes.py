"""Run a stage as its own process and read what the kernel charged it: CPU, peak RSS, wall time."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

BIN = Path(sys.executable).parent  # the workspace's console scripts live beside its python
LAUNCHER = Path(__file__).resolve().parent / "child_usage.py"


@dataclass(frozen=True)
class Usage:
    """One process (or a pipeline of processes): wall seconds, CPU seconds, peak RSS in MiB."""

    wall_s: float
    cpu_s: float
    peak_rss_mib: float

    def as_dict(self) -> dict[str, float]:
        return {
            "wall_s": round(self.wall_s, 3),
            "cpu_s": round(self.cpu_s, 3),
            "peak_rss_mib": round(self.peak_rss_mib, 1),
        }


class StageFailedError(RuntimeError):
    pass


@contextmanager
def _measured(command: Sequence[str]) -> Iterator[tuple[list[str], Path]]:
    """The command wrapped in the small launcher, and the file it writes the usage to."""
    with tempfile.TemporaryDirectory(prefix="usage-") as folder:
        usage = Path(folder) / "usage"
        yield [sys.executable, "-I", "-S", str(LAUNCHER), str(usage), *command], usage


def _reap(process: subprocess.Popen[bytes], name: str, usage: Path) -> tuple[float, float]:
    """Wait for one child; its CPU seconds and peak RSS (MiB) as the launcher measured them."""
    process.wait()
    if process.returncode != 0:
        msg = f"{name} exited with status {process.returncode}"
        raise StageFailedError(msg)
    cpu, max_rss_kib = usage.read_text().split()
    return float(cpu), int(max_rss_kib) / 1024  # Linux: ru_maxrss in KiB


def run_stage(
    command: Sequence[str],
    *,
    stdin: Path | None = None,
    stdout: Path | None = None,
    stderr: Path | None = None,
    env: dict[str, str] | None = None,
) -> Usage:
    """One command, stdin/stdout from/to files; fails naming the command if it exits non-zero."""
    started = time.perf_counter()
    with (
        _open(stdin, "rb") as source,
        _open(stdout, "wb") as sink,
        _open(stderr, "ab") as log,
        _measured(command) as (wrapped, usage),
    ):
        process = subprocess.Popen(wrapped, stdin=source, stdout=sink, stderr=log, env=env)
        cpu, rss = _reap(process, Path(command[0]).name, usage)
    return Usage(time.perf_counter() - started, cpu, rss)


def run_pipeline(
    commands: Sequence[Sequence[str]],
    *,
    stderr: Path,
    env: dict[str, str] | None = None,
    stdout: Path | None = None,
) -> tuple[Usage, list[Usage]]:
    """`a | b | c`, the last one's stdout discarded or written to `stdout`: the total and each
    process's usage."""
    started = time.perf_counter()
    processes: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    with stderr.open("ab") as log, _open(stdout, "wb") as output, ExitStack() as stack:
        previous: IO[bytes] | None = None
        for index, command in enumerate(commands):
            wrapped, usage = stack.enter_context(_measured(command))
            last = index == len(commands) - 1
            process = subprocess.Popen(
                wrapped,
                stdin=previous,
                stdout=output if last else subprocess.PIPE,
                stderr=log,
                env=env,
            )
            if previous is not None:
                previous.close()  # the child holds it now; closing ours lets EOF propagate
            previous = process.stdout
            processes.append((process, Path(command[0]).name, usage))
        measured = [_reap(process, name, usage) for process, name, usage in processes]
    wall = time.perf_counter() - started
    stages = [Usage(wall, cpu, rss) for cpu, rss in measured]
    return Usage(wall, sum(s.cpu_s for s in stages), max(s.peak_rss_mib for s in stages)), stages


def _open(path: Path | None, mode: str) -> IO[bytes]:
    if path is None:
        return open(os.devnull, mode)
    return path.open(mode)
