"""The BigCommerce tap: settings and the list of streams."""

from __future__ import annotations

import io
import json
import sys
from functools import cached_property
from typing import IO, Any

import click
from singer_sdk import Stream, Tap
from singer_sdk.exceptions import ConfigValidationError

from tap_bigcommerce.api import PacedSession, RetrySettings, StoreSettings
from tap_bigcommerce.bad_records import DEAD_LETTER, BadRecords
from tap_bigcommerce.config import CONFIG_SCHEMA, InvalidConfigError, check_config
from tap_bigcommerce.follow import Follower
from tap_bigcommerce.pacing import RateLimitPacer
from tap_bigcommerce.replay import ReplayPlan
from tap_bigcommerce.state_input import InvalidStateError, check_state, parse_state
from tap_bigcommerce.streams import STREAM_TYPES


class TapBigCommerce(Tap):
    """Extracts a BigCommerce store: customers, orders with every line item, catalog, carts."""

    name = "tap-bigcommerce"
    config_jsonschema = CONFIG_SCHEMA
    # Set by `tap-bigcommerce replay`: only these records are emitted, and no STATE.
    replay_plan: ReplayPlan | None = None

    def __init__(self, *args: Any, validate_config: bool = True, **kwargs: Any) -> None:
        super().__init__(*args, validate_config=validate_config, **kwargs)
        if validate_config:
            try:
                check_config(self.config)
            except InvalidConfigError as exc:
                raise ConfigValidationError(
                    "Config validation failed", errors=[str(exc)], schema=self.config_jsonschema
                ) from exc

    @classmethod
    def invoke(cls, *, state: IO[str] | None = None, **options: Any) -> None:
        """The SDK's CLI, with the `--state` file checked first (an error names what is wrong)."""
        if state is not None:
            try:
                checked = parse_state(state.read(), f"state file {state.name}")
            except InvalidStateError as exc:
                raise click.BadParameter(str(exc), param_hint="'--state'") from exc
            state = io.StringIO(json.dumps(checked))
        super().invoke(state=state, **options)

    def load_state(self, state: dict[str, Any]) -> None:
        super().load_state(check_state(state))

    @cached_property
    def store_settings(self) -> StoreSettings:
        """What each request to the store needs (built on first use: discovery needs no config)."""
        config = self.config
        return StoreSettings(
            api_url=config["api_url"],
            store_hash=config["store_hash"],
            access_token=config["access_token"],
            user_agent=config["user_agent"],
            timeout_seconds=float(config["request_timeout"]),
            retry=RetrySettings(
                max_retries=int(config["max_retries"]),
                backoff_base_seconds=float(config["retry_base_seconds"]),
                backoff_max_seconds=float(config["retry_max_seconds"]),
            ),
        )

    @cached_property
    def pacer(self) -> RateLimitPacer:
        """One pacer for the run: the quota belongs to the store, not to a stream."""
        return RateLimitPacer(reserve=int(self.config["rate_limit_reserve"]))

    @cached_property
    def session(self) -> PacedSession:
        """One HTTP session for every stream: connections are reused and paced together."""
        return PacedSession(self.pacer)

    @cached_property
    def bad_records(self) -> BadRecords:
        """The run's dead-letter output for records the tap cannot normalise."""
        return BadRecords(
            self.config.get("dead_letter_path"),
            self.config.get("on_bad_record", DEAD_LETTER),
            secrets=(self.config["access_token"],),
            logger=self.logger,
        )

    def log_run_summary(self) -> None:
        """The line an operator looks for after a run (dead letters above all). `sync_all` is
        final in the SDK: the last stream calls this once every stream has synced."""
        self.logger.info(
            "Run summary: %d BigCommerce request(s); %s",
            self.session.request_count,
            self.bad_records.summary(),
        )

    def sync_all(self) -> None:  # type: ignore[misc]
        """Catch up as a scheduled run does; with `follow`, then keep following (follow.py).

        The SDK marks `sync_all` final (for type checkers only); its sync runs unchanged here,
        follow mode only continues after it, in the same process and with the same state.
        """
        # Created first: the inbox position is taken before the catch-up starts.
        follower = Follower(self) if self.config.get("follow") else None
        super().sync_all()
        if follower is not None:
            follower.run()

    def discover_streams(self) -> list[Stream]:
        return [stream_type(tap=self) for stream_type in STREAM_TYPES]

    @property
    def streams(self) -> dict[str, Stream]:
        """Streams in the agreed emission order (the SDK's `load_streams` sorts them by name)."""
        return self._streams_in_emission_order

    @cached_property
    def _streams_in_emission_order(self) -> dict[str, Stream]:
        # Our own cache: the SDK's (`Tap._streams`) is private, and `load_streams` is final.
        streams: dict[str, Stream] = {}
        for stream in self.discover_streams():
            if self.input_catalog is not None:
                stream.apply_catalog(self.input_catalog)
            streams[stream.name] = stream
        return streams


def main() -> None:
    """`tap-bigcommerce`: the SDK's CLI, or `tap-bigcommerce replay ...` (see replay.py)."""
    if sys.argv[1:2] == ["replay"]:
        from tap_bigcommerce import replay  # noqa: PLC0415

        sys.exit(replay.main(sys.argv[2:]))
    TapBigCommerce.cli()


if __name__ == "__main__":
    main()
