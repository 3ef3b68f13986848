"""A clone of the repository alone, with no ../shared beside it, has every spec its tests read.

The clone is of the committed HEAD (in CI: what was submitted). Its spec-reading tests (marked
`reads_api_specs` by tests/conftest.py) run there twice: with an empty spec cache they must end in
exactly one failure that says how to get the specs; with the cache filled through
`scripts/fetch_specs.py` (from a folder standing in for the upstream download) they must all pass.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO_ROOT / "scripts"))

import fetch_specs  # noqa: E402


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    # Without PYTEST_* or a parent's coverage/xdist settings leaking into the clone's run.
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST_")}
    # The clone shows that the spec files are there; the fuzzing's examples run in the suite.
    env["SPEC_FUZZ_SMOKE"] = "1"
    return subprocess.run(
        args, cwd=cwd, env=env, capture_output=True, text=True, timeout=600, check=False
    )


def _pytest_in(checkout: Path, *options: str) -> subprocess.CompletedProcess[str]:
    return _run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-m",
            "reads_api_specs",
            "-q",
            "-p",
            "no:cacheprovider",
            *options,
        ],
        checkout,
    )


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if not (REPO_ROOT / ".git").exists():
        pytest.fail(f"{REPO_ROOT} is not a git checkout: this test clones it")
    alone = tmp_path_factory.mktemp("empty-folder") / "repo"
    cloned = _run(
        ["git", "clone", "--quiet", "--no-hardlinks", str(REPO_ROOT), str(alone)], REPO_ROOT
    )
    assert cloned.returncode == 0, cloned.stderr
    assert not (alone.parent / "shared").exists()
    assert not list((alone / "specs" / "bigcommerce").glob("*.yml")), "spec files are committed"
    return alone


def test_without_the_specs_one_test_fails_and_says_how_to_get_them(clone: Path) -> None:
    fetch = _run([sys.executable, "scripts/fetch_specs.py", "--offline"], clone)
    assert fetch.returncode == 1
    assert "make specs" in fetch.stderr

    run = _pytest_in(clone)
    assert run.returncode == 1, run.stdout[-3000:]
    summary = run.stdout.strip().splitlines()[-1]
    assert re.search(r"\b1 error\b", summary), summary
    assert "failed" not in summary, summary
    assert "missing from" in run.stdout
    assert "make specs" in run.stdout


def test_with_the_specs_from_the_manifest_every_spec_test_passes(clone: Path) -> None:
    # Our own verified cache stands in for the upstream download: the clone gets the files only
    # through fetch_specs.py, which checks each against the manifest's sha256.
    source = clone.parent / "downloaded"
    shutil.copytree(REPO_ROOT / "specs" / "bigcommerce", source)
    fetch = _run(
        [sys.executable, "scripts/fetch_specs.py", "--offline", "--from", str(source)], clone
    )
    assert fetch.returncode == 0, fetch.stderr
    shutil.rmtree(source)

    run = _pytest_in(clone)
    assert run.returncode == 0, run.stdout[-3000:]
    passed = re.search(r"(\d+) passed", run.stdout)
    assert passed, run.stdout[-500:]
    here = _pytest_in(REPO_ROOT, "--collect-only")
    # Every spec-reading test of this checkout ran in the clone: none deselected for a missing file.
    collected = re.search(r"^(\d+)/\d+ tests collected", here.stdout, re.MULTILINE)
    assert collected, here.stdout[-500:]
    assert passed.group(1) == collected.group(1)


def test_a_file_that_differs_from_the_pin_is_never_used(tmp_path: Path) -> None:
    specs = tmp_path / "specs"
    specs.mkdir()
    shutil.copy(REPO_ROOT / "specs" / "bigcommerce" / "manifest.json", specs)
    source = tmp_path / "source"
    shutil.copytree(
        REPO_ROOT / "specs" / "bigcommerce", source, ignore=shutil.ignore_patterns("*.json")
    )
    tampered = source / "orders.v2.oas2.yml"
    tampered.write_bytes(tampered.read_bytes() + b"\n# edited\n")

    missing = fetch_specs.fetch(specs, source, offline=True)
    assert missing == ["orders.v2.oas2.yml"]
    assert not (specs / "orders.v2.oas2.yml").exists()
    assert fetch_specs.missing_files(specs) == ["orders.v2.oas2.yml"]
