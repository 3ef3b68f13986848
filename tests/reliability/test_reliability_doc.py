"""docs/RELIABILITY.md lists every catalogue row and every fault, so it cannot drift."""

from __future__ import annotations

from pathlib import Path

import pytest

from .catalogue import CATALOGUE
from .faults import FAULTS, OTHER_FAULT_KINDS

pytestmark = pytest.mark.reliability
DOCUMENT = Path(__file__).resolve().parents[2] / "docs" / "RELIABILITY.md"
REGENERATE = "run `make reliability` to regenerate docs/RELIABILITY.md"


def table_rows(document: str) -> set[str]:
    """The first cell of every table row (pipes in cells are escaped as `\\|`)."""
    cells = set()
    for line in document.splitlines():
        if line.startswith("| "):
            first = line[2:].replace("\\|", "\0").split(" |", 1)[0]
            cells.add(first.replace("\0", "|"))
    return cells


def test_the_document_lists_every_catalogue_row_and_fault() -> None:
    rows = table_rows(DOCUMENT.read_text())
    missing = [item.kind for item in CATALOGUE if item.kind not in rows]
    missing += [
        kind for kind in [f.kind for f in FAULTS] + list(OTHER_FAULT_KINDS) if kind not in rows
    ]
    assert missing == [], f"{missing}: {REGENERATE}"
    assert f"## Bad input catalogue ({len(CATALOGUE)} kinds)" in DOCUMENT.read_text(), REGENERATE


def test_no_row_of_the_document_was_left_unrun() -> None:
    assert "not run" not in DOCUMENT.read_text(), REGENERATE
    assert "LOST RECORDS" not in DOCUMENT.read_text()


def test_the_readme_links_the_document() -> None:
    readme = (DOCUMENT.parents[1] / "README.md").read_text()
    assert "(docs/RELIABILITY.md)" in readme
