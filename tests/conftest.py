"""Fixtures every test package can use."""

from __future__ import annotations

from pathlib import Path

import pytest

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
