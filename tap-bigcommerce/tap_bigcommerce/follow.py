"""Follow mode: after the catch-up, wake on webhooks and sweep on a timer until SIGTERM.

Webhooks are wake-up signals, not data: BigCommerce's payloads carry ids only (bigcommerce-api
notes §6, "Use the payload data points to make subsequent API requests"), and a lost delivery
must cost nothing but latency. So a wake-up runs the same incremental query as a scheduled run,
from the streams' bookmarks, for the streams the new deliveries concern: one pass per stream per
wake-up however many deliveries arrived (the inbox is read with one grouped query). A sweep
every `sweep_seconds` runs every followed stream without a webhook, and every wake-up ends with
STATE, so the mapper and target can commit progress continuously.

SIGTERM (or SIGINT) ends the current wake-up, emits STATE and returns: the tap exits 0. The mapper
and the target take in what it wrote, flush, write their last STATE and exit 0 too, at the end of
their input or, when `meltano run` itself was signalled (it signals every plugin and closes no
input), once their input has gone quiet (contract/graceful_stop.py).
"""

from __future__ import annotations

import logging
import re
import signal
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from types import FrameType
from typing import TYPE_CHECKING, Any

from singer_sdk.singerlib import StateMessage

from tap_bigcommerce.api import BigCommerceAPI
from tap_bigcommerce.follow_health import LagWindow, bookmark_ages, health_line
from tap_bigcommerce.follow_wakeups import WakeSource, open_wake_source
from tap_bigcommerce.inbox import Inbox
from tap_bigcommerce.webhooks.register import FOLLOW_SCOPES, reactivate_hooks

if TYPE_CHECKING:
    from tap_bigcommerce.tap import TapBigCommerce

LOGGER = logging.getLogger("tap_bigcommerce.follow")

# Webhook scope prefixes (BigCommerce webhook events reference, webhooks.v3.yml: `store/order/*`,
# `store/customer/*`, `store/subscriber/*`, `store/product/*`, `store/sku/*`, `store/cart/*`) ->
# the streams whose incremental query picks the change up. Most specific prefix first.
SCOPE_STREAMS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("store/order/refund/", ("orders", "refunds")),
    ("store/order/", ("orders",)),
    ("store/customer/", ("customers", "customer_deletions")),
    ("store/subscriber/", ("subscribers",)),
    ("store/product/", ("products",)),
    ("store/sku/", ("products",)),
    ("store/cart/", ("cart_events",)),
)
# Channel-scoped variants (`store/channel/{id}/order/...`, `store/channel/{id}/cart/...`) concern
# the same streams as their store-wide scopes (bigcommerce-api notes §6, channels.mdx).
_CHANNEL_PREFIX = re.compile(r"^store/channel/\d+/")
FOLLOWED_STREAMS = tuple(dict.fromkeys(name for _, names in SCOPE_STREAMS for name in names))


def streams_for_scopes(scopes: Iterable[str]) -> set[str]:
    """The streams a set of webhook scopes concerns; unknown scopes concern none (no error)."""
    names: set[str] = set()
    for scope in scopes:
        store_wide = _CHANNEL_PREFIX.sub("store/", scope)
        for prefix, streams in SCOPE_STREAMS:
            if store_wide.startswith(prefix):
                names.update(streams)
                break
    return names


@dataclass
class FollowStats:
    """Counters for the log lines (health and lag) and the tests."""

    wake_ups: int = 0
    sweeps: int = 0
    hook_checks: int = 0
    hooks_reactivated: int = 0
    passes: dict[str, int] = field(default_factory=dict)


class Follower:
    """Runs wake-ups and sweeps on a caught-up tap. Create it before the catch-up starts: the
    inbox position is taken then, so deliveries during the catch-up still wake it after."""

    def __init__(
        self,
        tap: TapBigCommerce,
        *,
        wake_source: WakeSource | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.tap = tap
        config = tap.config
        self.sweep_seconds = float(config["sweep_seconds"])
        self.hook_check_seconds = float(config["hook_check_seconds"])
        self.health_log_seconds = float(config["health_log_seconds"])
        self._lags = LagWindow()
        self._clock = clock
        self.stop_requested = threading.Event()
        self.stats = FollowStats()
        self.wake_source = wake_source or open_wake_source(
            Inbox(config["inbox_url"], create=False),
            store_hash=config["store_hash"],
            poll_seconds=float(config["inbox_poll_seconds"]),
        )

    # -- the loop -------------------------------------------------------------------------------

    def run(self) -> None:
        previous = self._install_stop_handlers()
        try:
            LOGGER.info(
                "follow: caught up; waiting for webhooks (sweep every %.0f s)", self.sweep_seconds
            )
            now = self._clock()
            next_sweep = now + self.sweep_seconds
            next_hook_check = now + self.hook_check_seconds if self.hook_check_seconds else None
            next_health = now + self.health_log_seconds if self.health_log_seconds else None
            while not self.stop_requested.is_set():
                idle_due = self._idle_carts_due()
                due = min(
                    t for t in (next_sweep, next_hook_check, idle_due, next_health) if t is not None
                )
                batch = self.wake_source.wait(max(due - self._clock(), 0.0), self.stop_requested)
                if batch.scopes:
                    self.wake_up(
                        streams_for_scopes(batch.scopes), "webhook", batch.oldest_received_at
                    )
                elif idle_due is not None and self._clock() >= idle_due:
                    self.wake_up({"cart_events"}, "idle carts", None)
                now = self._clock()
                if next_hook_check is not None and now >= next_hook_check:
                    next_hook_check = now + self.hook_check_seconds
                    if self.check_hooks():
                        next_sweep = now  # hooks were down: what they missed is swept now
                if now >= next_sweep and not self.stop_requested.is_set():
                    self.wake_up(set(FOLLOWED_STREAMS), "sweep", None)
                    next_sweep = self._clock() + self.sweep_seconds
                if next_health is not None and self._clock() >= next_health:
                    self.log_health()
                    next_health = self._clock() + self.health_log_seconds
            LOGGER.info("follow: stop requested; the last wake-up ended with STATE, exiting")
        finally:
            self.wake_source.close()
            self._restore_stop_handlers(previous)

    def wake_up(self, stream_names: set[str], reason: str, oldest_received: str | None) -> None:
        """One incremental pass of each named, selected stream, then STATE."""
        started = self._clock()
        synced = []
        for stream in self.tap.streams.values():
            if stream.name not in stream_names or not stream.selected:
                continue
            # The replication signpost (the most an unsorted stream may bookmark) is the start of
            # the sync; the SDK takes it from the stream's creation, which in follow mode was the
            # catch-up, so bookmarks would stay there and every pass would re-read since then.
            stream._initialized_at = int(time.time() * 1000)
            stream.sync()
            stream.finalize_state_progress_markers()
            synced.append(stream.name)
            self.stats.passes[stream.name] = self.stats.passes.get(stream.name, 0) + 1
        # Always, even when unchanged: downstream flushes on STATE (and commits it).
        self.tap.message_writer.write_message(StateMessage(value=self.tap.state))
        if reason == "sweep":
            self.stats.sweeps += 1
        else:
            self.stats.wake_ups += 1
        LOGGER.info(
            "follow: %s synced %s in %.2f s; webhook lag %s; requests so far %d",
            reason,
            ", ".join(synced) or "nothing",
            self._clock() - started,
            _shown(self._lags.add(oldest_received)),
            self.tap.session.request_count,
        )

    def log_health(self) -> None:
        """One `follow: health` line: how far behind the inbox and the store the pipeline is."""
        unread, oldest_unread = self.wake_source.unread()
        LOGGER.info(
            health_line(
                unread=unread,
                oldest_unread=oldest_unread,
                lags=self._lags.take(),
                ages=bookmark_ages(self.tap.state, FOLLOWED_STREAMS),
                wake_ups=self.stats.wake_ups,
                sweeps=self.stats.sweeps,
                requests=self.tap.session.request_count,
            )
        )

    def _idle_carts_due(self) -> float | None:
        """When the next tracked cart has been idle `cart_abandon_minutes` (clock time)."""
        stream = self.tap.streams.get("cart_events")
        if stream is None or not stream.selected:
            return None
        idle = getattr(stream, "idle_carts", None)
        next_due = idle.next_due() if idle is not None else None
        if next_due is None:
            return None
        return self._clock() + max((next_due - datetime.now(UTC)).total_seconds(), 0.0)

    def check_hooks(self) -> bool:
        """Re-enable the follow hooks BigCommerce deactivated; True when there were any."""
        self.stats.hook_checks += 1
        api = BigCommerceAPI(self.tap.store_settings, self.tap.pacer)
        reactivated = reactivate_hooks(api, FOLLOW_SCOPES)
        for hook in reactivated:
            LOGGER.warning(
                "follow: hook %s (%s) was deactivated by BigCommerce; re-enabled, sweeping",
                hook.hook_id,
                hook.scope,
            )
        self.stats.hooks_reactivated += len(reactivated)
        return bool(reactivated)

    # -- stopping -------------------------------------------------------------------------------

    def request_stop(self, signum: int = signal.SIGTERM, frame: FrameType | None = None) -> None:
        if self.stop_requested.is_set():
            # Not an escalation: under systemd's default KillMode both systemd and `meltano run`
            # (cli/run.py, terminate(graceful=True)) send SIGTERM to the tap, milliseconds apart.
            # SIGKILL stops at once, and loses nothing.
            LOGGER.info("follow: signal %d again; still finishing the current wake-up", signum)
            return
        LOGGER.info("follow: signal %d received; finishing the current wake-up", signum)
        self.stop_requested.set()

    def _install_stop_handlers(self) -> dict[int, Any]:
        previous: dict[int, Any] = {}
        if threading.current_thread() is threading.main_thread():
            for signum in (signal.SIGTERM, signal.SIGINT):
                previous[signum] = signal.signal(signum, self.request_stop)
        return previous

    @staticmethod
    def _restore_stop_handlers(previous: dict[int, Any]) -> None:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _shown(lag: float | None) -> str:
    """A wake-up's webhook lag for its log line ("-" for a sweep)."""
    return "-" if lag is None else f"{lag:.2f} s"
