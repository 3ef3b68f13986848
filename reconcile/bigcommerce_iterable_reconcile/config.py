"""Settings: the pipeline's own credentials (the same environment variables Meltano uses, and/or a
`--config` JSON), the mapper's rules, the date range and the tolerance.

With no credentials at all it points at the local sandbox, with the fixed sandbox credentials of
`meltano.yml`'s `sandbox` environment
(`sandbox serve --bigcommerce-port 8701 --iterable-port 8702`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from jsonschema import Draft7Validator
from singer_sdk.exceptions import ConfigValidationError

from bigcommerce_iterable_reconcile.compare import Checks, Tolerance
from map_bigcommerce_iterable.settings import CONFIG_JSONSCHEMA, MapperSettings
from tap_bigcommerce.api import RetrySettings, StoreSettings

# The sandbox's fixed credentials (not secrets), as in meltano.yml's `sandbox` environment.
SANDBOX_TAP = {
    "api_url": "http://127.0.0.1:8701",
    "store_hash": "sandbox1",
    "access_token": "sandbox-bc-token",
}
SANDBOX_TARGET = {"api_url": "http://127.0.0.1:8702", "api_key": "sandbox-iterable-key"}
# The sandbox store's history starts here (sandbox.generator.timeline.ORDERS_START).
SANDBOX_START = date(2024, 1, 1)
DEFAULT_DAYS = 30
EXPORT_RATE_PER_MINUTE = 4.0  # Iterable: GET /api/export/data.json, 4 requests/minute/project

TAP_ENV = "TAP_BIGCOMMERCE_"
TARGET_ENV = "TARGET_ITERABLE_"
MAPPER_ENV = "BIGCOMMERCE_ITERABLE_MAPPER_"


class ConfigError(Exception):
    """A missing or invalid setting; the message names it (never its secret value)."""


@dataclass(frozen=True)
class IterableSettings:
    api_url: str
    api_key: str
    catalog_name: str


@dataclass(frozen=True)
class ReconcileConfig:
    bigcommerce: StoreSettings
    iterable: IterableSettings
    mapper: MapperSettings
    start: datetime
    end: datetime
    tolerance: Tolerance
    checks: Checks
    export_rate_per_minute: float
    max_lookups: int
    out_dir: Path
    sandbox: bool

    def describe(self) -> str:
        """Where it reads from, without a secret."""
        where = "the local sandbox" if self.sandbox else "the configured accounts"
        return (
            f"{where}: BigCommerce store {self.bigcommerce.store_hash} at "
            f"{self.bigcommerce.api_url}, Iterable at {self.iterable.api_url}; "
            f"{self.start:%Y-%m-%d} to {self.end:%Y-%m-%d} (end exclusive, UTC)"
        )


def _section(values: Mapping[str, Any], name: str) -> dict[str, Any]:
    section = values.get(name) or {}
    if not isinstance(section, dict):
        msg = f"--config: {name!r} must be an object of {name} settings"
        raise ConfigError(msg)
    return dict(section)


def _from_env(prefix: str, names: list[str], environ: Mapping[str, str]) -> dict[str, Any]:
    return {
        name: environ[prefix + name.upper()] for name in names if environ.get(prefix + name.upper())
    }


def _mapper_settings(file_values: dict[str, Any], environ: Mapping[str, str]) -> MapperSettings:
    properties: dict[str, Any] = CONFIG_JSONSCHEMA["properties"]
    values = {name: spec["default"] for name, spec in properties.items() if "default" in spec}
    values.update(file_values)
    for name, spec in properties.items():
        raw = environ.get(MAPPER_ENV + name.upper())
        if raw is None or raw == "":
            continue
        kinds = spec.get("type")
        structured = any(
            kind in ("array", "object", "integer", "number", "boolean")
            for kind in (kinds if isinstance(kinds, list) else [kinds])
        )
        try:
            values[name] = json.loads(raw) if structured else raw
        except json.JSONDecodeError as exc:
            msg = f"{MAPPER_ENV}{name.upper()}: expected JSON ({exc})"
            raise ConfigError(msg) from exc
    problem = next(iter(Draft7Validator(CONFIG_JSONSCHEMA).iter_errors(values)), None)
    if problem is not None:
        where = ".".join(str(part) for part in problem.absolute_path) or "mapper"
        msg = f"mapper setting {where}: {problem.message}"
        raise ConfigError(msg)
    try:
        return MapperSettings.from_config(values)
    except ConfigValidationError as exc:
        msg = f"mapper settings: {exc}"
        raise ConfigError(msg) from exc


def _utc_day(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        msg = f"{name}: expected a date YYYY-MM-DD, got {value!r}"
        raise ConfigError(msg) from exc


def load_config(
    *,
    config_path: Path | None,
    start: str | None,
    end: str | None,
    max_discrepancies: int,
    revenue_tolerance: str,
    export_rate_per_minute: float,
    max_lookups: int,
    check_lifetime_value: bool,
    check_catalog: bool,
    out_dir: Path,
    environ: Mapping[str, str] | None = None,
) -> ReconcileConfig:
    environ = os.environ if environ is None else environ
    file_values: dict[str, Any] = {}
    if config_path is not None:
        try:
            loaded = json.loads(config_path.read_text())
        except (OSError, json.JSONDecodeError) as exc:
            msg = f"--config {config_path}: {exc}"
            raise ConfigError(msg) from exc
        if not isinstance(loaded, dict):
            msg = f"--config {config_path}: expected an object with tap/target/mapper sections"
            raise ConfigError(msg)
        file_values = loaded
    tap = {
        **_section(file_values, "tap"),
        **_from_env(TAP_ENV, ["api_url", "store_hash", "access_token"], environ),
    }
    target = {
        **_section(file_values, "target"),
        **_from_env(TARGET_ENV, ["api_url", "api_key", "catalog_name"], environ),
    }
    credentials = [tap.get("store_hash"), tap.get("access_token"), target.get("api_key")]
    sandbox = not any(credentials)
    if sandbox:
        tap = {**SANDBOX_TAP, **tap}
        target = {**SANDBOX_TARGET, **target}
    missing = [
        name
        for name, value in (
            ("TAP_BIGCOMMERCE_STORE_HASH (tap.store_hash)", tap.get("store_hash")),
            ("TAP_BIGCOMMERCE_ACCESS_TOKEN (tap.access_token)", tap.get("access_token")),
            ("TARGET_ITERABLE_API_KEY (target.api_key)", target.get("api_key")),
        )
        if not value
    ]
    if missing:
        msg = f"missing setting(s): {', '.join(missing)}"
        raise ConfigError(msg)

    end_day = _utc_day(end, "--end") or (datetime.now(UTC).date() + timedelta(days=1))
    default_start = SANDBOX_START if sandbox else end_day - timedelta(days=DEFAULT_DAYS)
    start_day = _utc_day(start, "--start") or default_start
    if start_day >= end_day:
        msg = f"--start ({start_day}) must be before --end ({end_day})"
        raise ConfigError(msg)
    try:
        tolerance = Tolerance(max_discrepancies, Decimal(revenue_tolerance))
    except ArithmeticError as exc:
        msg = f"--revenue-tolerance: expected an amount, got {revenue_tolerance!r}"
        raise ConfigError(msg) from exc
    if max_discrepancies < 0 or tolerance.revenue < 0:
        msg = "--max-discrepancies and --revenue-tolerance must not be negative"
        raise ConfigError(msg)
    if export_rate_per_minute <= 0:
        msg = "--export-rate-per-minute must be positive"
        raise ConfigError(msg)
    return ReconcileConfig(
        bigcommerce=StoreSettings(
            api_url=str(tap.get("api_url") or "https://api.bigcommerce.com"),
            store_hash=str(tap["store_hash"]),
            access_token=str(tap["access_token"]),
            user_agent="bigcommerce-iterable-reconcile",
            timeout_seconds=float(tap.get("request_timeout", 60)),
            # Someone is waiting for the answer: shorter backoff than the tap's scheduled runs.
            retry=RetrySettings(
                max_retries=int(tap.get("max_retries", 4)),
                backoff_base_seconds=1.0,
                backoff_max_seconds=30.0,
            ),
        ),
        iterable=IterableSettings(
            api_url=str(target.get("api_url") or "https://api.iterable.com").rstrip("/"),
            api_key=str(target["api_key"]),
            catalog_name=str(target.get("catalog_name") or "products"),
        ),
        mapper=_mapper_settings(_section(file_values, "mapper"), environ),
        start=datetime.combine(start_day, datetime.min.time(), tzinfo=UTC),
        end=datetime.combine(end_day, datetime.min.time(), tzinfo=UTC),
        tolerance=tolerance,
        checks=Checks(lifetime_value=check_lifetime_value, catalog=check_catalog),
        export_rate_per_minute=export_rate_per_minute,
        max_lookups=max_lookups,
        out_dir=out_dir,
        sandbox=sandbox,
    )
