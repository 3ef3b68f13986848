"""Copies the shared contract from the target into the mapper and the tap.

    python scripts/sync_contract.py          # rewrite the copies from the canonical folder
    python scripts/sync_contract.py --check  # exit 1 naming every file that differs

The record contract and the dead-letter format live in `target_iterable/contract/`. Each plugin is
published on its own (Meltano Hub installs it from its own subdirectory), and a dependency on an
unpublished sibling cannot be installed, so the other plugins ship a byte-for-byte copy under
their own package name instead of importing the target.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
CANONICAL = REPO_ROOT / "target-iterable" / "target_iterable" / "contract"
COPIES = (
    REPO_ROOT / "transforms" / "map_bigcommerce_iterable" / "contract",
    REPO_ROOT / "tap-bigcommerce" / "tap_bigcommerce" / "contract",
)


def contract_files(folder: Path) -> dict[str, bytes]:
    """Every file of a contract folder by relative path (bytecode caches left out)."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def drift(copy: Path) -> list[str]:
    """What differs between the canonical contract and one copy, one line per file."""
    expected, actual = contract_files(CANONICAL), contract_files(copy)
    problems = [f"{copy / name} is missing" for name in sorted(set(expected) - set(actual))]
    problems += [
        f"{copy / name} is not in {CANONICAL}" for name in sorted(set(actual) - set(expected))
    ]
    problems += [
        f"{copy / name} differs from {CANONICAL / name}"
        for name in sorted(set(expected) & set(actual))
        if expected[name] != actual[name]
    ]
    return problems


def write_copy(copy: Path) -> None:
    if copy.exists():
        shutil.rmtree(copy)
    shutil.copytree(CANONICAL, copy, ignore=shutil.ignore_patterns("__pycache__"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report copies that drifted")
    args = parser.parse_args(argv)
    problems = [problem for copy in COPIES for problem in drift(copy)]
    if args.check:
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    for copy in COPIES:
        write_copy(copy)
        print(f"wrote {copy.relative_to(REPO_ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
