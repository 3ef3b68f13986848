"""The peer: PyPI `tap-bigcommerce` 1.1.3 (singer-io), in its own virtualenv, on the same store.

It extracts orders only (its other streams are v2 customers, products without variants and
coupons); its records are compared with ours order by order.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import connector
from .api_calls import bigcommerce_calls
from .processes import run_stage
from .sandbox import Sandbox
from .singer_files import records

VENV = Path(__file__).resolve().parents[1] / ".peer-venv"
LAUNCHER = Path(__file__).resolve().parent / "peer_launcher.py"
# The peer's own pins (its setup.py): pip resolves nothing newer that would change its behaviour.
REQUIREMENTS = ("tap-bigcommerce==1.1.3", "requests==2.31.0", "singer-python==5.4.1")
MONEY_FIELDS = ("subtotal_inc_tax", "total_inc_tax", "total_ex_tax", "total_tax", "refunded_amount")


def ensure_venv() -> Path:
    """Create `.peer-venv` with the peer installed, once; returns its python."""
    python = VENV / "bin" / "python"
    marker = VENV / "installed.txt"
    if not marker.exists() or marker.read_text() != "\n".join(REQUIREMENTS):
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(VENV)], check=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "--quiet", *REQUIREMENTS],
            check=True,
            capture_output=True,
        )
        marker.write_text("\n".join(REQUIREMENTS))
    return python


def run_peer(sandbox: Sandbox, workdir: Path, our_output: Path) -> dict[str, Any]:
    python = ensure_venv()
    env = {**os.environ, "PEER_BIGCOMMERCE_API_URL": sandbox.bigcommerce["api_url"]}
    config = workdir / "peer.json"
    config.write_text(
        json.dumps(
            {
                "start_date": "2000-01-01T00:00:00Z",
                "client_id": "benchmark",  # required by the peer, unused by BigCommerce
                "access_token": sandbox.bigcommerce["access_token"],
                "store_hash": sandbox.bigcommerce["store_hash"],
            }
        )
    )
    command = [str(python), str(LAUNCHER), "--config", str(config)]
    discovered = subprocess.run(
        [*command, "--discover"], env=env, capture_output=True, text=True, check=True
    )
    catalog = _select_orders(json.loads(discovered.stdout))
    (workdir / "peer-catalog.json").write_text(json.dumps(catalog))
    output = workdir / "peer.singer"
    sandbox.bc.clear_requests()
    usage = run_stage(
        [*command, "--catalog", str(workdir / "peer-catalog.json")],
        stdout=output,
        stderr=workdir / "peer.log",
        env=env,
    )
    calls = bigcommerce_calls(sandbox.bc.requests())
    dropped = (workdir / "peer.log").read_text().count("Handled exception")
    return {
        **usage.as_dict(),
        "bigcommerce_calls": calls,
        "records_dropped_by_transform_errors": dropped,
        **compare(our_output, output),
        "ours_orders_only": _ours_orders_only(sandbox, workdir),
    }


def _ours_orders_only(sandbox: Sandbox, workdir: Path) -> dict[str, Any]:
    """Our tap with only `orders` selected, for a like-for-like time and request count."""
    command = connector.tap(workdir, sandbox.tap_config())
    discovered = subprocess.run(
        [*command, "--discover"], capture_output=True, text=True, check=True
    )
    catalog = _select_orders(json.loads(discovered.stdout))
    (workdir / "orders-catalog.json").write_text(json.dumps(catalog))
    sandbox.bc.clear_requests()
    usage = run_stage(
        [*command, "--catalog", str(workdir / "orders-catalog.json")],
        stdout=workdir / "orders-only.singer",
        stderr=workdir / "stages.log",
    )
    return {**usage.as_dict(), "bigcommerce_calls": bigcommerce_calls(sandbox.bc.requests())}


def _select_orders(catalog: dict[str, Any]) -> dict[str, Any]:
    for stream in catalog["streams"]:
        for entry in stream["metadata"]:
            if entry["breadcrumb"] == []:
                entry["metadata"]["selected"] = stream["tap_stream_id"] == "orders"
    return catalog


def compare(ours: Path, theirs: Path) -> dict[str, Any]:
    """Orders the peer got wrong, against ours, by defect (an order may have several)."""
    peer: dict[int, dict[str, Any]] = {}
    duplicates = 0
    for order in records(theirs, "orders"):
        duplicates += order["id"] in peer
        peer[order["id"]] = order
    defects = {
        "missing_archived": 0,
        "missing_other": 0,
        "truncated_line_items": 0,
        "line_items_lost": 0,
        "money_differs": 0,
        "multi_currency_fields_dropped": 0,
    }
    wrong, our_orders = 0, 0
    for order in records(ours, "orders"):
        our_orders += 1
        theirs_order = peer.get(order["id"])
        if theirs_order is None:
            defects["missing_archived" if order.get("is_archived") else "missing_other"] += 1
            wrong += 1
            continue
        problems = _order_defects(order, theirs_order)
        for problem, count in problems.items():
            defects[problem] += count
        wrong += any(problems.values())
    return {
        "orders_ours": our_orders,
        "orders_peer": len(peer),
        "duplicate_records": duplicates,
        "orders_wrong": wrong,
        "defects": defects,
    }


def _order_defects(ours: dict[str, Any], theirs: dict[str, Any]) -> dict[str, int]:
    our_items, their_items = len(ours.get("line_items") or []), len(theirs.get("products") or [])
    money = any(
        ours.get(field) is not None
        and (theirs.get(field) is None or Decimal(str(ours[field])) != Decimal(str(theirs[field])))
        for field in MONEY_FIELDS
    )
    dropped = (
        ours.get("store_default_currency_code") is not None
        and "store_default_currency_code" not in theirs
    )
    return {
        "truncated_line_items": int(their_items < our_items),
        "line_items_lost": max(our_items - their_items, 0),
        "money_differs": int(money),
        "multi_currency_fields_dropped": int(dropped),
    }
