"""Ids the mapper gives Iterable records, in one place so that other tools (the reconciler) use
the same rules instead of copies of them."""

from __future__ import annotations

from typing import Any

from map_bigcommerce_iterable.normalise import catalog_safe


def purchase_id(store_hash: str, order_id: int) -> str:
    """A purchase's id: one per order, so retries and re-runs update the same purchase."""
    return f"{store_hash}-{order_id}"


def catalog_item_id(item_id_template: str, store_hash: str, product_id: Any) -> str:
    """A catalog item's id (also the id of purchase and cart line items, so they join)."""
    return catalog_safe(item_id_template.format(store_hash=store_hash, product_id=product_id))
