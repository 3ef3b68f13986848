"""Our three stages (and the SDK floor) as commands with their config files."""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from target_iterable.endpoints import ALL_ENDPOINTS

from .processes import BIN

FLOOR = Path(__file__).resolve().parents[1] / "floor"
# The target's own pacing lifted (the emulator's limits are lifted too) for the CPU runs.
UNPACED_TARGET = {endpoint.key: 1_000_000.0 for endpoint in ALL_ENDPOINTS}


def _write(path: Path, config: dict[str, Any]) -> Path:
    path.write_text(json.dumps(config))
    return path


def tap(workdir: Path, config: dict[str, Any]) -> list[str]:
    return [str(BIN / "tap-bigcommerce"), "--config", str(_write(workdir / "tap.json", config))]


def mapper(workdir: Path, name: str, *, keep_store: bool = False) -> list[str]:
    """A fresh embedded store each run (every run a first, full sync) unless `keep_store`."""
    database = workdir / f"{name}-mapper.db"
    if not keep_store:
        database.unlink(missing_ok=True)
    config = {"database_url": f"sqlite:///{database}"}
    path = _write(workdir / f"{name}-mapper.json", config)
    return [str(BIN / "map-bigcommerce-iterable"), "--config", str(path)]


def target(
    workdir: Path,
    name: str,
    iterable: dict[str, str],
    rate_limits: dict[str, float],
    *,
    database_url: str | None = None,
) -> tuple[list[str], Path]:
    """The target reading stdin; returns the command and its dead-letter file. A fresh delivery
    ledger each run (every run a first sync), or the ledger at `database_url` (the caller's to
    keep or empty)."""
    dead_letters = workdir / f"{name}-dead-letters.jsonl"
    dead_letters.unlink(missing_ok=True)
    ledger = workdir / f"{name}-ledger.db"
    ledger.unlink(missing_ok=True)
    config = {
        **iterable,
        "dead_letter_path": str(dead_letters),
        "rate_limits": rate_limits,
        "database_url": database_url or f"sqlite:///{ledger}",
    }
    path = _write(workdir / f"{name}-target.json", config)
    return [str(BIN / "target-iterable"), "--config", str(path)], dead_letters


def floor_tap(workdir: Path, tap_output: Path) -> list[str]:
    path = _write(workdir / "floor-tap.json", {"input": str(tap_output)})
    return [sys.executable, str(FLOOR / "floor_tap.py"), "--config", str(path)]


def floor_target(workdir: Path) -> list[str]:
    path = _write(workdir / "floor-target.json", {})
    return [sys.executable, str(FLOOR / "floor_target.py"), "--config", str(path)]


def count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open() as lines:
        return sum(1 for _ in lines)


def dead_letter_reasons(path: Path) -> dict[str, int]:
    """How many dead letters gave each reason, most frequent first."""
    if not path.exists():
        return {}
    with path.open() as lines:
        reasons = Counter(json.loads(line).get("reason", "?") for line in lines if line.strip())
    return dict(reasons.most_common())
