"""The mapper plugin: turns tap-bigcommerce records into target-iterable operations."""

from __future__ import annotations

from collections.abc import Iterable

import singer_sdk.singerlib as singer
from singer_sdk import InlineMapper
from singer_sdk import typing as th


class BigCommerceToIterableMapper(InlineMapper):
    """Identity, ownership and normalisation rules between tap-bigcommerce and target-iterable."""

    name = "map-bigcommerce-iterable"

    config_jsonschema = th.PropertiesList(
        th.Property(
            "identity_mode",
            th.StringType,
            default="email",
            allowed_values=["email", "user_id", "hybrid"],
            description="How people are keyed in Iterable; match the Iterable project type.",
        ),
    ).to_dict()

    def map_schema_message(self, message_dict: dict) -> Iterable[singer.Message]:
        return []

    def map_record_message(self, message_dict: dict) -> Iterable[singer.Message]:
        return []

    def map_state_message(self, message_dict: dict) -> Iterable[singer.Message]:
        # State passes through untouched so bookmarks advance only as the target confirms.
        yield singer.StateMessage.from_dict(message_dict)

    def map_activate_version_message(self, message_dict: dict) -> Iterable[singer.Message]:
        return []


if __name__ == "__main__":
    BigCommerceToIterableMapper.cli()
