"""commerce/trackPurchase and commerce/updateCart (no bulk forms exist)."""

from __future__ import annotations

import time
from typing import Any

from sandbox.iterable.events import check_created_at, check_record_id
from sandbox.iterable.field_types import mismatch_error
from sandbox.iterable.identity import IdentityProblem
from sandbox.iterable.journeys import CART_UPDATE, PURCHASE
from sandbox.iterable.profiles import check_field_limit, prepare_user, write_user
from sandbox.iterable.settings import EmulatorSettings
from sandbox.iterable.state import ProjectState

PURCHASE_CATEGORY = "purchase"
CART_FIELD = "shoppingCartItems"


def track_purchase(state: ProjectState, settings: EmulatorSettings, body: dict[str, Any]) -> str:
    """Upsert a purchase by `id`, create/update its user, clear the user's cart."""
    check_created_at(settings, body.get("createdAt"), "obj")
    check_record_id(body.get("id"), "obj")
    staged = state.registry.stage()
    user = body["user"]
    prepared, mismatches = prepare_user(
        state, settings, staged, user, "obj.user", create_new_fields=user.get("createNewFields")
    )
    if isinstance(prepared, IdentityProblem):
        raise prepared.as_error()
    purchase_fields = {**(body.get("dataFields") or {}), CART_FIELD: body["items"]}
    mismatches += staged.check(PURCHASE_CATEGORY, purchase_fields)
    if mismatches:
        raise mismatch_error(state.registry, mismatches)
    check_field_limit(state, settings, staged)
    profile = write_user(state, prepared, source="commerce/trackPurchase")
    if isinstance(profile, IdentityProblem):
        raise profile.as_error()
    staged.commit()
    # Swagger, trackPurchase: "shoppingCartItems field on the user profile is cleared." A
    # re-sent purchase empties a cart started since.
    if profile.data_fields.pop(CART_FIELD, None) or state.carts.get(state.label(profile)):
        state.carts_cleared_by_purchase[state.label(profile)] += 1
    state.carts.pop(state.label(profile), None)
    purchase_id = body.get("id") or state.new_id("purchase")
    record: dict[str, Any] = {
        "id": purchase_id,
        "email": profile.email,
        "userId": profile.user_id,
        "items": body["items"],
        "total": body["total"],
        "createdAt": body.get("createdAt", int(time.time())),
        "dataFields": body.get("dataFields") or {},
    }
    for optional in ("campaignId", "templateId"):
        if optional in body:
            record[optional] = body[optional]
    state.purchases[purchase_id] = record
    state.mark_written("purchases", purchase_id)
    state.writes["purchases"][purchase_id] += 1
    state.journeys.enter(PURCHASE, purchase_id)  # added or updated: both enter journeys
    return purchase_id


def update_cart(state: ProjectState, settings: EmulatorSettings, body: dict[str, Any]) -> None:
    """Replace the user's `shoppingCartItems` with the whole current cart."""
    staged = state.registry.stage()
    user = dict(body["user"])
    user["dataFields"] = {**(user.get("dataFields") or {}), CART_FIELD: body["items"]}
    prepared, mismatches = prepare_user(
        state, settings, staged, user, "obj.user", create_new_fields=user.get("createNewFields")
    )
    if isinstance(prepared, IdentityProblem):
        raise prepared.as_error()
    if mismatches:
        raise mismatch_error(state.registry, mismatches)
    check_field_limit(state, settings, staged)
    profile = write_user(state, prepared, source="commerce/updateCart")
    if isinstance(profile, IdentityProblem):
        raise profile.as_error()
    staged.commit()
    profile.data_fields[CART_FIELD] = body["items"]  # replaced, never merged
    state.carts[state.label(profile)] = body["items"]
    state.writes["carts"][state.label(profile)] += 1
    state.journeys.enter(CART_UPDATE, state.label(profile))
