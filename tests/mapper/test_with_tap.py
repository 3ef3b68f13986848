"""The real tap against the BigCommerce emulator, piped into the real mapper CLI: every output
record meets the target's contract, and purchases and lifetime value add up to the orders."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from sandbox.bigcommerce.testing import running_bigcommerce
from sandbox.iterable.testing import running_iterable

from .helpers import parse, records, run_cli, validate_output

BIN = Path(sys.executable).parent
DEFAULT_PURCHASE_STATUSES = {1, 2, 3, 4, 7, 8, 9, 10, 11, 12, 13, 14}


@pytest.fixture(scope="module")
def tap_output(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("tap")
    with running_bigcommerce(seed=3, orders=60, rate_limit_quota=100_000) as store:
        config = folder / "tap.json"
        config.write_text(
            json.dumps(
                {
                    "api_url": store.api_url,
                    "store_hash": store.store_hash,
                    "access_token": store.access_token,
                }
            )
        )
        result = subprocess.run(
            [str(BIN / "tap-bigcommerce"), "--config", str(config)],
            capture_output=True,
            text=True,
            check=False,
            timeout=240,
        )
    assert result.returncode == 0, result.stderr[-3000:]
    output = folder / "tap.singer"
    output.write_text(result.stdout)
    return output


def tap_records(path: Path, stream: str) -> list[dict[str, Any]]:
    return records(path.read_text().splitlines(), stream)


def map_output(tap_output: Path, tmp_path: Path, **config: Any) -> list[str]:
    config_path = tmp_path / "map.json"
    config_path.write_text(
        json.dumps({"database_url": f"sqlite:///{tmp_path / 'store.sqlite'}", **config})
    )
    lines = run_cli(tap_output, config_path)
    validate_output(lines)
    return lines


def check_mapped(tap_output: Path, lines: list[str]) -> None:
    """Purchases are exactly the qualifying orders; one user record per person per interval."""
    orders = tap_records(tap_output, "orders")
    qualifying = [
        o
        for o in orders
        if o["status_id"] in DEFAULT_PURCHASE_STATUSES
        and not o.get("is_archived")
        and (o["customer_id"] or "@" in ((o.get("billing_address") or {}).get("email") or ""))
    ]
    purchases = records(lines, "purchases")
    assert sorted(p["id"] for p in purchases) == sorted(
        f"{o['store_hash']}-{o['id']}" for o in qualifying
    )
    assert len(records(lines, "catalog_items")) == len(tap_records(tap_output, "products"))
    # One STATE interval per stream: within it, one user record per person.
    per_interval: Counter[tuple[int, str]] = Counter()
    interval = 0
    for message in parse(lines):
        if message["type"] == "STATE":
            interval += 1
        elif message["type"] == "RECORD" and message["stream"] == "users":
            record = message["record"]
            per_interval[(interval, record.get("email") or record.get("userId"))] += 1
            if "email" in record:
                assert record["email"] == record["email"].strip().lower()
    assert max(per_interval.values()) == 1


def test_lifetime_value_adds_up_to_the_orders(tap_output: Path, tmp_path: Path) -> None:
    lines = map_output(tap_output, tmp_path, reporting_currency="USD")
    refunds: Counter[int] = Counter()
    for refund in tap_records(tap_output, "refunds"):
        refunds[refund["order_id"]] += Decimal(str(refund["total_amount"]))
    expected = Decimal(0)
    for purchase in records(lines, "purchases"):
        order = next(
            o
            for o in tap_records(tap_output, "orders")
            if o["id"] == purchase["dataFields"]["orderId"]
        )
        total = Decimal(str(order["total_inc_tax"]))
        refunded = max(Decimal(str(order["refunded_amount"])), refunds[order["id"]])
        rate = Decimal(str(order.get("store_default_to_transactional_exchange_rate") or 1))
        expected += max(total - refunded, Decimal(0)) / rate
    latest: dict[str, dict[str, Any]] = {}
    for user in records(lines, "users"):
        if "totalSpent" in user.get("dataFields", {}):
            latest[user["email"]] = user["dataFields"]
    total_spent = sum(Decimal(str(fields["totalSpent"])) for fields in latest.values())
    assert abs(total_spent - expected) <= Decimal("0.01") * len(latest)
    assert sum(fields["ordersCount"] for fields in latest.values()) == len(
        records(lines, "purchases")
    )
    assert {fields["ltvCurrency"] for fields in latest.values()} == {"USD"}


@pytest.mark.parametrize("mode", ["email", "user_id", "hybrid"])
def test_iterable_accepts_everything_twice(tap_output: Path, tmp_path: Path, mode: str) -> None:
    """Tap -> mapper -> target -> Iterable emulator of the matching project type: the mapping adds
    up, nothing is refused (types, identifiers, ids), and a re-run sends nothing twice."""
    lines = map_output(tap_output, tmp_path, identity_mode=mode)
    check_mapped(tap_output, lines)
    mapped = tmp_path / "mapped.singer"
    mapped.write_text("".join(f"{line}\n" for line in lines))
    fast = dict.fromkeys(("users_bulk_update", "events_track_bulk", "track_purchase"), 1000.0)
    with running_iterable(project_type=mode) as iterable:
        dead_letters = tmp_path / "dead.jsonl"
        config = tmp_path / "target.json"
        config.write_text(
            json.dumps(
                {
                    "api_key": iterable.api_key,
                    "api_url": iterable.api_url,
                    "dead_letter_path": str(dead_letters),
                    "database_url": f"sqlite:///{tmp_path / 'ledger.sqlite'}",
                    "rate_limits": fast,
                }
            )
        )
        for _ in range(2):
            result = subprocess.run(
                [str(BIN / "target-iterable"), "--config", str(config), "--input", str(mapped)],
                capture_output=True,
                text=True,
                check=False,
                timeout=240,
            )
            assert result.returncode == 0, result.stderr[-3000:]
        assert not dead_letters.exists() or dead_letters.read_text() == ""
        emulator = iterable.emulator
        assert len(emulator.purchases()) == len(records(lines, "purchases"))
        assert len(emulator.events()) == len({e["id"] for e in records(lines, "events")})
        people = {json.dumps(_key(u), sort_keys=True) for u in records(lines, "users")}
        assert len(emulator.users()) == len(people)


def _key(user: dict[str, Any]) -> dict[str, Any]:
    return {k: user[k] for k in ("email", "userId") if k in user}
