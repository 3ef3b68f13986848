"""Settings (sandbox out of the box, the pipeline's environment variables, clear errors) and
the Iterable reader's planned, paced export calls against the emulator."""

from __future__ import annotations

import json
import logging
import subprocess
import sys
import time
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from bigcommerce_iterable_reconcile.cli import _parser
from bigcommerce_iterable_reconcile.config import ConfigError, load_config
from bigcommerce_iterable_reconcile.iterable_reader import (
    EXPORT_DATA,
    IterableReader,
    parse_moment,
)
from sandbox.generator.timeline import ORDERS_START
from sandbox.iterable.emulator import IterableEmulator
from sandbox.iterable.inspect import IterableInspector
from sandbox.iterable.testing import running_iterable
from target_iterable.client import IterableClient
from target_iterable.contract.redaction import Redactor
from target_iterable.settings import Settings
from target_iterable.stats import RunStats

SANDBOX = str(Path(sys.executable).with_name("sandbox"))
SECRET_TOKEN = "bc-token-5e2d71"
SECRET_KEY = "it-key-9a8b7c"


def _load(environ: dict[str, str], **options: object) -> object:
    defaults: dict[str, object] = {
        "config_path": None,
        "start": None,
        "end": None,
        "max_discrepancies": 0,
        "revenue_tolerance": "0",
        "export_rate_per_minute": 4.0,
        "max_lookups": 10,
        "check_lifetime_value": True,
        "check_catalog": True,
        "out_dir": Path("out"),
    }
    return load_config(**{**defaults, **options}, environ=environ)  # type: ignore[arg-type]


def test_no_credentials_means_the_sandbox_of_meltano_yml():
    config = _load({})
    assert config.sandbox
    assert config.bigcommerce.api_url == "http://127.0.0.1:8701"
    assert config.bigcommerce.store_hash == "sandbox1"
    assert config.iterable.api_url == "http://127.0.0.1:8702"
    assert config.start.date() == ORDERS_START.date()


def test_the_pipelines_environment_variables(tmp_path: Path):
    environ = {
        "TAP_BIGCOMMERCE_STORE_HASH": "abc123",
        "TAP_BIGCOMMERCE_ACCESS_TOKEN": SECRET_TOKEN,
        "TARGET_ITERABLE_API_KEY": SECRET_KEY,
        "TARGET_ITERABLE_API_URL": "https://api.eu.iterable.com",
        "BIGCOMMERCE_ITERABLE_MAPPER_PURCHASE_STATUS_IDS": "[2, 10]",
        "BIGCOMMERCE_ITERABLE_MAPPER_ITEM_ID_TEMPLATE": "p-{product_id}",
    }
    config = _load(environ, end="2024-07-01")
    assert not config.sandbox
    assert config.bigcommerce.api_url == "https://api.bigcommerce.com"
    assert config.iterable.api_url == "https://api.eu.iterable.com"
    assert config.mapper.purchase_status_ids == frozenset({2, 10})
    assert config.mapper.item_id_template == "p-{product_id}"
    assert config.start == datetime(2024, 6, 1, tzinfo=UTC)  # 30 days before --end
    described = config.describe()
    assert "abc123" in described
    assert SECRET_TOKEN not in described
    assert SECRET_KEY not in described
    # A --config file is read too; the environment wins over it.
    path = tmp_path / "reconcile.json"
    path.write_text(json.dumps({"target": {"catalog_name": "bc-products"}, "tap": {}}))
    assert _load(environ, config_path=path).iterable.catalog_name == "bc-products"


def test_errors_name_the_setting():
    with pytest.raises(ConfigError, match="TARGET_ITERABLE_API_KEY"):
        _load({"TAP_BIGCOMMERCE_STORE_HASH": "abc", "TAP_BIGCOMMERCE_ACCESS_TOKEN": "t"})
    with pytest.raises(ConfigError, match="identity_mode"):
        _load({"BIGCOMMERCE_ITERABLE_MAPPER_IDENTITY_MODE": "phone"})
    with pytest.raises(ConfigError, match="--start: expected a date"):
        _load({}, start="June")
    with pytest.raises(ConfigError, match="--revenue-tolerance"):
        _load({}, revenue_tolerance="a lot")


def test_export_dates_in_every_form_iterable_uses():
    expected = datetime(2024, 2, 1, 12, 0, tzinfo=UTC)
    assert parse_moment("2024-02-01 12:00:00 +00:00") == expected
    assert parse_moment("2024-02-01T12:00:00Z") == expected
    assert parse_moment(1706788800) == expected
    assert parse_moment(1706788800000) == expected
    assert parse_moment("not a date") is None


def _client(api_url: str, api_key: str, export_per_second: float) -> IterableClient:
    settings = Settings.from_config(
        {
            "api_key": api_key,
            "api_url": api_url,
            "rate_limits": {EXPORT_DATA.key: export_per_second},
        }
    )
    return IterableClient(settings, RunStats(), Redactor(api_key), logging.getLogger("test"))


def _export_counts(emulator: IterableEmulator, expected: int) -> dict[str, int]:
    """Export requests by status, once the log has `expected` of them (it is written after the
    answer is sent) or a deadline passed."""
    deadline = time.monotonic() + 10
    while True:
        counts = {k: n for k, n in emulator.request_counts().items() if "export" in k}
        if sum(counts.values()) >= expected or time.monotonic() > deadline:
            return counts
        time.sleep(0.02)


def test_export_calls_are_planned_and_spaced_without_a_429():
    """The emulator allows 2 exports a second with a burst of 2: three calls in a row would be
    refused; spaced at the configured 120 a minute they all pass."""
    with running_iterable(rate_limits={"export/data.json": 2.0}) as iterable:
        client = _client(iterable.api_url, iterable.api_key, 2.0)
        said: list[str] = []
        reader = IterableReader(
            client, catalog_name="products", export_rate_per_minute=120, progress=said.append
        )
        data = reader.read(
            datetime(2024, 1, 1, tzinfo=UTC),
            datetime(2024, 2, 1, tzinfo=UTC),
            buyers=set(),
            max_lookups=0,
            catalog=False,
        )
        client.close()
        exports = _export_counts(iterable.emulator, expected=3)
    assert data.purchases == []
    assert sum(exports.values()) == 3, exports
    assert not [key for key in exports if "429" in key], exports
    assert said[0].startswith("Iterable export: 3 requests planned at 120/min")
    assert any("export 3/3" in line for line in said)


def test_waiting_for_the_export_limit_shows_progress_and_eta():
    """Iterable's real 4 a minute, on a fake clock (the emulator is told to allow more)."""
    now = [1000.0]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    with running_iterable(rate_limits={"export/data.json": 100.0}) as iterable:
        client = _client(iterable.api_url, iterable.api_key, 100.0)
        said: list[str] = []
        reader = IterableReader(
            client,
            catalog_name="products",
            export_rate_per_minute=4,
            progress=said.append,
            clock=lambda: now[0],
            sleep=sleep,
        )
        reader.read(
            datetime(2024, 1, 1, tzinfo=UTC),
            datetime(2024, 2, 1, tzinfo=UTC),
            buyers=set(),
            max_lookups=0,
            catalog=False,
        )
        client.close()
    assert sum(slept) == pytest.approx(30.0)  # two waits of 15 s: 4 a minute
    assert max(slept) <= 5.0  # progress at least every 5 s
    assert "at least 30 s of waiting" in said[0]
    assert any("waiting 15 s for Iterable's export limit (ETA 30 s)" in line for line in said)


def _serve_rate(*args: str) -> float | None:
    process = subprocess.Popen(
        [SANDBOX, "serve", "--orders", "10", "--json", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        assert process.stdout is not None
        described = json.loads(process.stdout.readline())
        return IterableInspector(described["iterable"]["api_url"]).rate_limits()["export/data.json"]
    finally:
        process.terminate()
        process.wait(30)
        if process.stdout is not None:
            process.stdout.close()


def test_sandbox_serve_keeps_iterables_export_limit_unless_told():
    assert _serve_rate() == pytest.approx(4 / 60)
    assert _serve_rate("--iterable-export-rate-per-minute", "600") == pytest.approx(10.0)


def test_sandbox_start_matches_the_sandbox_store():
    assert date(2024, 1, 1) == ORDERS_START.date()


def test_readme_documents_every_option(repo_root: Path):
    readme = (repo_root / "README.md").read_text()
    section = readme.split("## Reconciliation", 1)[1].split("\n## ", 1)[0]
    options = [
        option
        for action in _parser()._actions
        for option in action.option_strings
        if option.startswith("--") and option not in ("--help", "--config")
    ]
    assert options
    for option in options:
        assert f"`{option}`" in section, option
    assert (repo_root / "docs" / "reconcile-report.png").stat().st_size < 300_000
