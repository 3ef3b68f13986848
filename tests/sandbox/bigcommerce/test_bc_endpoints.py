"""The emulator's endpoints answer with BigCommerce's shapes, filters and wire formats."""

from __future__ import annotations

import re
from datetime import datetime, timedelta

import requests

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce


def test_auth_is_required(bc: RunningBigCommerce) -> None:
    missing = requests.get(f"{bc.v2_url}/store", timeout=5)
    assert missing.status_code == 401
    assert missing.json() == [
        {"status": 401, "message": "You are not authorized to access this resource."}
    ]
    wrong = requests.get(f"{bc.v3_url}/customers", headers={"X-Auth-Token": "nope"}, timeout=5)
    assert wrong.status_code == 401
    assert wrong.json()["status"] == 401
    assert "nope" not in wrong.text


def test_store_and_time(bc: RunningBigCommerce, http: requests.Session) -> None:
    store = http.get(f"{bc.v2_url}/store", timeout=5).json()
    assert store["id"] == bc.store_hash
    assert store["timezone"]["name"] == "America/Chicago"
    assert isinstance(http.get(f"{bc.v2_url}/time", timeout=5).json()["time"], int)


def test_orders_wire_format(bc: RunningBigCommerce, http: requests.Session) -> None:
    orders = http.get(f"{bc.v2_url}/orders", params={"limit": 5}, timeout=5).json()
    assert [o["id"] for o in orders] == sorted(o["id"] for o in orders)
    first = orders[0]
    assert first["date_created"].endswith(" +0000")
    assert first["total_inc_tax"].count(".") == 1
    assert len(first["total_inc_tax"].split(".")[1]) == 4
    assert len(first["currency_exchange_rate"].split(".")[1]) == 10


# The option types that make variants; the others (text, date, file...) are modifiers.
VARIANT_OPTION_TYPES = {"Multiple choice", "Swatch", "Product Pick List"}


def test_line_item_option_value_is_the_option_value_id(
    bc: RunningBigCommerce, http: requests.Session
) -> None:
    """As in the spec's example (`value: '69'`, `display_value: S`): the id, not the label."""
    orders = http.get(f"{bc.v2_url}/orders", params={"limit": 50}, timeout=5).json()
    options = [
        (item["product_id"], item["variant_id"], option)
        for order in orders
        for item in http.get(f"{bc.v2_url}/orders/{order['id']}/products", timeout=5).json()
        for option in item["product_options"]
        if option["type"] in VARIANT_OPTION_TYPES
    ]
    assert options
    for product_id, variant_id, option in options[:5]:
        product = http.get(
            f"{bc.v3_url}/catalog/products/{product_id}",
            params={"include": "variants"},
            timeout=5,
        ).json()["data"]
        (variant,) = [v for v in product["variants"] if v["id"] == variant_id]
        (chosen,) = [v for v in variant["option_values"] if v["option_id"] == option["option_id"]]
        assert option["value"] == str(chosen["id"])
        assert option["display_value"] == chosen["label"]


def test_empty_v2_page_is_204(bc: RunningBigCommerce, http: requests.Session) -> None:
    response = http.get(f"{bc.v2_url}/orders", params={"page": 99}, timeout=5)
    assert response.status_code == 204
    assert response.content == b""


def test_limit_above_250_is_413(bc: RunningBigCommerce, http: requests.Session) -> None:
    assert http.get(f"{bc.v2_url}/orders", params={"limit": 251}, timeout=5).status_code == 413
    response = http.get(f"{bc.v3_url}/customers", params={"limit": 251}, timeout=5)
    assert response.status_code == 413
    assert response.json()["status"] == 413


V2_DATE = re.compile(
    r"^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$"
)
V2_MONEY = re.compile(r"^-?\d+\.\d{4}$")
V2_RATE = re.compile(r"^\d+\.\d{10}$")
V2_MONEY_FIELDS = (
    "subtotal_ex_tax",
    "subtotal_inc_tax",
    "total_ex_tax",
    "total_inc_tax",
    "total_tax",
    "shipping_cost_inc_tax",
    "discount_amount",
    "coupon_discount",
    "refunded_amount",
    "store_credit_amount",
)


def test_every_order_uses_v2_wire_formats(bc: RunningBigCommerce, http: requests.Session) -> None:
    orders = http.get(
        f"{bc.v2_url}/orders", params={"limit": 250, "is_deleted": "false"}, timeout=10
    ).json()
    orders += http.get(f"{bc.v2_url}/orders", params={"status_id": 0}, timeout=10).json()
    assert len(orders) > 40
    for order in orders:
        assert V2_DATE.match(order["date_created"]), order["date_created"]
        assert V2_DATE.match(order["date_modified"])
        assert order["date_shipped"] == "" or V2_DATE.match(order["date_shipped"])
        for name in V2_MONEY_FIELDS:
            assert V2_MONEY.match(order[name]), (name, order[name])
        assert V2_RATE.match(order["currency_exchange_rate"])
        assert V2_RATE.match(order["store_default_to_transactional_exchange_rate"])
    for line in http.get(f"{bc.v2_url}/orders/7/products", timeout=5).json():
        assert all(
            V2_MONEY.match(line[n]) for n in ("base_price", "price_inc_tax", "total_inc_tax")
        )


def test_v3_dates_and_numeric_money(bc: RunningBigCommerce, http: requests.Session) -> None:
    customers = http.get(f"{bc.v3_url}/customers", params={"limit": 250}, timeout=5).json()["data"]
    for customer in customers:
        for name in ("date_created", "date_modified"):
            assert datetime.fromisoformat(customer[name].replace("Z", "+00:00")).utcoffset() == (
                timedelta(0)
            )
    products = http.get(f"{bc.v3_url}/catalog/products", params={"limit": 250}, timeout=5).json()
    for product in products["data"]:
        assert isinstance(product["price"], int | float)
        assert product["date_modified"].endswith("+00:00")
    # Exact decimals on the wire: two places at most, no binary-float tails.
    raw = http.get(f"{bc.v3_url}/catalog/products", params={"limit": 250}, timeout=5).text
    prices = re.findall(r'"price":(-?\d+(?:\.\d+)?)', raw)
    assert prices
    assert all(len(p.partition(".")[2]) <= 2 for p in prices)


def test_category_tree_nests_three_levels(bc: RunningBigCommerce, http: requests.Session) -> None:
    roots = http.get(f"{bc.v3_url}/catalog/trees/1/categories", timeout=5).json()["data"]
    flat = http.get(f"{bc.v3_url}/catalog/categories", params={"limit": 250}, timeout=5).json()
    leaf = roots[0]["children"][0]["children"][0]
    assert leaf["depth"] == 2
    assert leaf["path"] == [roots[0]["id"], roots[0]["children"][0]["id"], leaf["id"]]

    def count(nodes: list[dict[str, object]]) -> int:
        return sum(1 + count(n["children"]) for n in nodes)  # type: ignore[arg-type]

    assert count(roots) == flat["meta"]["pagination"]["total"]
    missing = http.get(f"{bc.v3_url}/catalog/trees/9/categories", timeout=5)
    assert missing.status_code == 404


def test_missing_scopes_answer_403_naming_the_scope() -> None:
    scopes = frozenset({"store_v2_transactions_read_only", "store_v2_information_read_only"})
    with running_bigcommerce(orders=10, token_scopes=scopes) as store:
        orders = requests.get(f"{store.v2_url}/orders", headers=store.headers, timeout=5)
        assert orders.status_code == 403
        assert "store_v2_orders_read_only" in orders.json()[0]["message"]
        catalog = requests.get(f"{store.v3_url}/catalog/products", headers=store.headers, timeout=5)
        assert catalog.status_code == 403
        assert catalog.json()["status"] == 403
        assert "X-Rate-Limit-Requests-Left" in catalog.headers
        for allowed in ("/v3/orders/payment_actions/refunds", "/v3/hooks"):
            answer = requests.get(f"{store.v3_url[:-3]}{allowed}", headers=store.headers, timeout=5)
            assert answer.status_code == 200, allowed
        assert requests.get(f"{store.v2_url}/store", headers=store.headers, timeout=5).ok
