"""The Iterable target: settings and the sink for each operation."""

from __future__ import annotations

from singer_sdk import Target
from singer_sdk import typing as th

from target_iterable.sinks import IterableSink


class TargetIterable(Target):
    """Loads users, events, purchases, carts and catalog items into Iterable."""

    name = "target-iterable"
    default_sink_class = IterableSink

    config_jsonschema = th.PropertiesList(
        th.Property(
            "api_key",
            th.StringType,
            required=True,
            secret=True,
            description="Iterable server-side API key (sent as `Api-Key`).",
        ),
        th.Property(
            "api_url",
            th.StringType,
            default="https://api.iterable.com",
            description="Iterable API root; EU projects use `https://api.eu.iterable.com`.",
        ),
    ).to_dict()
