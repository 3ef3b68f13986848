"""`bigcommerce-iterable-reconcile`: do BigCommerce and Iterable agree for a date range?

    bigcommerce-iterable-reconcile --start 2024-06-01 --end 2024-07-01
    bigcommerce-iterable-reconcile --config reconcile.json --max-discrepancies 5

Credentials: the pipeline's own environment variables (TAP_BIGCOMMERCE_STORE_HASH,
TAP_BIGCOMMERCE_ACCESS_TOKEN, TAP_BIGCOMMERCE_API_URL, TARGET_ITERABLE_API_KEY,
TARGET_ITERABLE_API_URL, BIGCOMMERCE_ITERABLE_MAPPER_*) and/or --config JSON
{"tap": {...}, "target": {...}, "mapper": {...}}; none at all means the local sandbox.

Exit status: 0 within tolerance, 1 more discrepancies than tolerated, 2 on errors.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import requests
from singer_sdk.exceptions import FatalAPIError

from bigcommerce_iterable_reconcile.bigcommerce_reader import BigCommerceReader
from bigcommerce_iterable_reconcile.compare import Reconciliation, reconcile
from bigcommerce_iterable_reconcile.config import (
    EXPORT_RATE_PER_MINUTE,
    ConfigError,
    ReconcileConfig,
    load_config,
)
from bigcommerce_iterable_reconcile.dead_letters import dead_lettered_subjects
from bigcommerce_iterable_reconcile.iterable_reader import (
    EXPORT_DATA,
    IterableReader,
    IterableReadError,
)
from bigcommerce_iterable_reconcile.report import summary, terminal_table
from bigcommerce_iterable_reconcile.report_html import render_html
from map_bigcommerce_iterable.normalise import NormalisationError
from tap_bigcommerce.api import BigCommerceAPI
from target_iterable.client import IterableClient
from target_iterable.contract.redaction import Redactor
from target_iterable.settings import Settings
from target_iterable.stats import RunStats

EXIT_AGREE, EXIT_DISAGREE, EXIT_ERROR = 0, 1, 2
SANDBOX_HINT = "the sandbox: `uv run sandbox serve --bigcommerce-port 8701 --iterable-port 8702`"
LOGGER = logging.getLogger("bigcommerce_iterable_reconcile")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bigcommerce-iterable-reconcile",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--config", type=Path, help="JSON with tap/target/mapper settings")
    parser.add_argument(
        "--start", help="first day, YYYY-MM-DD (UTC; default: 30 days before --end)"
    )
    parser.add_argument("--end", help="day after the last, YYYY-MM-DD (default: tomorrow)")
    parser.add_argument(
        "--max-discrepancies",
        type=int,
        default=0,
        help="discrepancies tolerated before exiting 1 (default 0)",
    )
    parser.add_argument(
        "--revenue-tolerance",
        default="0",
        help="amount a purchase, a day's revenue or a lifetime value may differ by (default 0)",
    )
    parser.add_argument(
        "--export-rate-per-minute",
        type=float,
        default=EXPORT_RATE_PER_MINUTE,
        help="Iterable export requests per minute (Iterable allows 4 per project; default 4)",
    )
    parser.add_argument(
        "--max-lookups",
        type=int,
        default=1000,
        help="buyers missing from the user export that are looked up one by one (default 1000)",
    )
    parser.add_argument(
        "--no-lifetime-value",
        action="store_true",
        help="skip the lifetime value check (it reads every order, not only the range)",
    )
    parser.add_argument("--no-catalog", action="store_true", help="skip the catalog check")
    parser.add_argument(
        "--dead-letters",
        type=Path,
        action="append",
        default=[],
        metavar="PATH",
        help="the target's dead-letter file or folder (repeatable): absences it accounts for are "
        "listed with their reason and not counted against the tolerance",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=Path("reconcile-report"),
        help="where report.html and report.json go (default ./reconcile-report)",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress lines on stderr")
    return parser


def _progress(quiet: bool) -> Callable[[str], None]:
    def say(message: str) -> None:
        if not quiet:
            print(message, file=sys.stderr, flush=True)

    return say


def run(
    config: ReconcileConfig, quiet: bool = False, dead_letters: Mapping[str, str] | None = None
) -> Reconciliation:
    progress = _progress(quiet)
    progress(f"Reconciling {config.describe()}")
    api = BigCommerceAPI(config.bigcommerce)
    bigcommerce = BigCommerceReader(api, config.mapper, progress).read(
        config.start,
        config.end,
        whole_history=config.checks.lifetime_value,
        products=config.checks.catalog,
    )
    buyers = {
        o.person
        for o in bigcommerce.orders
        if o.person and o.qualifies and config.start <= o.created < config.end
    }
    settings = Settings.from_config(
        {
            "api_key": config.iterable.api_key,
            "api_url": config.iterable.api_url,
            "catalog_name": config.iterable.catalog_name,
            "rate_limits": {EXPORT_DATA.key: config.export_rate_per_minute / 60.0},
            "max_retries": 5,
            "retry_max_delay": 30.0,
        }
    )
    client = IterableClient(settings, RunStats(), Redactor(config.iterable.api_key), LOGGER)
    try:
        iterable = IterableReader(
            client,
            catalog_name=config.iterable.catalog_name,
            export_rate_per_minute=config.export_rate_per_minute,
            progress=progress,
        ).read(
            config.start,
            config.end,
            buyers=buyers,
            max_lookups=config.max_lookups,
            catalog=config.checks.catalog,
        )
    finally:
        client.close()
    return reconcile(
        bigcommerce,
        iterable,
        start=config.start,
        end=config.end,
        tolerance=config.tolerance,
        checks=config.checks,
        dead_letters=dead_letters,
    )


def write_reports(result: Reconciliation, out_dir: Path) -> tuple[Path, Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    html_path, json_path = out_dir / "report.html", out_dir / "report.json"
    html_path.write_text(render_html(result), encoding="utf-8")
    json_path.write_text(json.dumps(summary(result), indent=2) + "\n", encoding="utf-8")
    return html_path, json_path


def _dead_letters(paths: list[Path]) -> dict[str, str]:
    missing = [str(path) for path in paths if not path.exists()]
    if missing:
        msg = f"--dead-letters: no such file or folder: {', '.join(missing)}"
        raise ConfigError(msg)
    try:
        return dead_lettered_subjects(paths)
    except ValueError as exc:
        msg = f"--dead-letters: {exc}"
        raise ConfigError(msg) from exc


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    redactor = Redactor()  # the secrets, once known: no error message may show them
    hint = ""
    try:
        config = load_config(
            config_path=args.config,
            start=args.start,
            end=args.end,
            max_discrepancies=args.max_discrepancies,
            revenue_tolerance=args.revenue_tolerance,
            export_rate_per_minute=args.export_rate_per_minute,
            max_lookups=args.max_lookups,
            check_lifetime_value=not args.no_lifetime_value,
            check_catalog=not args.no_catalog,
            out_dir=args.out_dir,
        )
        redactor = Redactor(config.bigcommerce.access_token, config.iterable.api_key)
        if config.sandbox:
            hint = f" (no credentials set, so this used {SANDBOX_HINT})"
        result = run(config, quiet=args.quiet, dead_letters=_dead_letters(args.dead_letters))
    except ConfigError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_ERROR
    except (FatalAPIError, IterableReadError, NormalisationError) as exc:
        # The tap's and target's clients name the request, never the token or key; an answer's
        # text could still echo one, so it is redacted once more.
        print(f"error: {redactor.text(str(exc))}{hint}", file=sys.stderr)
        return EXIT_ERROR
    except requests.RequestException as exc:
        print(f"error: could not reach an API: {type(exc).__name__}{hint}", file=sys.stderr)
        return EXIT_ERROR
    html_path, json_path = write_reports(result, config.out_dir)
    print(terminal_table(result))
    print(f"Report: {html_path} (summary: {json_path})")
    return EXIT_AGREE if result.agrees else EXIT_DISAGREE
