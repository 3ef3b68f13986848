"""The input contract: one JSON Schema per Iterable operation, shipped with the package.

The mapper in `transforms/` emits exactly these records; any other tap can too.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

OPERATIONS = ("users", "events", "purchases", "carts", "catalog_items", "user_deletions")


@cache
def operation_schema(operation: str) -> dict[str, Any]:
    """The JSON Schema (draft-07) of one operation's records."""
    if operation not in OPERATIONS:
        msg = f"Unknown operation {operation!r}; expected one of {', '.join(OPERATIONS)}"
        raise ValueError(msg)
    text = resources.files(__name__).joinpath("schemas", f"{operation}.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema
