"""The BigCommerce tap: settings and the list of streams."""

from __future__ import annotations

from singer_sdk import Stream, Tap
from singer_sdk import typing as th


class TapBigCommerce(Tap):
    """Extracts a BigCommerce store: customers, orders with every line item, refunds, catalog."""

    name = "tap-bigcommerce"

    config_jsonschema = th.PropertiesList(
        th.Property(
            "store_hash",
            th.StringType,
            required=True,
            description="The store hash from the API path, e.g. `abc123` in `/stores/abc123/v3`.",
        ),
        th.Property(
            "access_token",
            th.StringType,
            required=True,
            secret=True,
            description="API account access token (sent as `X-Auth-Token`).",
        ),
        th.Property(
            "api_url",
            th.StringType,
            default="https://api.bigcommerce.com",
            description="API root; requests go to `{api_url}/stores/{store_hash}/v2|v3/...`.",
        ),
        th.Property(
            "start_date",
            th.DateTimeType,
            description="Earliest modification date to extract on the first run (ISO 8601).",
        ),
    ).to_dict()

    def discover_streams(self) -> list[Stream]:
        return []


if __name__ == "__main__":
    TapBigCommerce.cli()
