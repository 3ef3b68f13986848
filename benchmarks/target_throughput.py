"""target-iterable: validation speed, end-to-end throughput and memory against the emulator.

Run: `uv run python benchmarks/target_throughput.py [--users N] [--events N] [--purchases N]`.
Rate limits are lifted on both sides so the target's own cost is measured, not Iterable's pacing.
End to end runs twice: with the emulator in the same process (shares the GIL with the target) and
with `sandbox serve` in its own process (closer to a real deployment).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import resource
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager, redirect_stdout
from pathlib import Path
from typing import Any

from singer_sdk.sinks.core import JSONSchemaValidator

from sandbox.iterable.inspect import IterableInspector
from sandbox.iterable.testing import running_iterable
from target_iterable.contract import operation_schema
from target_iterable.target import TargetIterable
from target_iterable.validation import RecordValidator

UNLIMITED_EMULATOR = {
    "users/bulkUpdate": 100_000.0,
    "events/trackBulk": 100_000.0,
    "commerce/trackPurchase": 100_000.0,
}
UNLIMITED_TARGET = {
    "users_bulk_update": 100_000.0,
    "events_track_bulk": 100_000.0,
    "track_purchase": 100_000.0,
}


def _user(i: int) -> dict[str, Any]:
    return {
        "email": f"user{i}@example.com",
        "dataFields": {
            "firstName": "Ada",
            "lastName": "Lovelace",
            "signupDate": "2024-03-10 02:30:00 +00:00",
            "ordersCount": i % 17,
            "lifetimeValue": 25.5,
            "tags": ["vip", "newsletter"],
        },
    }


def _event(i: int, users: int) -> dict[str, Any]:
    return {
        "email": f"user{i % users}@example.com",
        "eventName": "productViewed",
        "id": f"event-{i}",
        "createdAt": 1_700_000_000 + i,
        "dataFields": {"productId": i % 500, "price": 12.5},
    }


def _purchase(i: int, users: int) -> dict[str, Any]:
    return {
        "id": f"order-{i}",
        "user": {"email": f"user{i % users}@example.com"},
        "items": [{"id": "111", "name": "Mug", "price": 12.5, "quantity": 2}],
        "total": 25.0,
        "createdAt": 1_700_000_000 + i,
    }


def bench_validation(count: int) -> dict[str, float]:
    records = [_user(i) for i in range(count)]
    fast = RecordValidator("users")
    started = time.perf_counter()
    for record in records:
        assert fast.problem(record) is None
    fast_rate = count / (time.perf_counter() - started)
    sdk = JSONSchemaValidator(operation_schema("users"))
    started = time.perf_counter()
    for record in records:
        sdk.validate(record)
    sdk_rate = count / (time.perf_counter() - started)
    return {"fastjsonschema_records_per_s": fast_rate, "sdk_jsonschema_records_per_s": sdk_rate}


def _messages(users: int, events: int, purchases: int) -> str:
    lines: list[dict[str, Any]] = []
    for stream, records in (
        ("users", (_user(i) for i in range(users))),
        ("events", (_event(i, users) for i in range(events))),
        ("purchases", (_purchase(i, users) for i in range(purchases))),
    ):
        lines.append(
            {"type": "SCHEMA", "stream": stream, "schema": {"properties": {}}, "key_properties": []}
        )
        lines.extend({"type": "RECORD", "stream": stream, "record": r} for r in records)
    lines.append({"type": "STATE", "value": {"done": True}})
    return "".join(json.dumps(line) + "\n" for line in lines)


def _run_target(api_url: str, api_key: str, text: str, tmp: str) -> float:
    config = {
        "api_key": api_key,
        "api_url": api_url,
        "dead_letter_path": str(Path(tmp) / "dl.jsonl"),
        # A fresh ledger per run: each run measures a first sync into a fresh project.
        "database_url": f"sqlite:///{Path(tmp) / f'ledger-{time.monotonic_ns()}.sqlite'}",
        "rate_limits": UNLIMITED_TARGET,
        "progress_interval": 3600,
    }
    target = TargetIterable(config=config)
    started = time.perf_counter()
    with redirect_stdout(io.StringIO()):
        target.listen(io.StringIO(text))
    return time.perf_counter() - started


@contextmanager
def _separate_emulator() -> Iterator[tuple[str, str, IterableInspector]]:
    """`sandbox serve` in its own process, so the emulator does not share the target's CPU."""
    with subprocess.Popen(
        ["sandbox", "serve", "--orders", "1", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as server:
        assert server.stdout is not None
        urls = json.loads(server.stdout.readline())["iterable"]
        try:
            with IterableInspector(urls["api_url"]) as inspector:
                inspector.set_rate_limits(UNLIMITED_EMULATOR)
                yield urls["api_url"], urls["api_key"], inspector
        finally:
            server.send_signal(signal.SIGINT)
            server.wait(timeout=30)


def bench_end_to_end(users: int, events: int, purchases: int, *, separate: bool) -> dict[str, Any]:
    text = _messages(users, events, purchases)
    with tempfile.TemporaryDirectory() as tmp:
        if separate:
            with _separate_emulator() as (api_url, api_key, inspector):
                elapsed = _run_target(api_url, api_key, text, tmp)
                counts = inspector.request_counts()
                stored = (
                    len(inspector.users()),
                    len(inspector.events()),
                    len(inspector.purchases()),
                )
        else:
            with running_iterable(rate_limits=UNLIMITED_EMULATOR) as it:
                elapsed = _run_target(it.api_url, it.api_key, text, tmp)
                counts = it.emulator.request_counts()
                emulator = it.emulator
                stored = (len(emulator.users()), len(emulator.events()), len(emulator.purchases()))
    total = users + events + purchases
    return {
        "records": total,
        "seconds": round(elapsed, 2),
        "records_per_s": round(total / elapsed),
        "requests": counts,
        "stored_users_events_purchases": stored,
        "peak_rss_mib_of_this_process": round(
            resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--users", type=int, default=20_000)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--purchases", type=int, default=1_000)
    args = parser.parse_args()
    logging.disable(logging.INFO)  # benchmark output only
    print(json.dumps({"validation": bench_validation(20_000)}, indent=2))
    for separate in (False, True):
        result = bench_end_to_end(args.users, args.events, args.purchases, separate=separate)
        where = "emulator_in_own_process" if separate else "emulator_in_same_process"
        print(json.dumps({f"end_to_end_{where}": result}, indent=2))


if __name__ == "__main__":
    main()
