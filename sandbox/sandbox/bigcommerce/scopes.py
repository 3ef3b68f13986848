"""OAuth scopes an API token needs per endpoint (from the specs' scope tables).

A token holding a scope's modify form (`store_v2_orders`) may also read
(`store_v2_orders_read_only`). Endpoints not listed need no scope (webhooks).
"""

from __future__ import annotations

# Path prefix under /stores/{hash} -> scopes of which the token needs at least one.
_REQUIREMENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("/v3/orders/payment_actions/refunds", ("store_v2_transactions", "store_v2_orders")),
    ("/v2/orders", ("store_v2_orders",)),
    ("/v2/order_statuses", ("store_v2_orders",)),
    ("/v2/customer_groups", ("store_v2_customers",)),
    ("/v3/customers", ("store_v2_customers",)),
    ("/v3/catalog", ("store_v2_products",)),
    ("/v3/carts", ("store_cart",)),
    ("/v3/checkouts", ("store_checkouts",)),
    ("/v3/channels", ("store_channel_settings",)),
    ("/v3/abandoned-carts", ("store_v2_information",)),
    ("/v3/settings", ("store_v2_information",)),
    ("/v2/currencies", ("store_v2_information",)),
    ("/v2/store", ("store_v2_information",)),
    ("/v2/time", ("store_v2_information",)),
)

# Every scope the connector could use, read-only: what a token has unless told otherwise.
ALL_READ_SCOPES = frozenset(f"{scope}_read_only" for _, scopes in _REQUIREMENTS for scope in scopes)


def missing_scope(api_path: str, method: str, granted: frozenset[str]) -> str | None:
    """The scope to name in a 403, or None when `granted` allows the request."""
    for prefix, scopes in _REQUIREMENTS:
        if api_path == prefix or api_path.startswith(f"{prefix}/"):
            reading = method in {"GET", "HEAD"}
            for scope in scopes:
                if scope in granted or (reading and f"{scope}_read_only" in granted):
                    return None
            return scopes[0] if not reading else f"{scopes[0]}_read_only"
    return None
