"""Absences the target dead-lettered are listed with their reason and tolerated; others are not."""

from __future__ import annotations

from pathlib import Path

from bigcommerce_iterable_reconcile.compare import Tolerance, reconcile
from bigcommerce_iterable_reconcile.dead_letters import dead_lettered_subjects
from bigcommerce_iterable_reconcile.report import summary, verdict_text
from map_bigcommerce_iterable.ids import purchase_id
from target_iterable.contract.dead_letters import TAP_CONTRACT_RULE, DeadLetter, DeadLetterLog
from target_iterable.contract.redaction import Redactor

from .records import END, START, bigcommerce, iterable, order, purchase, user

ANN = "ann@example.com"


def _write_letters(path: Path, letters: list[DeadLetter]) -> None:
    DeadLetterLog(path, Redactor()).write(letters)  # the target's own writer: its real format


def test_subjects_are_read_from_the_targets_own_dead_letter_files(tmp_path: Path) -> None:
    _write_letters(
        tmp_path / "run-1.jsonl",
        [
            DeadLetter("users", "users", {"email": " Bob@Invalid "}, "invalid email"),
            DeadLetter(
                "purchases",
                "purchases",
                {"id": "sandbox1-2", "user": {"email": "bob@invalid"}, "total": 1},
                "Iterable refused this record: invalid email",
            ),
        ],
    )
    (tmp_path / "notes.txt").write_text("not a dead-letter file")
    reasons = dead_lettered_subjects([tmp_path])
    assert reasons["sandbox1-2"] == "Iterable refused this record: invalid email"
    assert reasons["bob@invalid"] == "invalid email"  # normalised, as the reconciler names users


def test_dead_lettered_absences_are_explained_and_do_not_count() -> None:
    bc = bigcommerce([order(1, "10.00"), order(2, "5.50")], [])
    it = iterable([purchase(1, "10.00")], [user(ANN, count=2, spent="15.50", customer=7)])
    plain = reconcile(bc, it, start=START, end=END, tolerance=Tolerance())
    missing = [d for d in plain.discrepancies if d.kind == "purchase_missing"]
    assert len(missing) == 1
    assert not plain.agrees

    explained = reconcile(
        bc,
        it,
        start=START,
        end=END,
        tolerance=Tolerance(),
        dead_letters={missing[0].subject: "invalid email"},
    )
    assert [d.dead_letter for d in explained.discrepancies if d.kind == "purchase_missing"] == [
        "invalid email"
    ]
    assert explained.unexplained == [
        d for d in explained.discrepancies if d.kind != "purchase_missing"
    ]
    assert summary(explained)["dead_lettered_count"] == 1
    assert "1 more are in the dead-letter log" in verdict_text(explained)


def test_a_dead_letter_never_explains_a_duplicate_or_a_wrong_total() -> None:
    bc = bigcommerce([order(1, "10.00")], [])
    it = iterable([purchase(1, "9.99"), purchase(1, "9.99")], [user(ANN, count=1, spent="10.00")])
    subjects = {
        d.subject
        for d in reconcile(bc, it, start=START, end=END, tolerance=Tolerance()).discrepancies
    }
    result = reconcile(
        bc,
        it,
        start=START,
        end=END,
        tolerance=Tolerance(),
        dead_letters=dict.fromkeys(subjects, "refused"),
    )
    assert result.discrepancies
    assert all(not d.dead_letter for d in result.discrepancies)
    assert not result.agrees


def test_the_mappers_letters_explain_an_orders_purchase_and_a_customers_user(
    tmp_path: Path,
) -> None:
    """The mapper writes BigCommerce records (no operation) in the same format."""
    bad_order = {"id": 12, "store_hash": "store1", "total_inc_tax": "twelve"}
    bad_customer = {"id": None, "store_hash": "store1", "email": " Cy@Example.COM "}
    _write_letters(
        tmp_path / "map-bigcommerce-iterable-run.jsonl",
        [
            DeadLetter("orders", None, bad_order, "orders.total_inc_tax: expected a number",
                       field="total_inc_tax", rule=TAP_CONTRACT_RULE),
            DeadLetter("customers", None, bad_customer, "customers record: field id must be...",
                       field="id", rule=TAP_CONTRACT_RULE),
        ],
    )  # fmt: skip
    reasons = dead_lettered_subjects([tmp_path])
    assert reasons == {
        purchase_id("store1", 12): "orders.total_inc_tax: expected a number",
        "cy@example.com": "customers record: field id must be...",
    }
