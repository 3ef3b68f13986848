"""One golden file per rule: `data/<rule>.input.singer` through the real CLI gives
`data/<rule>.expected.singer`.

The expected files hold the RECORD and STATE lines exactly as written (so `12.0` vs `12` matters);
SCHEMA lines are checked against the target's contract instead. After a reviewed change of a rule,
regenerate with `MAPPER_UPDATE_GOLDEN=1 uv run pytest tests/mapper/test_golden.py`.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from .golden_inputs import SCENARIOS
from .helpers import DATA, run_cli, validate_output
from .records import to_lines

UPDATE = os.environ.get("MAPPER_UPDATE_GOLDEN") == "1"
STORE_ID = re.compile(r'("store_id":")[0-9a-f]{32}(")')


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_golden(rule: str, tmp_path: Path) -> None:
    config = json.loads((DATA / f"{rule}.config.json").read_text())
    config["database_url"] = f"sqlite:///{tmp_path / 'store.sqlite'}"
    config_path = tmp_path / "config.json"
    config_path.write_text(json.dumps(config))

    lines = run_cli(DATA / f"{rule}.input.singer", config_path)

    validate_output(lines)
    produced = [
        STORE_ID.sub(r"\1<store id>\2", line)  # random per store: not part of the rule
        for line in lines
        if json.loads(line)["type"] != "SCHEMA"
    ]
    expected_path = DATA / f"{rule}.expected.singer"
    if UPDATE:
        expected_path.write_text("".join(f"{line}\n" for line in produced))
    expected = expected_path.read_text().splitlines()
    assert produced == expected


@pytest.mark.parametrize("rule", sorted(SCENARIOS))
def test_golden_inputs_are_current(rule: str) -> None:
    """The committed inputs are what `golden_inputs.py` writes (regenerate after editing it)."""
    config, messages = SCENARIOS[rule]()
    assert (DATA / f"{rule}.input.singer").read_text() == to_lines(messages)
    assert json.loads((DATA / f"{rule}.config.json").read_text()) == config
