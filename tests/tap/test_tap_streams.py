"""All streams: agreed order and fields, `store_hash`, resolved names, DST and unicode, CLI."""

from __future__ import annotations

import json
import logging
import subprocess
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
from singer_sdk.exceptions import ConfigValidationError

from sandbox.bigcommerce.testing import RunningBigCommerce
from sandbox.common.faults import FaultConfig
from sandbox.generator.timeline import DST_INSTANTS
from tap_bigcommerce.tap import TapBigCommerce

from .helpers import run_tap, tap_config

AGREED_ORDER = [
    "store_settings", "currencies", "channels", "customer_groups", "categories", "brands",
    "products", "customers", "subscribers", "orders", "refunds", "cart_events",
    "customer_deletions",
]  # fmt: skip


def test_streams_in_agreed_order_each_record_with_store_hash(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    output = run_tap(tap_config(bigcommerce, inbox_url))
    assert output.stream_order == AGREED_ORDER
    for stream in AGREED_ORDER[:-2]:  # the inbox's streams: no webhook was delivered
        assert output.records[stream], stream
        assert all(r["store_hash"] == bigcommerce.store_hash for r in output.records[stream])

    settings = output.records["store_settings"][0]
    assert settings["timezone"]["name"]
    assert settings["locale"]["default_shopper_language"]
    assert settings["currency"]

    customers = output.records["customers"]
    attributes = [a for c in customers for a in c["attributes"]]
    assert attributes
    assert all(a["attribute_name"] for a in attributes)  # ids resolved to names
    assert any(c["addresses"] for c in customers)
    assert any(c["form_fields"] for c in customers)

    categories = {c["id"]: c for c in output.records["categories"]}
    child = next(c for c in categories.values() if c["parent_id"])
    parent = categories[child["parent_id"]]
    assert child["path_names"][-2:] == [parent["name"], child["name"]]
    assert child["path_names"][0] == categories[_root(categories, child["id"])]["name"]

    products = output.records["products"]
    assert any(p["variants"] for p in products)
    assert any(p["images"] for p in products)
    assert all(p["custom_url"]["url"] for p in products)

    refunds = output.records["refunds"]
    assert all(r["total_amount"] is not None and r["order_id"] for r in refunds)


def _root(categories: dict, category_id: int) -> int:
    while categories[category_id]["parent_id"]:
        category_id = categories[category_id]["parent_id"]
    return category_id


def test_dst_boundary_dates_and_unicode_survive(
    bigcommerce: RunningBigCommerce, inbox_url: str
) -> None:
    output = run_tap(tap_config(bigcommerce, inbox_url), streams={"orders"})
    raw = requests.get(
        f"{bigcommerce.v2_url}/orders",
        params={"limit": 250, "is_deleted": "false"},
        headers=bigcommerce.headers,
        timeout=5,
    ).json()
    by_id = {order["id"]: order for order in raw}
    for order in output.records["orders"]:
        api = by_id.get(order["id"])
        if api is None:
            continue
        expected = parsedate_to_datetime(api["date_created"])
        assert order["date_created"] == expected.isoformat().replace("Z", "+00:00")
        assert order["billing_address"]["first_name"] == (
            api["billing_address"]["first_name"] or None
        )
    created = {order["date_created"] for order in output.records["orders"]}
    at_clock_changes = {instant.isoformat() for instant in DST_INSTANTS}
    assert created & at_clock_changes, "the store has orders placed exactly at DST changes"
    names = [i["name"] for o in output.records["orders"] for i in o["line_items"]]
    assert any(not name.isascii() for name in names)


@pytest.mark.parametrize(
    ("key", "config"),
    [
        ("store_hash", {"access_token": "t"}),
        ("page_size", {"store_hash": "abc", "access_token": "t", "page_size": 0}),
        ("api_url", {"store_hash": "abc", "access_token": "t", "api_url": "ftp:/x"}),
        ("order_coupons", {"store_hash": "abc", "access_token": "t", "order_coupons": "some"}),
        ("store_hash", {"store_hash": "a/b", "access_token": "t"}),
        ("start_date", {"store_hash": "abc", "access_token": "t", "start_date": "yesterday"}),
        ("inbox_url", {"store_hash": "abc", "access_token": "t", "inbox_url": "inbox.db"}),
    ],
)
def test_invalid_config_fails_at_start_naming_the_key(key: str, config: dict) -> None:
    with pytest.raises(ConfigValidationError) as failure:
        TapBigCommerce(config=config)
    assert any(key in error for error in failure.value.errors), failure.value.errors


def test_cli_reports_config_errors_before_any_request(tmp_path: Path) -> None:
    path = tmp_path / "config.json"
    path.write_text(json.dumps({"access_token": "secret-token-1", "page_size": "many"}))
    result = subprocess.run(
        ["tap-bigcommerce", "--config", str(path)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "store_hash" in result.stderr
    assert "page_size" in result.stderr
    assert result.stdout == ""
    assert "secret-token-1" not in result.stderr


def test_discovery_works_offline_and_about_documents_every_setting() -> None:
    discovered = subprocess.run(
        ["tap-bigcommerce", "--discover"], capture_output=True, text=True, timeout=60, check=True
    )
    catalog = json.loads(discovered.stdout)
    assert [s["tap_stream_id"] for s in catalog["streams"]] == AGREED_ORDER
    properties = TapBigCommerce.config_jsonschema["properties"]
    assert all(spec.get("description") for spec in properties.values())
    assert properties["access_token"]["secret"] is True
    markdown = subprocess.run(
        ["tap-bigcommerce", "--about", "--format=markdown"],
        capture_output=True, text=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    for name in properties:
        assert f"| {name} |" in markdown


def test_the_token_never_reaches_the_logs(
    bigcommerce: RunningBigCommerce, inbox_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    faults = FaultConfig(script=["503", "429", "drop"], path_contains="/v2/orders")
    bigcommerce.emulator.faults.configure(faults)
    output = run_tap(tap_config(bigcommerce, inbox_url), streams={"orders", "customers"})
    assert output.records["orders"]
    assert "Retrying GET /stores/sandbox1/v2/orders" in caplog.text
    assert bigcommerce.access_token not in caplog.text
    assert bigcommerce.access_token not in "\n".join(output.raw_lines)
