"""The real pipeline, `tap-bigcommerce | map-bigcommerce-iterable | target-iterable`, as piped
console scripts with their configs in files, against emulators served by the test process.

A run's STATE lines (the target writes one only after delivery) are kept in a file, so a run that
is killed can be resumed from the last one, as Meltano would.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.bigcommerce.testing import RunningBigCommerce
from sandbox.iterable.testing import RunningIterable

VENV_BIN = Path(__file__).resolve().parents[2] / ".venv" / "bin"
RUN_TIMEOUT_SECONDS = 240
# A quota that never binds: these runs are about faults, not pacing (tests/tap covers that).
QUOTA_THAT_NEVER_BINDS = 1_000_000


def executable(name: str) -> str:
    """A console script of the workspace (falls back to PATH, e.g. under `uv run`)."""
    local = VENV_BIN / name
    return str(local) if local.exists() else name


@dataclass
class PipelineConfigs:
    tap: dict[str, Any]
    mapper: dict[str, Any]
    target: dict[str, Any]


def pipeline_configs(
    workdir: Path,
    bigcommerce: RunningBigCommerce,
    iterable: RunningIterable,
    *,
    inbox_url: str,
    mapper_database: Path | None = None,
) -> PipelineConfigs:
    """Fast retries and a short tap timeout, so that faults cost little time."""
    return PipelineConfigs(
        tap={
            "store_hash": bigcommerce.store_hash,
            "access_token": bigcommerce.access_token,
            "api_url": bigcommerce.api_url,
            "inbox_url": inbox_url,
            "request_timeout": 1,
            "max_retries": 8,
            "retry_base_seconds": 0.01,
            "retry_max_seconds": 0.1,
            "dead_letter_path": str(workdir / "dead-letters" / "tap-{run_id}.jsonl"),
        },
        mapper={
            "database_url": f"sqlite:///{mapper_database or workdir / 'mapper.sqlite'}",
            "state_interval_seconds": 0,
            "user_buffer_size": 200,
        },
        target={
            "api_key": iterable.api_key,
            "api_url": iterable.api_url,
            "dead_letter_path": str(workdir / "dead-letters" / "run-{run_id}.jsonl"),
            "database_url": f"sqlite:///{workdir / 'ledger.sqlite'}",
            "request_timeout": 1,
            "max_retries": 10,
            "retry_initial_delay": 0.01,
            "retry_max_delay": 0.2,
            "progress_interval": 0,
            "rate_limits": {
                "users_bulk_update": 1000.0,
                "events_track_bulk": 1000.0,
                "track_purchase": 1000.0,
                "update_cart": 1000.0,
            },
        },
    )


@dataclass
class PipelineRun:
    returncodes: tuple[int | None, ...]  # of each process started, in pipe order
    states: list[dict[str, Any]]
    logs: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return all(code == 0 for code in self.returncodes)

    @property
    def last_state(self) -> dict[str, Any] | None:
        return self.states[-1] if self.states else None

    def describe(self) -> str:
        tails = "\n".join(f"--- {name} ---\n{text[-3000:]}" for name, text in self.logs.items())
        return f"exit codes {self.returncodes}\n{tails}"


class Pipeline:
    """Three piped processes in one process group, so a test can SIGKILL all of them at once."""

    def __init__(self, workdir: Path, configs: PipelineConfigs, name: str = "run") -> None:
        self.workdir = workdir
        self.name = name
        workdir.mkdir(parents=True, exist_ok=True)
        self.config_paths = {}
        for part, config in (
            ("tap", configs.tap),
            ("mapper", configs.mapper),
            ("target", configs.target),
        ):
            path = workdir / f"{part}-config.json"
            path.write_text(json.dumps(config))
            self.config_paths[part] = path
        self.states_path = workdir / f"{name}-states.jsonl"
        self._processes: list[subprocess.Popen[bytes]] = []
        self._parts: tuple[str, ...] = ("tap", "mapper", "target")

    def log_path(self, part: str) -> Path:
        return self.workdir / f"{self.name}-{part}.log"

    def start(
        self,
        state: dict[str, Any] | None = None,
        *,
        log_level: str = "info",
        mapper_input: Path | None = None,
    ) -> None:
        """Start the piped processes. With `mapper_input` (a file of Singer messages) no tap is
        started: the mapper reads the file, as `--input` (tests of mapper and target alone)."""
        tap_args = [executable("tap-bigcommerce"), "--config", str(self.config_paths["tap"])]
        if state is not None:
            state_path = self.workdir / f"{self.name}-input-state.json"
            state_path.write_text(json.dumps(state))
            tap_args += ["--state", str(state_path)]
        env = {**os.environ, "LOGLEVEL": log_level.upper()}
        self._parts = ("mapper", "target") if mapper_input else ("tap", "mapper", "target")
        logs = {part: self.log_path(part).open("ab") for part in self._parts}
        states = self.states_path.open("ab")
        mapper_args = [executable("map-bigcommerce-iterable"), "--config",
                       str(self.config_paths["mapper"])]  # fmt: skip
        try:
            tap = None
            if mapper_input is None:
                tap = subprocess.Popen(
                    tap_args, stdout=subprocess.PIPE, stderr=logs["tap"], env=env,
                    process_group=0,
                )  # fmt: skip
            else:
                mapper_args += ["--input", str(mapper_input)]
            mapper = subprocess.Popen(
                mapper_args,
                stdin=tap.stdout if tap else subprocess.DEVNULL, stdout=subprocess.PIPE,
                stderr=logs["mapper"], env=env, process_group=tap.pid if tap else 0,
            )  # fmt: skip
            target = subprocess.Popen(
                [executable("target-iterable"), "--config", str(self.config_paths["target"])],
                stdin=mapper.stdout, stdout=states, stderr=logs["target"], env=env,
                process_group=tap.pid if tap else mapper.pid,
            )  # fmt: skip
        finally:
            for file in (*logs.values(), states):
                file.close()
        # Only the next process in the pipe keeps each pipe open: EOF and SIGPIPE then propagate.
        self._processes = [process for process in (tap, mapper, target) if process is not None]
        for process in self._processes[:-1]:
            assert process.stdout is not None
            process.stdout.close()

    def wait(self, timeout: float = RUN_TIMEOUT_SECONDS) -> PipelineRun:
        deadline = time.monotonic() + timeout
        for process in self._processes:
            try:
                process.wait(max(deadline - time.monotonic(), 0.1))
            except subprocess.TimeoutExpired:
                self.kill()
                raise
        return self.result()

    def kill(self) -> None:
        """SIGKILL the whole pipeline at once (as an OOM killer or a lost machine would)."""
        if self._processes:
            with contextlib.suppress(ProcessLookupError):  # it ended on its own
                os.killpg(self._processes[0].pid, signal.SIGKILL)
            for process in self._processes:
                process.wait(30)

    def kill_when(self, condition: Callable[[], bool], timeout: float = 120) -> bool:
        """Kill once `condition()` holds (checked every 10 ms); False if the run ended first."""
        deadline = time.monotonic() + timeout
        while not condition():
            if all(p.poll() is not None for p in self._processes):
                return False
            assert time.monotonic() < deadline, "the kill point was never reached"
            time.sleep(0.01)
        self.kill()
        return True

    def result(self) -> PipelineRun:
        codes = tuple(p.poll() for p in self._processes)
        logs = {part: read_text(self.log_path(part)) for part in self._parts}
        return PipelineRun(returncodes=codes, states=read_states(self.states_path), logs=logs)

    def run(
        self,
        state: dict[str, Any] | None = None,
        *,
        log_level: str = "info",
        mapper_input: Path | None = None,
    ) -> PipelineRun:
        self.start(state, log_level=log_level, mapper_input=mapper_input)
        return self.wait()


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 30) -> None:
    """Poll a condition until it holds, failing after a deadline (never a bare sleep)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.01)


def read_text(path: Path) -> str:
    return path.read_text(errors="replace") if path.exists() else ""


def read_states(path: Path) -> list[dict[str, Any]]:
    """Complete STATE lines only: a kill can cut the last line short."""
    states = []
    for line in read_text(path).splitlines():
        try:
            states.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return states


def dead_letters(workdir: Path) -> list[dict[str, Any]]:
    letters = []
    for path in sorted((workdir / "dead-letters").glob("*.jsonl")):
        letters += [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    return letters
