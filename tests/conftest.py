"""Fixtures every test package can use."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# API specs the tests read, all inside the repository (specs/README.md): the Meltano Hub schemas
# are vendored; BigCommerce's OpenAPI files are pinned by specs/bigcommerce/manifest.json and
# fetched into that folder by `make specs`; Iterable's Swagger file is vendored with the emulator.
SPECS_DIR = REPO_ROOT / "specs"
BIGCOMMERCE_SPECS_DIR = SPECS_DIR / "bigcommerce"
ITERABLE_SWAGGER = REPO_ROOT / "sandbox" / "sandbox" / "iterable" / "spec" / "api-docs.json"

sys.path.insert(0, str(REPO_ROOT / "scripts"))
import fetch_specs  # noqa: E402
import pg_cluster  # noqa: E402

_MISSING_BIGCOMMERCE_SPECS = fetch_specs.missing_files(BIGCOMMERCE_SPECS_DIR)


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def bigcommerce_specs() -> Path:
    """The folder of BigCommerce's OpenAPI files, every one verified against the pinned manifest."""
    if _MISSING_BIGCOMMERCE_SPECS:
        pytest.fail(_missing_specs_message(), pytrace=False)
    return BIGCOMMERCE_SPECS_DIR


@pytest.fixture(scope="session")
def meltano_hub_specs() -> Path:
    """The Meltano Hub's plugin-definition schemas (vendored, Apache-2.0)."""
    return SPECS_DIR / "meltano-hub"


@pytest.fixture(scope="session")
def iterable_swagger() -> Path:
    return ITERABLE_SWAGGER


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[pg_cluster.PostgresServer]:
    """A real PostgreSQL server on loopback, started once per test session (tests/pg_cluster.py).

    Fails, never skips, where PostgreSQL is not installed: `.ci/run` installs it.
    """
    try:
        server = pg_cluster.start()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        detail = getattr(error, "stderr", b"") or b""
        pytest.fail(f"{error} {detail.decode(errors='replace')}".strip(), pytrace=False)
    yield server
    pg_cluster.stop(server)


# How many spec-reading tests were deselected for the missing files: the message counts them.
_deselected_for_missing_specs: list[pytest.Item] = []


def _missing_specs_message() -> str:
    return (
        f"BigCommerce's OpenAPI files are missing from {BIGCOMMERCE_SPECS_DIR} "
        f"({len(_MISSING_BIGCOMMERCE_SPECS)} files: {', '.join(_MISSING_BIGCOMMERCE_SPECS)}). "
        f"{len(_deselected_for_missing_specs)} more tests that read them were not run. "
        "Get them with `make specs`: it copies them from ../shared/specs/bigcommerce when that "
        "folder is beside the checkout, otherwise downloads them from the pinned upstream commit, "
        "verifying each sha256 (specs/README.md)."
    )


SPEC_FIXTURES = {"bigcommerce_specs", "meltano_hub_specs", "iterable_swagger"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the tests that read specs; without the BigCommerce ones, one test fails with one message
    (instead of a wall of errors) and the others that need them are deselected."""
    for item in items:
        if SPEC_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.reads_api_specs)
    if not _MISSING_BIGCOMMERCE_SPECS:
        return
    needing = [item for item in items if "bigcommerce_specs" in getattr(item, "fixturenames", ())]
    if len(needing) < 2:
        return
    keep, deselect = needing[0], set(needing[1:])
    _deselected_for_missing_specs[:] = deselect
    config.hook.pytest_deselected(items=list(deselect))
    items[:] = [item for item in items if item is keep or item not in deselect]


@pytest.fixture
def postgres_url(postgres_server: pg_cluster.PostgresServer) -> str:
    """The SQLAlchemy URL of a new, empty PostgreSQL database."""
    return postgres_server.new_database()
