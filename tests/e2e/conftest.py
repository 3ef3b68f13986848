"""Run the real `meltano run` against emulators served by the test process.

Every Meltano setting is passed as a `<PLUGIN>_<SETTING>` environment variable, and each test
gets its own Meltano system directory and database (where state lives), mapper store, webhook
inbox and dead-letter folder, so tests never touch the developer's `.meltano/meltano.db` and can
run in parallel.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce
from sandbox.iterable.testing import RunningIterable, running_iterable

REPO_ROOT = Path(__file__).resolve().parents[2]
PIPELINE = ("tap-bigcommerce", "map-bigcommerce-iterable", "target-iterable")
STATE_ID = "sandbox:tap-bigcommerce-to-target-iterable"
MELTANO_TIMEOUT_SECONDS = 240
# Generous BigCommerce quota: these tests are about state, not pacing (tests/tap covers that).
E2E_QUOTA = 100_000


@dataclass
class Pipeline:
    bigcommerce: RunningBigCommerce
    iterable: RunningIterable
    workdir: Path
    env: dict[str, str]

    def run(self, *args: str, extra_env: dict[str, str] | None = None) -> str:
        """`meltano run` (default: the main pipeline); returns its output; fails on an error."""
        command = ["meltano", "--environment", "sandbox", "run", *(args or PIPELINE)]
        result = subprocess.run(
            command,
            cwd=REPO_ROOT,
            env={**self.env, **(extra_env or {})},
            capture_output=True,
            text=True,
            timeout=MELTANO_TIMEOUT_SECONDS,
            check=False,
        )
        output = result.stdout + result.stderr
        assert result.returncode == 0, f"{' '.join(command)} failed:\n{output[-4000:]}"
        return output

    def start(self, *args: str, extra_env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        """Start `meltano run` in its own process group (so a test can kill all of it)."""
        return subprocess.Popen(
            ["meltano", "--environment", "sandbox", "run", *(args or PIPELINE)],
            cwd=REPO_ROOT,
            env={**self.env, **(extra_env or {})},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            text=True,
            start_new_session=True,
        )

    @staticmethod
    def kill(process: subprocess.Popen[str]) -> None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(30)

    def meltano(self, *args: str) -> str:
        result = subprocess.run(
            ["meltano", *args],
            cwd=REPO_ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=MELTANO_TIMEOUT_SECONDS,
            check=True,
        )
        return result.stdout

    def state(self, state_id: str = STATE_ID) -> dict[str, Any]:
        """The state Meltano committed for a state id ({} when there is none)."""
        output = self.meltano("state", "get", state_id).strip()
        state: dict[str, Any] = json.loads(output) if output else {}
        return state

    def state_ids(self) -> set[str]:
        return set(self.meltano("state", "list").split())


def own_system_dir(workdir: Path) -> Path:
    """A Meltano system directory for one test (`MELTANO_SYS_DIR_ROOT`), sharing the project's
    installed plugins: `meltano run` writes each plugin's config, catalog and state files under
    `<system dir>/run/<plugin>/`, so two tests running at once (`make test` runs pytest-xdist)
    must not share one. Meltano reads the system directory from MELTANO_SYS_DIR_ROOT (default
    `<project>/.meltano`; meltano/core/project.py, PROJECT_SYS_DIR_ROOT_ENV, Meltano 4.4.1)."""
    system_dir = workdir / ".meltano"
    system_dir.mkdir(parents=True, exist_ok=True)
    for installed in ("extractors", "mappers", "loaders", "utilities"):
        source = REPO_ROOT / ".meltano" / installed
        if source.is_dir() and not (system_dir / installed).exists():
            (system_dir / installed).symlink_to(source, target_is_directory=True)
    return system_dir


def pipeline_env(workdir: Path, iterable: RunningIterable) -> dict[str, str]:
    return {
        **os.environ,
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "MELTANO_SYS_DIR_ROOT": str(own_system_dir(workdir)),
        "MELTANO_DATABASE_URI": f"sqlite:///{workdir / 'meltano.db'}",
        "TAP_BIGCOMMERCE_INBOX_URL": f"sqlite:///{workdir / 'inbox.sqlite'}",
        "BIGCOMMERCE_ITERABLE_MAPPER_DATABASE_URL": f"sqlite:///{workdir / 'mapper.sqlite'}",
        "TARGET_ITERABLE_DATABASE_URL": f"sqlite:///{workdir / 'ledger.sqlite'}",
        "TARGET_ITERABLE_API_URL": iterable.api_url,
        "TARGET_ITERABLE_API_KEY": iterable.api_key,
        "TARGET_ITERABLE_DEAD_LETTER_PATH": str(workdir / "dead-letters" / "run-{run_id}.jsonl"),
        "TAP_BIGCOMMERCE_DEAD_LETTER_PATH": str(workdir / "dead-letters" / "tap-{run_id}.jsonl"),
    }


def tap_env(prefix: str, bigcommerce: RunningBigCommerce) -> dict[str, str]:
    return {
        f"{prefix}_API_URL": bigcommerce.api_url,
        f"{prefix}_STORE_HASH": bigcommerce.store_hash,
        f"{prefix}_ACCESS_TOKEN": bigcommerce.access_token,
    }


@pytest.fixture
def pipeline(tmp_path: Path) -> Iterator[Pipeline]:
    with (
        running_bigcommerce(seed=3, orders=40, rate_limit_quota=E2E_QUOTA) as bigcommerce,
        running_iterable() as iterable,
    ):
        env = {
            **pipeline_env(tmp_path, iterable),
            **tap_env("TAP_BIGCOMMERCE", bigcommerce),
        }
        yield Pipeline(bigcommerce, iterable, tmp_path, env)


def purchases_by_order(iterable: RunningIterable) -> dict[Any, dict[str, Any]]:
    return {p["dataFields"]["orderId"]: p for p in iterable.emulator.purchases()}


def dead_lettered_orders(workdir: Path) -> set[Any]:
    """Order ids of the purchases the target dead-lettered (e.g. Iterable refused the email)."""
    orders = set()
    for path in (workdir / "dead-letters").glob("*.jsonl"):
        for line in path.read_text().splitlines():
            letter = json.loads(line)
            if letter["stream"] == "purchases":
                orders.add(letter["record"]["dataFields"]["orderId"])
    return orders


def lifetime_values(iterable: RunningIterable) -> dict[str, tuple[Any, ...]]:
    fields = ("ordersCount", "totalSpent", "averageOrderValue", "firstOrderDate", "lastOrderDate")
    return {
        str(user.get("email") or user.get("userId")): tuple(
            user["dataFields"].get(f) for f in fields
        )
        for user in iterable.emulator.users()
        if "ordersCount" in user.get("dataFields", {})
    }
