"""Fixtures every test package can use."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from pg_server import PostgresServer, find_binaries, running_postgres

REPO_ROOT = Path(__file__).resolve().parent.parent
# CI and developers have the researched specs and notes in ../shared beside the checkout.
SHARED_DIR = REPO_ROOT.parent / "shared"


@pytest.fixture(scope="session")
def repo_root() -> Path:
    return REPO_ROOT


@pytest.fixture(scope="session")
def shared_specs() -> Path:
    """`../shared/specs`: BigCommerce OpenAPI files, Iterable Swagger, Meltano Hub schemas."""
    specs = SHARED_DIR / "specs"
    if not specs.is_dir():
        pytest.fail(f"The shared specs folder is missing: expected {specs}")
    return specs


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the session (Debian's `postgresql`, which `.ci/run` installs).

    Missing binaries fail the test with `REQUIRE_POSTGRES=1` (CI) and skip it, saying
    why, on a developer machine without them.
    """
    binaries = find_binaries()
    if binaries is None:
        reason = "PostgreSQL's initdb/pg_ctl not found (apt-get install postgresql)"
        if os.environ.get("REQUIRE_POSTGRES") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    with running_postgres(binaries) as server:
        yield server


@pytest.fixture
def postgres_url(postgres_server: PostgresServer) -> str:
    """The SQLAlchemy URL of a new, empty PostgreSQL database."""
    return postgres_server.new_database()
