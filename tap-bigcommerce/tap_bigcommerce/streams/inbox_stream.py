"""Streams read from the webhook inbox rather than the API, bookmarked by arrival order.

Some changes exist only as webhook deliveries (BigCommerce lists no carts, and keeps no trace of
a deleted customer), which `tap-bigcommerce-webhooks serve` stores in the inbox (`inbox.py`). Such
a stream reads the deliveries after its bookmark, the inbox sequence number (`inbox_seq`), one
bookmark per inbox (`inbox_id`): positions start over in a new inbox.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_bigcommerce.client import BigCommerceStream
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.streams.fields import Timestamp

# Where each record was read: the last properties of every inbox stream's schema.
INBOX_PROPERTIES = (
    th.Property("inbox_seq", th.IntegerType, description="Arrival order in the inbox (bookmark)."),
    th.Property(
        "inbox_id",
        th.StringType,
        description="The inbox read; each inbox has its own bookmark (positions restart).",
    ),
    th.Property("received_at", Timestamp),
)


class InboxStream(BigCommerceStream):
    replication_key = "inbox_seq"
    is_sorted = True
    # What the stream reads, for the log line when there is no inbox yet ("no cart events").
    inbox_records_name: str = "events"

    @cached_property
    def inbox(self) -> Inbox:
        inbox = Inbox(self.config["inbox_url"], create=False)
        if not inbox.exists:
            self.logger.info(
                "No webhook inbox at inbox_url yet (run `tap-bigcommerce-webhooks serve`): no %s",
                self.inbox_records_name,
            )
        return inbox

    @property
    def partitions(self) -> list[dict[str, Any]] | None:
        self.inbox.refresh()  # a following tap may have started before the receiver
        inbox_id = self.inbox.inbox_id
        return None if inbox_id is None else [{"inbox_id": inbox_id}]

    def compare_start_date(self, value: str, start_date_value: str) -> str:
        # The bookmark is an inbox position, not a date: `start_date` does not apply to it.
        return value

    def inbox_position(self, context: Context | None) -> int:
        """The last inbox position read (0: read the inbox from its start)."""
        start = self.get_starting_replication_key_value(context)
        # Without a bookmark the SDK offers `start_date` here; the inbox is read from its start.
        return start if isinstance(start, int) else 0
