"""Customers deleted in BigCommerce (the tap's `customer_deletions`): what Iterable is told.

BigCommerce keeps no trace of a deleted customer; its `store/customer/deleted` webhook names only
the id (webhooks.v3.yml). So the person is found by that id in the mapper's store, and
`on_customer_deleted` decides:

- `flag` (default): a users update with `bcDeleted`, the time of the deletion, so marketers can
  exclude them (their profile, purchases and lifetime value stay);
- `delete`: `user_deletions` (Iterable `DELETE /api/users/{email}` or `/byUserId/{userId}`; it
  "does not block future data", notes iterable-api.md);
- `forget`: `user_forgets` (Iterable `POST /api/users/forget`: data deleted, later data blocked);
- `keep`: nothing sent.

Deletions and forgets address the person by the identifier every record of theirs carries (the
top-level key: email in email-based projects and for hybrid profiles with an email, userId in
userID-based projects): the one Iterable certainly has. Swagger: deletion by email is for
email-based and hybrid projects, by userId for all; forget by email in email-based projects, by
userId in userID-based ones, either in hybrid ones. A customer the mapper never saw cannot be
addressed (the webhook carries no email): logged and counted. Logs name the customer id and the
person id only, never an email.
"""

from __future__ import annotations

import logging
from typing import Any

from map_bigcommerce_iterable.context import MapperContext, require_id, require_store_hash
from map_bigcommerce_iterable.normalise import (
    ITERABLE_DATE_FORMAT,
    NormalisationError,
    parse_timestamp,
)

logger = logging.getLogger(__name__)

STREAM = "customer_deletions"
OPERATIONS = {"delete": "user_deletions", "forget": "user_forgets"}
NOT_KNOWN = "not known to the mapper (nothing to address)"


def handle_customer_deletions(ctx: MapperContext, record: dict[str, Any]) -> None:
    store_hash = require_store_hash(STREAM, record)
    customer_id = require_id(STREAM, record, "customer_id")
    deleted_at = parse_timestamp(record.get("deleted_at"), f"{STREAM}.deleted_at")
    if deleted_at is None:
        msg = f"{STREAM} record for customer {customer_id}: missing field deleted_at"
        raise NormalisationError(msg, f"{STREAM}.deleted_at")
    action = ctx.settings.on_customer_deleted
    person = ctx.store.person_by_customer(store_hash, customer_id)
    identity = ctx.resolver.identity(person) if person is not None else None
    if identity is None:
        logger.warning(
            "Customer %s of store %s was deleted in BigCommerce; the mapper never mapped them, "
            "so no Iterable user can be addressed (on_customer_deleted: %s not applied)",
            customer_id,
            store_hash,
            action,
        )
        ctx.deletions[NOT_KNOWN] += 1
        return
    logger.info(
        "Customer %s of store %s (person %s) was deleted in BigCommerce: %s",
        customer_id,
        store_hash,
        identity.person_id,
        {"keep": "kept unchanged in Iterable", "flag": "flagged bcDeleted"}.get(
            action, f"sent to {OPERATIONS.get(action)}"
        ),
    )
    ctx.deletions[action] += 1
    if action == "flag":
        when = deleted_at.strftime(ITERABLE_DATE_FORMAT)  # parsed above: not parsed again
        ctx.update_user(identity, {"bcDeleted": when}, deleted_at)
    elif action in OPERATIONS:
        ctx.emit(OPERATIONS[action], dict(identity.key))
