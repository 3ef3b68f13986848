"""The real reconciler CLI against the emulators after a real sync: a clean sync agrees; each
injected discrepancy is found and named with its id; tolerance and errors set the exit status."""

from __future__ import annotations

from pathlib import Path

from e2e.conftest import Pipeline

from .conftest import Injected, ReconcileRun, run_reconcile


def test_clean_sync_reconciles_with_zero_discrepancies(clean_run: ReconcileRun):
    assert clean_run.returncode == 0, clean_run.stdout + clean_run.stderr
    summary = clean_run.summary
    assert summary["verdict"] == "agree"
    assert summary["discrepancy_count"] == 0
    counts = summary["counts"]
    # Something was really compared: purchases, users, events and the catalog.
    assert counts["qualifying_orders"] > 10
    assert counts["iterable_purchases"] == counts["qualifying_orders"]
    assert counts["iterable_users"] > 0
    assert counts["iterable_events"] > 0
    assert counts["catalog_items"] == counts["products"] > 0
    assert all(day["agrees"] for day in summary["daily"])
    assert "AGREE: BigCommerce and Iterable match" in clean_run.stdout
    assert "export 3/3" in clean_run.stderr  # progress of the planned export calls
    html = (clean_run.out_dir / "report.html").read_text()
    assert 'class="verdict agree"' in html
    assert "<script" not in html
    # Self-contained: nothing is fetched.
    assert "src=" not in html
    assert "<link" not in html


def test_each_injected_discrepancy_is_found_and_named(injected: Injected):
    run = injected.run
    assert run.returncode == 1, run.stdout + run.stderr
    assert run.summary["verdict"] == "disagree"
    assert run.subjects("purchase_missing") == [injected.missing]
    assert f"order {injected.duplicated_order}" in run.subjects("duplicate_purchase")
    assert run.subjects("purchase_total_mismatch") == [injected.wrong_total]
    assert f"customer {injected.duplicated_customer}" in run.subjects("duplicate_user")
    assert run.subjects("catalog_item_stale") == [injected.stale_item]
    named = run.stdout
    for title in (
        "Orders missing in Iterable",
        "Duplicate purchases",
        "Purchases whose total or currency differs from the order",
        "The same person as two users",
        "Catalog items with a stale price or name",
    ):
        line = next(line for line in named.splitlines() if line.startswith(title))
        assert int(line[len(title) :].split()[0]) >= 1, line
    html = (run.out_dir / "report.html").read_text()
    assert 'class="verdict disagree"' in html
    for subject in (injected.missing, injected.wrong_total, injected.stale_item):
        assert f"<code>{subject}</code>" in html


def test_tolerance_lets_a_schedule_pass(injected: Injected, synced: Pipeline, tmp_path: Path):
    count = injected.run.summary["discrepancy_count"]
    within = run_reconcile(synced, tmp_path / "within", "--max-discrepancies", str(count))
    assert within.returncode == 0, within.stdout + within.stderr
    assert "AGREE within tolerance" in within.stdout
    over = run_reconcile(synced, tmp_path / "over", "--max-discrepancies", str(count - 1))
    assert over.returncode == 1


def test_errors_exit_2_and_never_show_a_secret(synced: Pipeline, tmp_path: Path):
    wrong_key = "wrong-iterable-key-7f3a9c"
    refused = run_reconcile(synced, tmp_path / "a", TARGET_ITERABLE_API_KEY=wrong_key)
    assert refused.returncode == 2
    assert "api_key" in refused.stderr
    assert wrong_key not in refused.stdout + refused.stderr
    token = synced.env["TAP_BIGCOMMERCE_ACCESS_TOKEN"]
    bad_token = run_reconcile(synced, tmp_path / "b", TAP_BIGCOMMERCE_ACCESS_TOKEN="nope-123456")
    assert bad_token.returncode == 2
    assert "nope-123456" not in bad_token.stdout + bad_token.stderr
    assert token not in bad_token.stdout + bad_token.stderr
    backwards = run_reconcile(synced, tmp_path / "c", "--end", "2023-01-01")
    assert backwards.returncode == 2
    assert "--start (2024-01-01) must be before --end (2023-01-01)" in backwards.stderr
