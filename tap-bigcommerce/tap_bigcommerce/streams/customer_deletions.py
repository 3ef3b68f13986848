"""`customer_deletions`: one record per `store/customer/deleted` delivery in the webhook inbox.

BigCommerce deletes customers for good: there is no `is_deleted` flag or tombstone in the v3 API,
and "the only signal is webhook `store/customer/deleted`" (bigcommerce-api notes §7), whose data is
`{type: "customer", id}` (webhooks.v3.yml, `store/customer/deleted` example callback). The receiver
stores each delivery once (a retried or repeated delivery has the same scope, hash and creation
time: `inbox.event_id_of`); this stream reads them in arrival order. A delivery without a usable
customer id is dead-lettered (field `customer_id`) and passed.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, ClassVar

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_bigcommerce.inbox import InboxEvent
from tap_bigcommerce.streams.fields import STORE_HASH, Timestamp
from tap_bigcommerce.streams.inbox_stream import INBOX_PROPERTIES, InboxStream
from tap_bigcommerce.values import to_utc_iso

CUSTOMER_DELETED = "store/customer/deleted"


class CustomerDeletionsStream(InboxStream):
    name = "customer_deletions"
    path = "/customers"
    primary_keys: ClassVar[tuple[str, ...]] = ("event_id",)
    required_references = ("customer_id",)
    inbox_records_name = "customer deletions"
    schema = th.PropertiesList(
        th.Property(
            "event_id",
            th.StringType,
            required=True,
            description="One per distinct delivery (scope, hash and creation time).",
        ),
        STORE_HASH,
        th.Property("customer_id", th.IntegerType, description="The deleted customer's id."),
        th.Property(
            "deleted_at",
            Timestamp,
            description="When BigCommerce sent the deletion (the delivery's `created_at`, UTC).",
        ),
        *INBOX_PROPERTIES,
    ).to_dict()

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        after = self.inbox_position(context)
        for inbox_event in self.inbox.read_after(after, store_hash=self.config["store_hash"]):
            if inbox_event.scope == CUSTOMER_DELETED:
                yield self._record(inbox_event, context)

    def _record(self, inbox_event: InboxEvent, context: Context | None) -> dict[str, Any]:
        data = inbox_event.payload.get("data")
        customer_id = data.get("id") if isinstance(data, dict) else None
        return {
            "event_id": inbox_event.event_id,
            "customer_id": customer_id,
            "deleted_at": to_utc_iso(inbox_event.created_at),
            "inbox_seq": inbox_event.seq,
            "inbox_id": (context or {}).get("inbox_id"),
            "received_at": inbox_event.received_at,
        }
