"""The comparison, directly: each kind of discrepancy is found, named and carries its ids."""

from __future__ import annotations

from decimal import Decimal

from bigcommerce_iterable_reconcile.compare import (
    KINDS,
    Checks,
    Reconciliation,
    Tolerance,
    expected_lifetime_value,
    reconcile,
)

from .records import (
    END,
    START,
    bigcommerce,
    event,
    item,
    iterable,
    order,
    product,
    purchase,
    user,
)

ANN = "ann@example.com"


def run(bc, it, tolerance: Tolerance | None = None, checks: Checks | None = None) -> Reconciliation:
    tolerance = tolerance or Tolerance()
    return reconcile(bc, it, start=START, end=END, tolerance=tolerance, checks=checks)


def kinds(result: Reconciliation) -> dict[str, list[str]]:
    return {k: [d.subject for d in v] for k, v in result.by_kind().items() if v}


def clean() -> tuple:
    orders = [order(1, "10.00"), order(2, "5.50", day=6)]
    users = [user(ANN, count=2, spent="15.50", customer=7)]
    return (
        bigcommerce(orders, [product(101, "12.00")]),
        iterable(
            [purchase(1, "10.00"), purchase(2, "5.50", day=6)], users, items=[item(101, "12.00")]
        ),
    )


def test_identical_data_agrees_with_no_discrepancy():
    result = run(*clean())
    assert result.discrepancies == []
    assert result.agrees
    assert [(r.day.day, r.bigcommerce_revenue, r.iterable_revenue) for r in result.daily] == [
        (5, Decimal("10.00"), Decimal("10.00")),
        (6, Decimal("5.50"), Decimal("5.50")),
    ]


def test_missing_purchase_and_purchase_without_order():
    bc, _ = clean()
    it = iterable(
        [purchase(1, "10.00"), purchase(9, "3.00")],
        [user(ANN, count=2, spent="15.50")],
        items=[item(101, "12.00")],
    )
    found = kinds(run(bc, it))
    assert found == {"purchase_missing": ["store1-2"], "purchase_without_order": ["store1-9"]}


def test_order_that_no_longer_qualifies_is_named_as_such():
    bc = bigcommerce([order(1, "10.00"), order(2, "5.50", qualifies=False)])
    it = iterable([purchase(1, "10.00"), purchase(2, "5.50")], [user(ANN, count=1, spent="10.00")])
    result = run(bc, it, checks=Checks(catalog=False))
    [orphan] = result.discrepancies
    assert orphan.kind == "purchase_without_order"
    assert "order 2 does not make a purchase" in orphan.detail


def test_wrong_total_to_the_cent_and_revenue_tolerance():
    bc, _ = clean()
    it = iterable(
        [purchase(1, "10.01"), purchase(2, "5.50", day=6)],
        [user(ANN, count=2, spent="15.50")],
        items=[item(101, "12.00")],
    )
    result = run(bc, it)
    assert kinds(result) == {"purchase_total_mismatch": ["store1-1"]}
    assert result.discrepancies[0].bigcommerce == "10.00 USD"
    assert result.discrepancies[0].iterable == "10.01 USD"
    assert not result.daily[0].agrees(Decimal(0))
    assert run(bc, it, Tolerance(revenue=Decimal("0.01"))).discrepancies == []


def test_currency_mismatch_is_a_total_mismatch():
    bc, _ = clean()
    it = iterable(
        [purchase(1, "10.00", currency="EUR"), purchase(2, "5.50", day=6)],
        [user(ANN, count=2, spent="15.50")],
        items=[item(101, "12.00")],
    )
    assert kinds(run(bc, it)) == {"purchase_total_mismatch": ["store1-1"]}


def test_purchase_on_another_day():
    bc, _ = clean()
    it = iterable(
        [purchase(1, "10.00", day=7), purchase(2, "5.50", day=6)],
        [user(ANN, count=2, spent="15.50")],
        items=[item(101, "12.00")],
    )
    assert kinds(run(bc, it)) == {"purchase_date_mismatch": ["store1-1"]}


def test_duplicates_by_id_and_by_order():
    bc, it = clean()
    it.purchases.extend([purchase(1, "10.00"), purchase(2, "5.50", day=6, purchase_id="x-77")])
    found = kinds(run(bc, it))
    assert found == {"duplicate_purchase": ["store1-1", "order 2"]}


def test_duplicate_event_ids():
    bc, it = clean()
    it.events.extend([event("e-1"), event("e-2"), event("e-1")])
    result = run(bc, it)
    assert kinds(result) == {"duplicate_event_id": ["e-1"]}
    assert "2 times" in result.discrepancies[0].detail


def test_missing_and_duplicated_users():
    bc, _ = clean()
    bc.orders.append(order(3, "1.00", person="bob@example.com"))
    users = [
        user(ANN, count=2, spent="15.50", customer=7),
        user("ann.old@example.com", customer=7),  # same BigCommerce customer on a second profile
        user("cy@example.com", user_id="u-1"),
        user("cy@example.com", user_id="u-2"),  # same email under two userIds
    ]
    it = iterable(
        [purchase(1, "10.00"), purchase(2, "5.50", day=6), purchase(3, "1.00")],
        users,
        items=[item(101, "12.00")],
    )
    result = run(bc, it)
    assert kinds(result) == {
        "user_missing": ["bob@example.com"],
        "duplicate_user": ["cy@example.com", "customer 7"],
    }


def test_lifetime_value_counts_every_order_of_the_buyer():
    orders = [order(1, "10.00"), order(2, "5.50", day=6)]
    old = order(0, "100.00")
    old = type(old)(**{**old.__dict__, "created": START.replace(year=2023)})
    bc = bigcommerce([old, *orders])
    good = iterable(
        [purchase(1, "10.00"), purchase(2, "5.50", day=6)], [user(ANN, count=3, spent="115.50")]
    )
    assert run(bc, good, checks=Checks(catalog=False)).discrepancies == []
    bad = iterable(
        [purchase(1, "10.00"), purchase(2, "5.50", day=6)], [user(ANN, count=2, spent="15.50")]
    )
    [mismatch] = run(bc, bad, checks=Checks(catalog=False)).discrepancies
    assert mismatch.kind == "ltv_mismatch"
    assert mismatch.subject == ANN
    assert mismatch.bigcommerce == "3 orders, 115.50 USD"
    assert run(bc, bad, checks=Checks(catalog=False, lifetime_value=False)).discrepancies == []


def test_expected_lifetime_value_skips_non_qualifying_and_unconvertible_orders():
    counted = order(1, "10.005")
    cancelled = order(2, "99.00", qualifies=False)
    no_rate = type(counted)(**{**order(3, "7.00").__dict__, "net_in_ltv_currency": None})
    assert expected_lifetime_value([counted, cancelled, no_rate]) == (1, Decimal("10.01"), "USD")
    assert expected_lifetime_value([cancelled]) is None


def test_catalog_items_missing_and_stale():
    bc = bigcommerce([], [product(101, "12.00"), product(102, "3.00"), product(103, "4.00")])
    it = iterable([], [], items=[item(101, "11.00"), item(103, "4.00", name="Old name")])
    result = run(bc, it)
    assert kinds(result) == {
        "catalog_item_missing": ["store1-102"],
        "catalog_item_stale": ["store1-101", "store1-103"],
    }
    stale = result.by_kind()["catalog_item_stale"]
    assert "price differ" in stale[0].detail
    assert "name differ" in stale[1].detail


def test_out_of_range_and_other_store_records_are_left_out():
    bc, it = clean()
    bc.orders.append(order(4, "2.00"))
    late = type(bc.orders[-1])(**{**bc.orders[-1].__dict__, "created": END})
    bc.orders[-1] = late
    other_store = type(it.purchases[0])(
        **{**it.purchases[0].__dict__, "store_hash": "store2", "purchase_id": "store2-1"}
    )
    it.purchases.append(other_store)
    it.users[0] = user(ANN, count=3, spent="17.50", customer=7)  # lifetime value counts it
    result = run(bc, it)
    assert result.discrepancies == []
    assert result.counts["orders_in_range"] == 2


def test_tolerance_decides_the_verdict():
    bc, it = clean()
    it.purchases.pop()
    assert not run(bc, it).agrees
    assert run(bc, it, Tolerance(max_discrepancies=1)).agrees


def test_every_kind_has_a_title():
    assert all(title for title in KINDS.values())
