"""What changed in the store, as BigCommerce webhook scopes and their `data`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class StoreEvent:
    scope: str  # e.g. "store/cart/created"
    data: dict[str, Any]
