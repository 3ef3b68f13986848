"""Regression tests: the answer shapes the spec-driven fuzzing (tests/reliability/
test_spec_fuzz.py) found breaking the tap, each as the smallest page that showed it.

Each shape is allowed by BigCommerce's OpenAPI file (cited); the tap must extract the record, or
dead-letter it with the field and reason when it truly cannot be read, and go on.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

from target_iterable.contract.dead_letters import read_dead_letters

from .helpers import TapOutput, run_tap
from .page_server import PageServer, serving, tap_config


def extract(
    tmp_path: Path, routes: dict[str, Any], stream: str, **settings: Any
) -> tuple[TapOutput, list[dict[str, Any]]]:
    with serving(PageServer(routes)) as api_url:
        config = tap_config(api_url, tmp_path, **settings)
        output = run_tap(config, streams={stream})
    path = Path(config["dead_letter_path"])
    return output, read_dead_letters(path) if path.exists() else []


def test_a_customer_group_without_date_modified_is_extracted(tmp_path: Path) -> None:
    # customers.v2.yml `components.schemas.customerGroup_Full`: no property is required; the
    # SDK's bookmark update read the missing replication key and the run died (KeyError).
    output, letters = extract(tmp_path, {"v2/customer_groups": [{"id": 0}]}, "customer_groups")
    assert output.ids("customer_groups") == [0]
    assert output.records["customer_groups"][0]["date_modified"] is None
    assert letters == []


def test_a_customer_group_whose_date_is_free_text_is_dead_lettered(tmp_path: Path) -> None:
    # customerGroup_Full.properties.date_created is a bare `type: string`; one that is no date
    # stopped the whole sync (ValueFormatError); now only that group is dead-lettered.
    groups = [{"id": 1, "date_created": ":"}, {"id": 2, "date_created": "2024-01-05 10:00:00"}]
    output, letters = extract(tmp_path, {"v2/customer_groups": groups}, "customer_groups")
    assert output.ids("customer_groups") == [2]
    assert [(letter["field"], letter["record"]["id"]) for letter in letters] == [
        ("date_created", 1)
    ]


def test_a_page_item_that_is_not_an_object_is_dead_lettered(tmp_path: Path) -> None:
    # Off the spec (a v3 `data` item must be an object): was an AttributeError in the SDK.
    page = [{"id": 1, "email": "a@example.com"}, "not an object", None]
    output, letters = extract(tmp_path, {"v3/customers": page}, "customers")
    assert output.ids("customers") == [1]
    assert len(letters) == 2
    assert all("not a JSON object" in letter["reason"] for letter in letters)


def test_a_checkbox_form_field_keeps_its_array_of_values(tmp_path: Path) -> None:
    # customers.v3.yml `components.schemas.formFieldValue`: `value` is oneOf string / number /
    # array of strings (checkboxes); the items carry no schema in the tap's FORM_FIELD.
    customer = {
        "id": 7,
        "email": "b@example.com",
        "form_fields": [{"name": "sizes", "value": ["S", "", "名前"]}, {"name": "age", "value": 3}],
    }
    output, letters = extract(tmp_path, {"v3/customers": [customer]}, "customers")
    assert letters == []
    [record] = output.records["customers"]
    assert record["form_fields"][0]["value"] == ["S", None, "名前"]  # "" → null, as everywhere
    assert record["form_fields"][1]["value"] == 3


def test_categories_with_ids_that_are_not_numbers_do_not_stop_the_tree(tmp_path: Path) -> None:
    # A parent_id that is an object made category_paths raise TypeError (unhashable) for the
    # whole stream; the category with it is dead-lettered and the tree of the rest is built.
    categories = [
        {"id": 1, "parent_id": 0, "name": "Root"},
        {"id": 2, "parent_id": 1, "name": "Child"},
        {"id": 3, "parent_id": {"id": 1}, "name": "Odd"},
        {"id": [4], "name": "Odder"},
    ]
    output, letters = extract(tmp_path, {"v3/catalog/categories": categories}, "categories")
    paths = {record["id"]: record["path_names"] for record in output.records["categories"]}
    assert paths == {1: ["Root"], 2: ["Root", "Child"]}
    assert sorted(letter["field"] for letter in letters) == ["id", "parent_id"]
    # The letter holds the category as sent: no path_names the tap added.
    assert all("path_names" not in letter["record"] for letter in letters)


def test_an_integer_field_holding_a_fraction_is_refused_not_emitted(tmp_path: Path) -> None:
    # orders.v2.oas2.yml `components.schemas.order_Shared.properties.customer_id` is
    # `type: number`: a fraction was emitted as-is into the tap's integer field (the type
    # flipped downstream); a whole number (`5.0`) is read as 5.
    orders = [
        {"id": 1, "customer_id": 5.0, "total_inc_tax": "1.0000", "status_id": 11},
        {"id": 2, "customer_id": 0.5, "total_inc_tax": "1.0000", "status_id": 11},
    ]
    output, letters = extract(tmp_path, {"v2/orders": orders}, "orders", order_coupons="never")
    [order] = output.records["orders"]
    assert order["customer_id"] == 5
    assert [(letter["field"], letter["record"]["id"]) for letter in letters] == [("customer_id", 2)]


def test_a_payment_provider_id_may_be_any_number(tmp_path: Path) -> None:
    # order_Shared.properties.payment_provider_id: oneOf string / number.
    orders = [{"id": 1, "payment_provider_id": 12.5, "total_inc_tax": 1, "status_id": 11}]
    output, letters = extract(tmp_path, {"v2/orders": orders}, "orders", order_coupons="never")
    assert letters == []
    assert output.records["orders"][0]["payment_provider_id"] == Decimal("12.5")


def test_a_timestamp_beyond_datetime_is_dead_lettered(tmp_path: Path) -> None:
    # A date-time field of digits is read as Unix seconds (webhooks); one beyond year 9999
    # raised OverflowError/ValueError from datetime and stopped the run.
    customers = [{"id": 1, "date_created": "99999999999999999"}, {"id": 2}]
    output, letters = extract(tmp_path, {"v3/customers": customers}, "customers")
    assert output.ids("customers") == [2]
    assert [letter["field"] for letter in letters] == ["date_created"]


def test_a_refund_of_no_order_is_dead_lettered_by_the_tap(tmp_path: Path) -> None:
    # orders.v3.yml refunds: `order_id` and `total_amount` are not required; the mapper refused
    # such a refund; now the tap dead-letters it (where `replay` can re-extract it).
    refunds = [
        {"id": 1, "order_id": 10, "total_amount": 5, "created": "2024-01-01T00:00:00Z"},
        {"id": 2, "total_amount": 5, "created": "2024-01-01T00:00:00Z"},
    ]
    routes = {"v3/orders/payment_actions/refunds": refunds}
    output, letters = extract(tmp_path, routes, "refunds")
    assert output.ids("refunds") == [1]
    assert [letter["field"] for letter in letters] == ["order_id"]
