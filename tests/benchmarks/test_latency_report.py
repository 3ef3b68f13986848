"""The follow-mode latency section of RESULTS.md: rendered from latency.json, replaced in place by
`make bench-latency`, and kept when `make bench` rewrites the rest of the page."""

from __future__ import annotations

import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "benchmarks"))
from suite import latency_report  # noqa: E402


def _results(p95: float) -> dict:
    run = {
        "rate": 10, "seconds": 60, "drop": 0.0, "changes": 600, "measured": 560, "arrived": 560,
        "missing": 1, "missing_dead_lettered": 1, "p50": 2.0, "p95": p95, "p99": 6.0, "max": 7.0,
        "bigcommerce_requests": 90,
        "bigcommerce_429": 0, "quota_used": 0.4, "dropped_webhook_orders": 0, "dropped_max": None,
        "rss_start_mib": {"tap": 60.0}, "rss_end_mib": {"tap": 61.0}, "latencies": [2.0, p95],
    }  # fmt: skip
    return {
        "settings": {
            "sweep_seconds": 30,
            "bigcommerce_latency": 0.3,
            "iterable_latency": 0.2,
            "seconds": 60,
        },
        "quota": {"requests": 150, "window_seconds": 30},
        "runs": [run],
    }


def test_the_section_states_the_goal_and_is_replaced_not_duplicated(tmp_path: Path) -> None:
    page = tmp_path / "RESULTS.md"
    page.write_text("# Benchmark results\n\nthe rest\n")
    latency_report.write_section(page, latency_report.render(_results(4.5)))
    assert (
        "| 10 | 0% | when_used | 600 | 560 | 2.00 s | 4.50 s | 6.00 s | 7.00 s | 1 (1) |"
        in page.read_text()
    )
    assert "**met** (p95 4.50 s)" in page.read_text()

    latency_report.write_section(page, latency_report.render(_results(5.5)))
    text = page.read_text()
    assert text.count(latency_report.START) == 1
    assert "**missed** (p95 5.50 s)" in text
    assert text.startswith("# Benchmark results\n\nthe rest\n")

    regenerated = latency_report.keep_section(text, "# Benchmark results\n\nnew figures\n")
    assert "new figures" in regenerated
    assert "**missed** (p95 5.50 s)" in regenerated


def test_the_memory_section_has_start_peak_end_and_slope_and_is_kept_too(tmp_path: Path) -> None:
    import follow_memory  # noqa: PLC0415 - benchmarks/ is on the path above

    # RSS flat at 80 MiB for the tap; the target grows 1 MiB per 1,000 changes in its second half.
    samples = [
        {
            "seconds": i,
            "made": 1000 * i,
            "accepted": 1000 * i,
            "rss_mib": {"tap": 80.0, "target": 60.0 + max(0, i - 10)},
        }
        for i in range(21)
    ]
    result = {
        "changes": 20000, "rate": 50, "drive_seconds": 400.0, "accepted": 20000,
        "bigcommerce_requests": 500, "bigcommerce_429": 0, "commerce_concurrency": 16,
        "samples": samples, "summary": follow_memory.summarise(samples),
    }  # fmt: skip
    assert result["summary"]["tap"]["slope_per_10k_second_half"] == 0
    assert round(result["summary"]["target"]["slope_per_10k_second_half"], 6) == 10
    page = tmp_path / "RESULTS.md"
    page.write_text("# Benchmark results\n\nthe rest\n")
    latency_report.write_section(page, latency_report.render(_results(4.5)))
    follow_memory.write_section(page, follow_memory.render(result))
    text = page.read_text()
    assert "| target | 60 MiB | 70 MiB | 70 MiB | +10.00 MiB / 10k changes |" in text

    regenerated = latency_report.keep_section(text, "# Benchmark results\n\nnew figures\n")
    assert "| target | 60 MiB | 70 MiB | 70 MiB |" in regenerated
    assert "**met** (p95 4.50 s)" in regenerated
