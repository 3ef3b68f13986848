"""`refunds` (v3 `orders/payment_actions/refunds`): incremental on `created` (never modified)."""

from __future__ import annotations

from typing import ClassVar

from singer_sdk import typing as th

from tap_bigcommerce.client import IncrementalStream
from tap_bigcommerce.streams.fields import STORE_HASH, Money, Timestamp, key


class RefundsStream(IncrementalStream):
    name = "refunds"
    path = "/orders/payment_actions/refunds"
    replication_key: ClassVar[str] = "created"
    min_filter_param = "created:min"
    # orders.v3.yml does not require `order_id` or `total_amount` on a refund, but a refund of
    # no order, or of no amount, means nothing to Iterable (the mapper refuses it): so it is
    # dead-lettered here, where it can be re-extracted.
    required_references = ("order_id", "total_amount")
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("order_id", th.IntegerType, required=True),
        th.Property("user_id", th.IntegerType),
        th.Property("created", Timestamp),
        th.Property("reason", th.StringType),
        th.Property("total_amount", Money, required=True),
        th.Property("total_tax", Money),
        th.Property("uses_merchant_override_values", th.BooleanType),
        th.Property(
            "items",
            th.ArrayType(
                th.ObjectType(
                    th.Property("item_type", th.StringType),
                    th.Property("item_id", th.IntegerType),
                    th.Property("reason", th.StringType),
                    th.Property("quantity", th.IntegerType),
                    th.Property("requested_amount", Money),
                )
            ),
        ),
        th.Property(
            "payments",
            th.ArrayType(
                th.ObjectType(
                    th.Property("id", th.IntegerType),
                    th.Property("provider_id", th.StringType),
                    th.Property("amount", Money),
                    th.Property("offline", th.BooleanType),
                    th.Property("is_declined", th.BooleanType),
                    th.Property("declined_message", th.StringType),
                    th.Property("transaction_id", th.StringType),
                )
            ),
        ),
    ).to_dict()
