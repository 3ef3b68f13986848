"""Each plugin installs alone: the shared contract is copied, never imported from a sibling."""

from __future__ import annotations

import ast
import importlib
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import sync_contract  # noqa: E402

# Each plugin's source folder and its import package.
PLUGINS = {
    "tap_bigcommerce": REPO_ROOT / "tap-bigcommerce" / "tap_bigcommerce",
    "map_bigcommerce_iterable": REPO_ROOT / "transforms" / "map_bigcommerce_iterable",
    "target_iterable": REPO_ROOT / "target-iterable" / "target_iterable",
}
# Packages of this repository that no published plugin can depend on.
UNPUBLISHED = {*PLUGINS, "sandbox", "bigcommerce_iterable_reconcile"}


@pytest.mark.parametrize("copy", sync_contract.COPIES, ids=lambda path: path.parent.name)
def test_contract_copy_matches_the_target(copy: Path) -> None:
    problems = sync_contract.drift(copy)
    assert not problems, (
        "The contract copies drifted from target-iterable/target_iterable/contract/ (edit that "
        "folder, then run `python scripts/sync_contract.py`):\n" + "\n".join(problems)
    )


def test_the_drift_check_notices_a_changed_copy(tmp_path: Path) -> None:
    copy = tmp_path / "contract"
    sync_contract.write_copy(copy)
    assert sync_contract.drift(copy) == []
    (copy / "redaction.py").write_text("# edited in the copy\n")
    (copy / "extra.py").write_text("")
    (copy / "schemas" / "users.schema.json").unlink()
    assert sync_contract.drift(copy) == [
        f"{copy / 'schemas/users.schema.json'} is missing",
        f"{copy / 'extra.py'} is not in {sync_contract.CANONICAL}",
        f"{copy / 'redaction.py'} differs from {sync_contract.CANONICAL / 'redaction.py'}",
    ]


def _imported_top_level_packages(source: Path) -> set[str]:
    tree = ast.parse(source.read_text(), filename=str(source))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", sorted(PLUGINS))
def test_plugin_imports_no_sibling(package: str) -> None:
    offending = {
        f"{path.relative_to(REPO_ROOT)} imports {name}"
        for path in PLUGINS[package].rglob("*.py")
        for name in _imported_top_level_packages(path) & (UNPUBLISHED - {package})
    }
    assert not offending, f"{package} must install alone from its own folder, but:\n" + "\n".join(
        sorted(offending)
    )


@pytest.mark.parametrize("package", sorted(PLUGINS))
def test_each_copy_reads_its_own_schemas(package: str) -> None:
    contract = importlib.import_module(f"{package}.contract")
    for operation in contract.OPERATIONS:
        assert contract.operation_schema(operation)["type"] == "object"
