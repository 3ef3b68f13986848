"""`make demo`: run the whole pipeline through Meltano and explain what happened.

With BigCommerce and Iterable credentials in the environment (TAP_BIGCOMMERCE_STORE_HASH,
TAP_BIGCOMMERCE_ACCESS_TOKEN, TARGET_ITERABLE_API_KEY) it runs the `prod` environment once.
Without them it starts the local emulators with a generated store, receives cart webhooks,
runs the pipeline, changes a few records in the store and runs it again, to show that the
second run is incremental. Everything it writes goes under `.demo/`.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sandbox.bigcommerce.inspect import BigCommerceInspector
from sandbox.common.server import free_port, wait_for_port
from sandbox.iterable.inspect import IterableInspector

REPO_ROOT = Path(__file__).resolve().parent.parent
DEMO_DIR = REPO_ROOT / ".demo"
PIPELINE = ["tap-bigcommerce", "map-bigcommerce-iterable", "target-iterable"]
PRODUCTION_VARIABLES = (
    "TAP_BIGCOMMERCE_STORE_HASH",
    "TAP_BIGCOMMERCE_ACCESS_TOKEN",
    "TARGET_ITERABLE_API_KEY",
)
DEMO_ORDERS = 1000
# The sandbox's export limit is raised from Iterable's 4/min so reconciling does not wait 30 s.
DEMO_EXPORTS_PER_MINUTE = 600
STARTUP_TIMEOUT_SECONDS = 60


@dataclass
class RunReport:
    """What one `meltano run` did, read from its JSON log and the emulators."""

    name: str
    seconds: float
    extracted: Counter[str] = field(default_factory=Counter)
    loaded: Counter[str] = field(default_factory=Counter)
    dead_letters: int = 0
    dead_letter_file: str | None = None
    iterable_calls: Counter[str] = field(default_factory=Counter)
    bigcommerce_calls: int = 0
    log_file: str = ""


def _say(text: str = "") -> None:
    print(text, flush=True)


def _meltano(args: list[str], env: dict[str, str], log_file: Path) -> float:
    started = time.monotonic()
    with log_file.open("w") as log:
        result = subprocess.run(
            ["meltano", "--log-format=json", *args],
            cwd=REPO_ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            check=False,
        )
    if result.returncode != 0:
        _say(f"meltano {' '.join(args)} failed (exit {result.returncode}); last log lines:")
        for line in log_file.read_text().splitlines()[-15:]:
            _say("  " + _log_text(line))
        sys.exit(result.returncode)
    return time.monotonic() - started


def _log_text(line: str) -> str:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return line
    return str(entry.get("event", line)) if isinstance(entry, dict) else line


def _record_counts(log_file: Path) -> tuple[Counter[str], Counter[str]]:
    """Records per stream: extracted by the tap, received by the target (SDK METRIC lines)."""
    extracted: Counter[str] = Counter()
    loaded: Counter[str] = Counter()
    for line in log_file.read_text().splitlines():
        try:
            entry = json.loads(line)
        except json.JSONDecodeError:
            continue
        metric = entry.get("metric_info") if isinstance(entry, dict) else None
        if not metric or metric.get("metric") != "record_count":
            continue
        stream = metric.get("tags", {}).get("stream", "?")
        plugin = entry.get("string_id", "")
        if plugin == "tap-bigcommerce":
            extracted[stream] += int(metric["value"])
        elif plugin == "target-iterable":
            loaded[stream] += int(metric["value"])
    return extracted, loaded


def _count_lines(path: Path) -> int:
    if not path.exists():
        return 0
    with path.open() as lines:
        return sum(1 for _ in lines)


def _calls_since(before: dict[str, int], after: dict[str, int]) -> Counter[str]:
    """Requests per endpoint between two snapshots, with the status kept in the key."""
    return Counter({key: count - before.get(key, 0) for key, count in after.items()}) + Counter()


def _print_run(report: RunReport) -> None:
    _say(f"\n== {report.name}: {report.seconds:.1f} s ==")
    _say("Extracted from BigCommerce (tap-bigcommerce), records per stream:")
    for stream, count in report.extracted.items():
        _say(f"  {stream:<16} {count:>6}")
    calls = report.bigcommerce_calls
    _say(f"  ({calls} BigCommerce API requests, paced to the store's quota: 150 per 30 s)")
    _say("Mapped and loaded into Iterable (target-iterable), records per operation:")
    for stream, count in sorted(report.loaded.items()):
        _say(f"  {stream:<16} {count:>6}")
    _say("Iterable API calls (endpoint and HTTP status):")
    for endpoint, count in sorted(report.iterable_calls.items()):
        _say(f"  {endpoint:<48} {count:>5}")
    if report.dead_letters:
        _say(
            f"Dead letters: {report.dead_letters} record(s) Iterable refused or that failed "
            f"validation, kept with the reason in {report.dead_letter_file}"
        )
        _say(
            "  (after fixing the cause: "
            f"target-iterable replay {report.dead_letter_file} --config ...)"
        )
    else:
        _say("Dead letters: none")
    _say(f"Full log: {report.log_file}")


def _cart_events(activity: dict[str, Any]) -> int:
    return sum(1 for event in activity.get("events", []) if event["scope"].startswith("store/cart"))


def _wait_for_deliveries(inspector: BigCommerceInspector, expected: int) -> None:
    """Wait until the emulator has delivered `expected` cart webhooks in all (bounded, polled)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        attempts = inspector.webhooks()["attempts"]
        if sum(1 for attempt in attempts if attempt["succeeded"]) >= expected:
            return
        time.sleep(0.2)
    _say("warning: not every cart webhook was delivered in time; cart events may be missing")


def _start_sandbox(env: dict[str, str]) -> tuple[subprocess.Popen[str], dict[str, Any]]:
    args = [
        "sandbox", "serve", "--seed", "1", "--orders", str(DEMO_ORDERS),
        "--bigcommerce-port", str(free_port()), "--iterable-port", str(free_port()),
        "--webhook-retry-scale", "0.01", "--json",
        "--iterable-export-rate-per-minute", str(DEMO_EXPORTS_PER_MINUTE),
    ]  # fmt: skip
    log = (DEMO_DIR / "sandbox.log").open("w")
    process = subprocess.Popen(
        args, cwd=REPO_ROOT, env=env, stdout=subprocess.PIPE, stderr=log, text=True
    )
    assert process.stdout is not None
    first_line = process.stdout.readline()  # `--json` prints the URLs once it listens
    if not first_line:
        msg = f"the sandbox did not start; see {DEMO_DIR / 'sandbox.log'}"
        raise RuntimeError(msg)
    endpoints: dict[str, Any] = json.loads(first_line)
    return process, endpoints


def _pipeline_env(bigcommerce: dict[str, str], iterable: dict[str, str]) -> dict[str, str]:
    """Meltano reads each plugin setting from `<PLUGIN>_<SETTING>` environment variables."""
    return {
        **os.environ,
        "MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false",
        "TAP_BIGCOMMERCE_API_URL": bigcommerce["api_url"],
        "TAP_BIGCOMMERCE_STORE_HASH": bigcommerce["store_hash"],
        "TAP_BIGCOMMERCE_ACCESS_TOKEN": bigcommerce["access_token"],
        "TAP_BIGCOMMERCE_INBOX_URL": f"sqlite:///{DEMO_DIR / 'webhook-inbox.sqlite'}",
        "TAP_BIGCOMMERCE_WEBHOOK_SECRET": secrets.token_urlsafe(24),
        "TARGET_ITERABLE_API_URL": iterable["api_url"],
        "TARGET_ITERABLE_API_KEY": iterable["api_key"],
        "BIGCOMMERCE_ITERABLE_MAPPER_DATABASE_URL": f"sqlite:///{DEMO_DIR / 'mapper.sqlite'}",
        # A fresh Iterable emulator each demo, so a fresh delivery ledger too.
        "TARGET_ITERABLE_DATABASE_URL": f"sqlite:///{DEMO_DIR / 'ledger.sqlite'}",
        # A fresh store each demo, so a fresh Meltano state database too.
        "MELTANO_DATABASE_URI": f"sqlite:///{DEMO_DIR / 'meltano.db'}",
    }


def _start_receiver(env: dict[str, str], bigcommerce: dict[str, str]) -> subprocess.Popen[bytes]:
    """The webhook receiver writes cart events to the inbox the tap reads; register it."""
    port = free_port()
    log = (DEMO_DIR / "webhook-receiver.log").open("w")
    args = ["tap-bigcommerce-webhooks", "serve", "--port", str(port)]
    receiver = subprocess.Popen(args, cwd=REPO_ROOT, env=env, stdout=log, stderr=log)
    wait_for_port(port, STARTUP_TIMEOUT_SECONDS)
    tap_config = DEMO_DIR / "tap-config.json"
    tap_config.write_text(
        json.dumps({k: bigcommerce[k] for k in ("api_url", "store_hash", "access_token")})
    )
    destination = f"http://127.0.0.1:{port}/webhooks/bigcommerce"
    register = [
        "tap-bigcommerce-webhooks",
        "register",
        "--config",
        str(tap_config),
        "--destination",
        destination,
    ]
    subprocess.run(register, env=env, check=True, capture_output=True)
    tap_config.unlink()  # it holds the access token
    return receiver


def run_sandbox_demo() -> int:
    started = time.monotonic()
    shutil.rmtree(DEMO_DIR, ignore_errors=True)
    DEMO_DIR.mkdir()
    _say("BigCommerce -> Iterable demo, against local emulators of both APIs (no account needed).")
    _say(f"1. Generating a store with {DEMO_ORDERS} orders and starting the emulators ...")
    sandbox, endpoints = _start_sandbox(dict(os.environ))
    bigcommerce, iterable = endpoints["bigcommerce"], endpoints["iterable"]
    _say(f"   BigCommerce API: {bigcommerce['api_url']}/stores/{bigcommerce['store_hash']}")
    _say(f"   Iterable API:    {iterable['api_url']}/api")
    env = _pipeline_env(bigcommerce, iterable)
    bc_inspector = BigCommerceInspector(bigcommerce["api_url"])
    iterable_inspector = IterableInspector(iterable["api_url"])
    _say("2. Starting the webhook receiver (carts only arrive by webhook) and registering it ...")
    receiver = _start_receiver(env, bigcommerce)
    try:
        activity = bc_inspector.simulate_cart_activity()
        expected_deliveries = _cart_events(activity)
        _say(f"   shoppers used carts: {_describe_activity(activity)}")
        _wait_for_deliveries(bc_inspector, expected_deliveries)

        _say("3. Running: meltano run " + " ".join(PIPELINE))
        reports = [
            _run_once(
                "Run 1: first sync, the whole history", 1, env, bc_inspector, iterable_inspector
            )
        ]
        _print_run(reports[0])

        delta = bc_inspector.apply_delta()
        changed = ", ".join(f"{len(ids)} {kind}" for kind, ids in delta.items())
        _say(f"\n4. Changing the store: {changed}; more cart activity ...")
        expected_deliveries += _cart_events(bc_inspector.simulate_cart_activity())
        _wait_for_deliveries(bc_inspector, expected_deliveries)
        _say("5. Running the pipeline again: only what changed is sent.")
        reports.append(_run_once("Run 2: incremental", 2, env, bc_inspector, iterable_inspector))
        _print_run(reports[1])
        summary = iterable_inspector.summary()
        _reconcile(env)
    finally:
        for process in (receiver, sandbox):
            process.terminate()
            process.wait(10)
    total = time.monotonic() - started
    _write_report(reports, summary, total)
    _say("\n== In Iterable now ==")
    for key in ("users", "events", "purchases", "carts", "catalogs"):
        _say(f"  {key:<10} {summary.get(key)}")
    _say(f"\nDone in {total:.0f} s. Report: {DEMO_DIR / 'report.md'} (and report.json, logs).")
    return 0


def _reconcile(env: dict[str, str]) -> None:
    _say(
        "\n6. Reconciling: bigcommerce-iterable-reconcile (the sandbox allows "
        f"{DEMO_EXPORTS_PER_MINUTE} exports/min instead of Iterable's 4, so it does not wait)"
    )
    command = [
        "bigcommerce-iterable-reconcile", "--start", "2024-01-01", "--quiet",
        "--export-rate-per-minute", str(DEMO_EXPORTS_PER_MINUTE),
        "--out-dir", str(DEMO_DIR / "reconcile"),
    ]  # fmt: skip
    for dead_letter_file in sorted(DEMO_DIR.glob("*dead-letters-run-*.jsonl")):
        command += ["--dead-letters", str(dead_letter_file)]
    result = subprocess.run(
        command, cwd=REPO_ROOT, env=env, capture_output=True, text=True, check=False
    )
    # Exit 1 is a verdict (they disagree), not a failure of the demo: show it either way.
    for line in (result.stdout.strip().splitlines() or result.stderr.strip().splitlines())[-2:]:
        _say("   " + line)


def _describe_activity(activity: dict[str, Any]) -> str:
    by_outcome: dict[str, list[str]] = activity.get("by_outcome", {})
    return ", ".join(f"{len(carts)} {outcome}" for outcome, carts in by_outcome.items()) or "none"


def _run_once(
    title: str,
    number: int,
    env: dict[str, str],
    bc_inspector: BigCommerceInspector,
    iterable_inspector: IterableInspector,
) -> RunReport:
    dead_letter_file = DEMO_DIR / f"dead-letters-run-{number}.jsonl"
    log_file = DEMO_DIR / f"run-{number}.log"
    run_env = {
        **env,
        "TARGET_ITERABLE_DEAD_LETTER_PATH": str(dead_letter_file),
        "BIGCOMMERCE_ITERABLE_MAPPER_DEAD_LETTER_PATH": str(
            DEMO_DIR / f"mapper-dead-letters-run-{number}.jsonl"
        ),
        "TAP_BIGCOMMERCE_DEAD_LETTER_PATH": str(DEMO_DIR / f"tap-dead-letters-run-{number}.jsonl"),
    }
    iterable_before = iterable_inspector.request_counts()
    bc_before = sum(bc_inspector.request_counts().values())
    seconds = _meltano(["--environment", "sandbox", "run", *PIPELINE], run_env, log_file)
    extracted, loaded = _record_counts(log_file)
    return RunReport(
        name=title,
        seconds=seconds,
        extracted=extracted,
        loaded=loaded,
        dead_letters=_count_lines(dead_letter_file),
        dead_letter_file=str(dead_letter_file.relative_to(REPO_ROOT)),
        iterable_calls=_calls_since(iterable_before, iterable_inspector.request_counts()),
        bigcommerce_calls=sum(bc_inspector.request_counts().values()) - bc_before,
        log_file=str(log_file.relative_to(REPO_ROOT)),
    )


def _write_report(
    reports: list[RunReport], iterable_summary: dict[str, Any], seconds: float
) -> None:
    data = {
        "seconds": round(seconds, 1),
        "runs": [
            {
                "name": r.name,
                "seconds": round(r.seconds, 1),
                "extracted": dict(r.extracted),
                "loaded": dict(r.loaded),
                "dead_letters": r.dead_letters,
                "dead_letter_file": r.dead_letter_file,
                "iterable_calls": dict(r.iterable_calls),
                "bigcommerce_calls": r.bigcommerce_calls,
                "log_file": r.log_file,
            }
            for r in reports
        ],
        "iterable": iterable_summary,
    }
    (DEMO_DIR / "report.json").write_text(json.dumps(data, indent=2) + "\n")
    lines = ["# Demo report", "", f"Total time: {seconds:.0f} s", ""]
    for r in reports:
        lines += [
            f"## {r.name} ({r.seconds:.1f} s)",
            "",
            "| stream | extracted | loaded |",
            "|---|---:|---:|",
        ]
        for stream in sorted(set(r.extracted) | set(r.loaded)):
            lines.append(
                f"| {stream} | {r.extracted.get(stream, '')} | {r.loaded.get(stream, '')} |"
            )
        lines += [
            "",
            f"BigCommerce requests: {r.bigcommerce_calls}",
            "",
            "| Iterable call | count |",
            "|---|---:|",
        ]
        lines += [f"| {k} | {v} |" for k, v in sorted(r.iterable_calls.items())]
        lines += [
            "",
            f"Dead letters: {r.dead_letters} ({r.dead_letter_file})",
            f"Log: {r.log_file}",
            "",
        ]
    (DEMO_DIR / "report.md").write_text("\n".join(lines))


def run_production() -> int:
    DEMO_DIR.mkdir(exist_ok=True)
    _say("Credentials found: running the `prod` environment against the real APIs.")
    log_file = DEMO_DIR / "prod-run.log"
    seconds = _meltano(["--environment", "prod", "run", *PIPELINE], dict(os.environ), log_file)
    extracted, loaded = _record_counts(log_file)
    _print_run(RunReport("Production run", seconds, extracted, loaded, log_file=str(log_file)))
    return 0


def main() -> int:
    if all(os.environ.get(name) for name in PRODUCTION_VARIABLES):
        return run_production()
    missing = [name for name in PRODUCTION_VARIABLES if not os.environ.get(name)]
    _say(f"(No credentials: {', '.join(missing)} unset, so the demo uses the local sandbox.)\n")
    return run_sandbox_demo()


if __name__ == "__main__":
    sys.exit(main())
