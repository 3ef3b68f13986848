"""Sinks that send batches of records to Iterable."""

from __future__ import annotations

from singer_sdk.sinks import BatchSink


class IterableSink(BatchSink):
    """Placeholder sink: loading arrives with the target-iterable issue."""

    def process_batch(self, context: dict) -> None:
        self.logger.warning(
            "Loading is not implemented yet; %d records ignored", len(context.get("records", []))
        )
