"""The contract the plugins share: one JSON Schema per Iterable operation, the dead-letter format.

The mapper in `transforms/` emits exactly these records; any other tap can too. The mapper, the
target and the tap write dead letters in the same format (the reconciler and `target-iterable
replay` read them).

This folder is the one to edit: `target-iterable/target_iterable/contract/`. Each plugin must
install alone with only published dependencies, so the mapper and the tap carry a byte-for-byte
copy (`map_bigcommerce_iterable/contract/`, `tap_bigcommerce/contract/`) that
`python scripts/sync_contract.py` writes; `tests/distribution/test_contract_copies.py` fails when a
copy drifts. Hence relative imports only in here.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any

OPERATIONS = (
    "users",
    "events",
    "purchases",
    "carts",
    "catalog_items",
    "user_deletions",
    "user_forgets",
    "email_changes",
)


@cache
def operation_schema(operation: str) -> dict[str, Any]:
    """The JSON Schema (draft-07) of one operation's records."""
    if operation not in OPERATIONS:
        msg = f"Unknown operation {operation!r}; expected one of {', '.join(OPERATIONS)}"
        raise ValueError(msg)
    text = resources.files(__name__).joinpath("schemas", f"{operation}.schema.json").read_text()
    schema: dict[str, Any] = json.loads(text)
    return schema
