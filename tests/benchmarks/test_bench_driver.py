"""`make bench` cannot rot: its driver, in a tiny store, writes every measure's results.

The full run (`make bench`, about 25 minutes) is not part of the suite; this runs the same
driver over a 200-order store, one repeat, without the peer (which needs its own virtualenv).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
SECTIONS = (
    "## The targets",
    "## 1. API efficiency",
    "## 2. Quota use",
    "## 3. CPU cost",
    "## 4. Memory",
    "## 5. The peer",
    "## 6. Backfill projection",
)


@pytest.mark.timeout(600)
def test_the_driver_writes_every_measure(tmp_path: Path) -> None:
    # The sections other scripts own (latency.py, journeys.py) survive the rewrite.
    kept = "<!-- journeys:start -->\n## Journeys and the delivery ledger\n<!-- journeys:end -->"
    (tmp_path / "RESULTS.md").write_text(f"# old page\n\n{kept}\n")
    result = subprocess.run(
        [sys.executable, str(REPO_ROOT / "benchmarks" / "run.py"),
         "--orders", "200", "--repeats", "1", "--no-peer", "--out", str(tmp_path)],
        capture_output=True, text=True, timeout=540, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]

    results = json.loads((tmp_path / "results.json").read_text())
    size = results["sizes"]["200"]
    run = size["runs"][0]
    for stage in ("tap", "mapper", "target", "floor_tap", "floor_target", "pipeline"):
        assert run[stage]["cpu_s"] > 0, stage
        assert 5 < run[stage]["peak_rss_mib"] < 2000, stage
    assert run["tap_records"]["orders"] >= 190
    # The stage's requests reached the emulators, every purchase as its own call.
    assert run["bigcommerce_calls"]["orders_list"] >= 1
    assert run["iterable_calls"]["purchases"] == run["mapped_records"]["purchases"]
    assert size["bigcommerce_quota"]["requests"] > 0
    assert size["iterable_quota"]["endpoints"]["commerce/trackPurchase"]["requests"] > 0
    assert "peer" not in size

    report = (tmp_path / "RESULTS.md").read_text()
    positions = [report.index(section) for section in SECTIONS]
    assert positions == sorted(positions)
    assert "Not run in this run (`--no-peer`)" in report
    assert "# old page" not in report
    assert report.rstrip().endswith(kept)
    assert (tmp_path / "results.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
