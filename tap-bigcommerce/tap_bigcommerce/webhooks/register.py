"""Create (or re-activate) the hook subscriptions the `cart_events` stream needs, via `v3/hooks`.

Idempotent: a hook that already exists for the same scope and destination is left alone when
active with the same headers, and updated otherwise (BigCommerce deactivates hooks after
failures or 90 days without events).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from tap_bigcommerce.api import BigCommerceAPI

# `store/cart/*` would also work, but explicit scopes never overlap (no double deliveries).
CART_SCOPES = (
    "store/cart/created",
    "store/cart/updated",
    "store/cart/deleted",
    "store/cart/couponApplied",
    "store/cart/abandoned",
    "store/cart/converted",
    "store/cart/lineItem/*",
)

# Follow mode (tap setting `follow`) is woken by every change a marketer cares about. The
# wildcards are documented scopes (webhooks.v3.yml: `store/order/*` "Fires for all store/order
# events", likewise `store/customer/*`, `store/subscriber/*`, `store/product/*`; bigcommerce-api
# notes §6) and do not overlap each other or the explicit cart scopes.
FOLLOW_SCOPES = (
    "store/order/*",
    "store/customer/*",
    "store/subscriber/*",
    "store/product/*",
    *CART_SCOPES,
)


@dataclass(frozen=True)
class HookResult:
    scope: str
    action: str  # "created", "updated" or "unchanged"
    hook_id: Any


def _data(body: Any) -> Any:
    """v3 wraps objects in `data`; BigCommerce's own examples sometimes show them flat."""
    return body.get("data", body) if isinstance(body, dict) else body


def existing_hooks(api: BigCommerceAPI, destination: str | None) -> list[dict[str, Any]]:
    """This API account's hooks (all of them when `destination` is None), every page."""
    hooks: list[dict[str, Any]] = []
    page = 1
    while True:
        response = api.request("GET", "v3", "/hooks", params={"page": page, "limit": 250})
        items = _data(response.json()) if response.content else []
        if not isinstance(items, list):
            break
        hooks.extend(
            h for h in items if isinstance(h, dict) and destination in (None, h.get("destination"))
        )
        if len(items) < 250:
            break
        page += 1
    return hooks


def register_hooks(
    api: BigCommerceAPI,
    destination: str,
    headers: Mapping[str, str],
    scopes: Iterable[str] = CART_SCOPES,
) -> list[HookResult]:
    current = {hook.get("scope"): hook for hook in existing_hooks(api, destination)}
    results = []
    for scope in scopes:
        body = {
            "scope": scope,
            "destination": destination,
            "is_active": True,
            "headers": dict(headers),
        }
        hook = current.get(scope)
        if hook is None:
            created = _data(api.request("POST", "v3", "/hooks", json_body=body).json())
            results.append(HookResult(scope, "created", created.get("id")))
        elif hook.get("is_active") and (hook.get("headers") or {}) == dict(headers):
            results.append(HookResult(scope, "unchanged", hook.get("id")))
        else:
            api.request("PUT", "v3", f"/hooks/{hook.get('id')}", json_body=body)
            results.append(HookResult(scope, "updated", hook.get("id")))
    return results


def reactivate_hooks(api: BigCommerceAPI, scopes: Iterable[str]) -> list[HookResult]:
    """Re-enable this account's hooks for `scopes` that BigCommerce deactivated.

    BigCommerce sets `is_active: false` once a delivery's retries are exhausted (about 48 hours)
    and after 90 days without events (bigcommerce-api notes §6); `PUT /v3/hooks/{id}` with
    `is_active: true` re-activates one. Hooks are only visible to the account that created them,
    so these are the receiver's own hooks.
    """
    wanted = set(scopes)
    results = []
    for hook in existing_hooks(api, None):
        if hook.get("scope") in wanted and hook.get("is_active") is False:
            api.request("PUT", "v3", f"/hooks/{hook.get('id')}", json_body={"is_active": True})
            results.append(HookResult(str(hook.get("scope")), "reactivated", hook.get("id")))
    return results
