"""People: `customer_groups` (v2), `customers`, `subscribers` (v3); incremental by date."""

from __future__ import annotations

from functools import cached_property
from typing import Any, ClassVar

from singer_sdk import typing as th
from singer_sdk.helpers.types import Context

from tap_bigcommerce.client import IncrementalStream, KeysetStream
from tap_bigcommerce.streams.fields import FORM_FIELD, STORE_HASH, Money, Timestamp, key


class CustomerGroupsStream(IncrementalStream):
    """v2 only (groups are not in the v3 customers API); no sort parameter, so unsorted."""

    name = "customer_groups"
    path = "/customer_groups"
    api_version = "v2"
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("name", th.StringType),
        th.Property("is_default", th.BooleanType),
        th.Property("is_group_for_guests", th.BooleanType),
        th.Property("category_access", th.ObjectType(additional_properties=True)),
        th.Property("discount_rules", th.ArrayType(th.ObjectType(additional_properties=True))),
        th.Property("date_created", Timestamp),
        th.Property("date_modified", Timestamp),
    ).to_dict()


ADDRESS = th.ObjectType(
    key(),
    th.Property("customer_id", th.IntegerType),
    th.Property("first_name", th.StringType),
    th.Property("last_name", th.StringType),
    th.Property("company", th.StringType),
    th.Property("address1", th.StringType),
    th.Property("address2", th.StringType),
    th.Property("city", th.StringType),
    th.Property("state_or_province", th.StringType),
    th.Property("postal_code", th.StringType),
    th.Property("country_code", th.StringType),
    th.Property("country", th.StringType),
    th.Property("phone", th.StringType),
    th.Property("address_type", th.StringType),
    th.Property("form_fields", th.ArrayType(FORM_FIELD)),
)

ATTRIBUTE = th.ObjectType(
    th.Property("id", th.IntegerType),
    th.Property("attribute_id", th.IntegerType),
    th.Property("attribute_name", th.StringType, description="From /customers/attributes."),
    th.Property("attribute_type", th.StringType),
    th.Property("attribute_value", th.StringType),
    th.Property("customer_id", th.IntegerType),
    th.Property("date_created", Timestamp),
    th.Property("date_modified", Timestamp),
)


class CustomersStream(KeysetStream):
    name = "customers"
    path = "/customers"
    sort_params: ClassVar[dict[str, str]] = {"sort": "date_modified:asc"}
    extra_params: ClassVar[dict[str, str]] = {
        "include": "addresses,storecredit,attributes,formfields"
    }
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("email", th.StringType),
        th.Property("first_name", th.StringType),
        th.Property("last_name", th.StringType),
        th.Property("company", th.StringType),
        th.Property("phone", th.StringType),
        th.Property("notes", th.StringType),
        th.Property("tax_exempt_category", th.StringType),
        th.Property("registration_ip_address", th.StringType),
        th.Property("customer_group_id", th.IntegerType),
        th.Property("date_created", Timestamp),
        th.Property("date_modified", Timestamp),
        th.Property("address_count", th.IntegerType),
        th.Property("attribute_count", th.IntegerType),
        th.Property("accepts_product_review_abandoned_cart_emails", th.BooleanType),
        th.Property("origin_channel_id", th.IntegerType),
        th.Property("channel_ids", th.ArrayType(th.IntegerType)),
        th.Property("addresses", th.ArrayType(ADDRESS)),
        th.Property("attributes", th.ArrayType(ATTRIBUTE)),
        th.Property("form_fields", th.ArrayType(FORM_FIELD)),
        th.Property(
            "store_credit_amounts", th.ArrayType(th.ObjectType(th.Property("amount", Money)))
        ),
    ).to_dict()

    @cached_property
    def attribute_definitions(self) -> dict[Any, dict[str, Any]]:
        """`attribute_id` -> {name, type}: the customer object carries ids only."""
        definitions = self.get_all_pages("/customers/attributes")
        return {item.get("id"): item for item in definitions}

    def transform(self, record: dict[str, Any], context: Context | None) -> dict[str, Any] | None:
        attributes = record.get("attributes") or []
        if attributes:
            known = self.attribute_definitions
            for attribute in attributes:
                definition = known.get(attribute.get("attribute_id"), {})
                attribute["attribute_name"] = definition.get("name")
                attribute["attribute_type"] = definition.get("type")
        return record


class SubscribersStream(IncrementalStream):
    """Newsletter sign-ups (consent); the endpoint cannot sort by date, so unsorted."""

    name = "subscribers"
    path = "/customers/subscribers"
    schema = th.PropertiesList(
        key(),
        STORE_HASH,
        th.Property("email", th.StringType),
        th.Property("first_name", th.StringType),
        th.Property("last_name", th.StringType),
        th.Property("source", th.StringType),
        th.Property("order_id", th.IntegerType),
        th.Property("channel_id", th.IntegerType),
        th.Property("consents", th.ArrayType(th.AnyType)),
        th.Property("date_created", Timestamp),
        th.Property("date_modified", Timestamp),
    ).to_dict()
