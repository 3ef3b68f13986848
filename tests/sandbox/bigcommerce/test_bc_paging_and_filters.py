"""Paging (v2 pages and 204, v3 meta.pagination, customer cursors), limits and filters."""

from __future__ import annotations

from datetime import date, timedelta, timezone
from email.utils import parsedate_to_datetime
from typing import Any

import pytest
import requests

from sandbox.bigcommerce.testing import RunningBigCommerce, running_bigcommerce


def _all_v2(http: requests.Session, url: str, params: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    page = 1
    while True:
        answer = http.get(url, params={**params, "page": page}, timeout=10)
        if answer.status_code == 204:
            assert answer.content == b""
            return rows
        assert answer.status_code == 200
        rows += answer.json()
        page += 1


def test_v2_orders_page_through_every_order_once(
    bc: RunningBigCommerce, http: requests.Session
) -> None:
    rows = _all_v2(http, f"{bc.v2_url}/orders", {"limit": 7})
    ids = [row["id"] for row in rows]
    assert ids == sorted(ids)
    assert len(ids) == len(set(ids))
    archived = _all_v2(http, f"{bc.v2_url}/orders", {"limit": 250, "is_deleted": "true"})
    assert archived, "the store has archived orders"
    assert all(row["is_deleted"] for row in archived)
    assert not {row["id"] for row in archived} & set(ids)
    incomplete = _all_v2(http, f"{bc.v2_url}/orders", {"limit": 250, "status_id": 0})
    assert incomplete, "the store has incomplete orders"
    assert all(row["status_id"] == 0 for row in incomplete)
    assert not {row["id"] for row in incomplete} & set(ids)
    assert len(ids) + len(archived) + len(incomplete) == 50
    count = http.get(f"{bc.v2_url}/orders/count", timeout=5).json()
    assert count["count"] == len(ids)
    assert sum(s["count"] for s in count["statuses"]) == len(ids)


def test_default_order_list_can_include_archived_and_incomplete() -> None:
    with running_bigcommerce(
        orders=50, archived_orders_in_default_list=True, incomplete_orders_in_default_list=True
    ) as bc:
        rows = requests.get(
            f"{bc.v2_url}/orders", headers=bc.headers, params={"limit": 250}, timeout=5
        ).json()
        assert len(rows) == 50
        assert any(r["is_deleted"] for r in rows)
        assert any(r["status_id"] == 0 for r in rows)


def test_v2_default_limit_is_50(bc: RunningBigCommerce, http: requests.Session) -> None:
    products = http.get(f"{bc.v2_url}/orders/7/products", timeout=5).json()
    assert len(products) == 50
    rest = http.get(f"{bc.v2_url}/orders/7/products", params={"page": 2}, timeout=5).json()
    assert len(rest) == 10
    assert (
        http.get(f"{bc.v2_url}/orders/7/products", params={"page": 3}, timeout=5).status_code == 204
    )


def test_v2_sub_resource_without_rows_is_204(
    bc: RunningBigCommerce, http: requests.Session
) -> None:
    assert http.get(f"{bc.v2_url}/orders/1/coupons", timeout=5).status_code == 204


@pytest.mark.parametrize(
    "path",
    [
        "/v2/orders",
        "/v2/orders/7/products",
        "/v3/customers",
        "/v3/catalog/products",
        "/v3/customers/subscribers",
        "/v3/orders/payment_actions/refunds",
    ],
)
def test_limit_above_250_is_413_and_250_is_fine(
    bc: RunningBigCommerce, http: requests.Session, path: str
) -> None:
    base = f"{bc.api_url}/stores/{bc.store_hash}{path}"
    assert http.get(base, params={"limit": 251}, timeout=5).status_code == 413
    assert http.get(base, params={"limit": 250}, timeout=5).status_code in {200, 204}


def test_embedded_line_items_stop_at_50_with_a_warning(
    bc: RunningBigCommerce, http: requests.Session
) -> None:
    params = {"include": "consignments.line_items", "consignment_structure": "object"}
    order = http.get(f"{bc.v2_url}/orders/7", params=params, timeout=5).json()
    shipping = order["consignments"]["shipping"][0]
    assert len(shipping["line_items"]) == 50
    assert "only 50 are included" in shipping["__warning__"]["message"]
    small = http.get(f"{bc.v2_url}/orders/1", params=params, timeout=5).json()
    assert "__warning__" not in small["consignments"]["shipping"][0]
    legacy = http.get(f"{bc.v2_url}/orders/1", params={"include": "consignments"}, timeout=5).json()
    assert isinstance(legacy["consignments"], list)


def test_min_date_modified_rfc2822_and_iso_agree_and_are_inclusive(
    bc: RunningBigCommerce, http: requests.Session
) -> None:
    everything = _all_v2(http, f"{bc.v2_url}/orders", {"limit": 250, "sort": "date_modified:asc"})
    stamps = [parsedate_to_datetime(o["date_modified"]) for o in everything]
    assert stamps == sorted(stamps)
    pivot = everything[20]
    pivot_time = parsedate_to_datetime(pivot["date_modified"])
    rfc = _all_v2(
        http,
        f"{bc.v2_url}/orders",
        {"min_date_modified": pivot["date_modified"], "sort": "date_modified:asc"},
    )
    iso = _all_v2(
        http,
        f"{bc.v2_url}/orders",
        {"min_date_modified": pivot_time.isoformat(), "sort": "date_modified:asc"},
    )
    # The same instant written in another offset.
    shifted = pivot_time.astimezone(timezone(timedelta(hours=-4)))
    offset = _all_v2(
        http,
        f"{bc.v2_url}/orders",
        {"min_date_modified": shifted.strftime("%a, %d %b %Y %H:%M:%S %z")},
    )
    assert [o["id"] for o in rfc] == [o["id"] for o in iso]
    assert {o["id"] for o in offset} == {o["id"] for o in rfc}
    assert pivot["id"] in {o["id"] for o in rfc}
    assert all(parsedate_to_datetime(o["date_modified"]) >= pivot_time for o in rfc)
    expected = [o["id"] for o, t in zip(everything, stamps, strict=True) if t >= pivot_time]
    assert [o["id"] for o in rfc] == expected


def test_same_second_modifications_exist(bc: RunningBigCommerce, http: requests.Session) -> None:
    everything = _all_v2(http, f"{bc.v2_url}/orders", {"limit": 250})
    stamps = [o["date_modified"] for o in everything]
    assert len(stamps) > len(set(stamps)), "some orders share a modification second"


def test_sort_desc_and_other_fields(bc: RunningBigCommerce, http: requests.Session) -> None:
    desc = http.get(f"{bc.v2_url}/orders", params={"sort": "id:desc", "limit": 5}, timeout=5)
    ids = [o["id"] for o in desc.json()]
    assert ids == sorted(ids, reverse=True)
    by_status = http.get(f"{bc.v2_url}/orders", params={"sort": "status_id:asc"}, timeout=5)
    statuses = [o["status_id"] for o in by_status.json()]
    assert statuses == sorted(statuses)
    bad = http.get(f"{bc.v2_url}/orders", params={"sort": "colour:asc"}, timeout=5)
    assert bad.status_code == 400
    assert "sort" in bad.json()[0]["message"]


def test_bad_dates_name_the_field(bc: RunningBigCommerce, http: requests.Session) -> None:
    v2 = http.get(f"{bc.v2_url}/orders", params={"min_date_modified": "yesterday"}, timeout=5)
    assert v2.status_code == 400
    assert "min_date_modified" in v2.json()[0]["message"]
    v3 = http.get(f"{bc.v3_url}/customers", params={"date_modified:min": "soon"}, timeout=5)
    assert v3.status_code == 422
    assert "date_modified:min" in v3.json()["errors"]


def test_v3_pagination_meta(bc: RunningBigCommerce, http: requests.Session) -> None:
    body = http.get(f"{bc.v3_url}/catalog/products", params={"limit": 7, "page": 2}, timeout=5)
    pagination = body.json()["meta"]["pagination"]
    total = pagination["total"]
    assert pagination["count"] == len(body.json()["data"]) == 7
    assert pagination["per_page"] == 7
    assert pagination["current_page"] == 2
    assert pagination["total_pages"] == -(-total // 7)
    assert pagination["links"]["previous"] == "?page=1&limit=7"
    assert pagination["links"]["next"] == "?page=3&limit=7"
    past = http.get(f"{bc.v3_url}/catalog/products", params={"page": 99}, timeout=5)
    assert past.status_code == 200
    assert past.json()["data"] == []


def test_customer_cursors_walk_the_same_rows_as_pages(
    bc: RunningBigCommerce, http: requests.Session
) -> None:
    params = {"sort": "date_modified:asc", "limit": 4}
    first = http.get(f"{bc.v3_url}/customers", params=params, timeout=5).json()
    assert "pagination" in first["meta"]
    assert "cursor_pagination" in first["meta"]
    by_cursor = [c["id"] for c in first["data"]]
    cursor = first["meta"]["cursor_pagination"]["end_cursor"]
    while True:
        page = http.get(f"{bc.v3_url}/customers", params={**params, "after": cursor}, timeout=5)
        body = page.json()
        assert "pagination" not in body["meta"]
        by_cursor += [c["id"] for c in body["data"]]
        if "next" not in body["meta"]["cursor_pagination"]["links"]:
            break
        cursor = body["meta"]["cursor_pagination"]["end_cursor"]
    by_page = [
        c["id"]
        for c in http.get(
            f"{bc.v3_url}/customers", params={"sort": "date_modified:asc", "limit": 250}, timeout=5
        ).json()["data"]
    ]
    assert by_cursor == by_page
    back = http.get(
        f"{bc.v3_url}/customers",
        params={**params, "before": first["meta"]["cursor_pagination"]["end_cursor"]},
        timeout=5,
    ).json()
    assert [c["id"] for c in back["data"]] == by_page[:4]
    bad = http.get(f"{bc.v3_url}/customers", params={"after": "%%%"}, timeout=5)
    assert bad.status_code == 422


def test_customers_date_modified_min_and_includes(
    bc: RunningBigCommerce, http: requests.Session
) -> None:
    rows = http.get(
        f"{bc.v3_url}/customers",
        params={"date_modified:min": "2024-06-01T00:00:00Z", "limit": 250},
        timeout=5,
    ).json()["data"]
    assert rows
    assert all(r["date_modified"] >= "2024-06-01T00:00:00Z" for r in rows)
    assert all("addresses" not in r for r in rows)
    with_addresses = http.get(
        f"{bc.v3_url}/customers", params={"id:in": "2", "include": "addresses"}, timeout=5
    ).json()["data"]
    assert len(with_addresses[0]["addresses"]) == 10
    unknown = http.get(f"{bc.v3_url}/customers", params={"include": "pets"}, timeout=5)
    assert unknown.status_code == 422


def test_products_date_only_filter_gets_the_current_time(
    bc: RunningBigCommerce, http: requests.Session
) -> None:
    # BigCommerce appends the request's time to a date-only date_modified:min, so a date
    # of today finds nothing that was modified before now.
    today = date.today().isoformat()
    rows = http.get(
        f"{bc.v3_url}/catalog/products", params={"date_modified:min": today}, timeout=5
    ).json()["data"]
    assert rows == []
    older = http.get(
        f"{bc.v3_url}/catalog/products",
        params={"date_modified:min": "2023-06-01T00:00:00Z", "sort": "date_modified"},
        timeout=5,
    ).json()["data"]
    assert older
    assert [p["date_modified"] for p in older] == sorted(p["date_modified"] for p in older)
