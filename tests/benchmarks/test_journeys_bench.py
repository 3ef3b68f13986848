"""`make bench-journeys` cannot rot, cheaply: its section of RESULTS.md from journeys.json, and the
ledger-CPU launcher still finding the target's methods it times.

The measure itself (eight piped runs per store) is not part of the suite: the journey entries it
reports are asserted per scenario through `meltano run` by tests/e2e/test_journeys.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from suite import journeys_report, latency_report  # noqa: E402


def _run(writes: int, entries: int, by_trigger: dict[str, int], events: tuple[int, int]) -> dict:
    return {
        "from_state": True,
        "write_requests": writes,
        "journey_entries": entries,
        "journey_entries_by_trigger": by_trigger,
        "events_requests": events[0],
        "events_request_floor": events[1],
        "dead_letters": 3,
        "target_cpu_s": 4.0,
        "ledger_cpu_s": 1.0,
        "ledger_cpu_parts": {"import_s": 0.25, "open_s": 0.05, "records_s": 0.7},
        "ledger_cpu_share": 0.25,
        "pipeline_wall_s": 9.0,
    }


def _results(rerun_entries: int) -> dict[str, Any]:
    runs = {
        "first sync": _run(940, 24_000, {"purchase": 880, "userProfileUpdate": 20_000}, (4, 4)),
        "no-change re-run": _run(0, rerun_entries, {"purchase": rerun_entries}, (0, 0)),
        "full re-read": _run(6, 0, {}, (1, 0)),
        "1% delta": _run(20, 40, {"customEvent": 30, "userProfileUpdate": 10}, (1, 1)),
    }
    measured = {
        "orders": 2000,
        "changed_orders": 20,
        "backend": "sqlite",
        "runs": runs,
        "ledger_bytes": 2 * 1024 * 1024,
        "ledger_rows": {"delivered": 5000, "user_fields": 20_000},
        "server_cpu_s": None,
    }
    return {
        "machine": {"date": "2026-12-07 06:00 UTC", "cpu": "test CPU", "cores": 2},
        "total_wall_s": 120.0,
        "sizes": {
            "2000": {
                "backends": {
                    "sqlite": measured,
                    "postgresql": {"error": "PostgreSQL could not be started: no pg_ctl"},
                }
            }
        },
    }


def test_the_section_gives_per_thousand_figures_and_the_goals() -> None:
    text = journeys_report.render(_results(rerun_entries=0))
    assert text.startswith(journeys_report.SECTION.start)
    assert text.rstrip().endswith(journeys_report.SECTION.end)
    # 2,000 orders: 940 requests are 470.0 per 1,000, 24,000 entries 12,000.0.
    assert (
        "| 2k | sqlite | first sync | 470.0 (940) | 12,000.0 (24,000) | purchases 880, "
        "profile fields 20,000 | 4 / 4 | 3 | 1.00 (0.25 + 0.05 + 0.70) / 4.00 | 25.0% |" in text
    )
    assert "| 2k | sqlite | 1,024 KiB | 2,048 KiB | 5,000 / 20,000 | - |" in text
    assert "no journey entry from the no-change re-run: met" in text
    assert "(goal within 1.10x): 1.00x (met)" in text
    assert "Not measured: 2k orders on postgresql: PostgreSQL could not be started" in text

    missed = _results(rerun_entries=7)
    missed["sizes"]["2000"]["backends"]["sqlite"]["runs"]["no-change re-run"][
        "journey_entry_facts"
    ] = {"purchase 1001": 7}
    text = journeys_report.render(missed)
    assert "no journey entry from the no-change re-run: **missed**" in text
    assert "the no-change re-run's entries: `purchase 1001` x7" in text


def test_the_section_is_replaced_in_place_and_kept_beside_the_latency_section(
    tmp_path: Path,
) -> None:
    page = tmp_path / "RESULTS.md"
    page.write_text("# Benchmark results\n\nthe rest\n")
    latency = f"{latency_report.START}\nlatency figures\n{latency_report.END}\n"
    latency_report.write_section(page, latency)
    journeys_report.SECTION.write(page, journeys_report.render(_results(0)))
    journeys_report.SECTION.write(page, journeys_report.render(_results(7)))
    text = page.read_text()
    assert text.count(journeys_report.SECTION.start) == 1
    assert "**missed**" in text
    assert "latency figures" in text

    # run.py regenerates the rest of the page and keeps both sections.
    regenerated = journeys_report.SECTION.keep(
        text, latency_report.keep_section(text, "# Benchmark results\n\nnew figures\n")
    )
    assert "new figures" in regenerated
    assert "the rest" not in regenerated
    assert "latency figures" in regenerated
    assert "**missed**" in regenerated


def test_the_ledger_cpu_launcher_times_the_ledger_of_the_real_target(tmp_path: Path) -> None:
    # In its own process: the launcher patches the target's classes for good.
    script = f"""
import json, sys
sys.path.insert(0, {str(REPO_ROOT / "benchmarks")!r})
from suite import ledger_cpu
ledger_cpu._instrument()
from target_iterable.ledger import DeliveryLedger
ledger = DeliveryLedger("sqlite:///{tmp_path / "ledger.sqlite"}", "scope")
ledger.record("events", {{f"e{{n}}": "f" * 32 for n in range(2000)}})
assert len(ledger.delivered("events", [f"e{{n}}" for n in range(2000)])) == 2000
ledger.close()
print(json.dumps(ledger_cpu._spent))
"""
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    spent = json.loads(result.stdout)
    assert spent["import_s"] > 0
    assert spent["open_s"] > 0
    assert spent["records_s"] > 0
