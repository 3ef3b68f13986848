"""One store size: each measure's raw figures for one repeat (medians are the report's job)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from . import connector
from .api_calls import bigcommerce_calls, iterable_calls, iterable_calls_429_by_group
from .processes import run_pipeline, run_stage
from .sampler import CountSampler
from .sandbox import Sandbox
from .singer_files import orders_needing_coupon_request, record_counts

# BigCommerce's Standard plan, 150 requests per 30 s, run 10 times faster: 150 per 3 s.
BIGCOMMERCE_QUOTA = 150
BIGCOMMERCE_WINDOW_MS = 30_000
TIME_SCALE = 10
# Target settings key for each Iterable limit name the emulator enforces.
TARGET_LIMIT_KEYS = {
    "users/bulkUpdate": "users_bulk_update",
    "events/trackBulk": "events_track_bulk",
    "commerce/trackPurchase": "track_purchase",
    "commerce/updateCart": "update_cart",
    "catalogs/items": "catalog_items",
}
ITERABLE_GROUP_OF_LIMIT = {
    "users/bulkUpdate": "users",
    "events/trackBulk": "events",
    "commerce/trackPurchase": "purchases",
    "commerce/updateCart": "carts",
    "catalogs/items": "catalog_items",
}


def cost_run(sandbox: Sandbox, workdir: Path) -> dict[str, Any]:
    """Limits off: each stage alone over files, the SDK floor over the same files, then the
    whole pipeline piped. Request counts come from the stage that talks to each API."""
    log = workdir / "stages.log"
    tap_out, mapped = workdir / "tap.singer", workdir / "mapped.singer"
    tap_command = connector.tap(workdir, sandbox.tap_config())

    sandbox.bc.clear_requests()
    tap = run_stage(tap_command, stdout=tap_out, stderr=log)
    bc_calls = bigcommerce_calls(sandbox.bc.requests())
    mapper = run_stage(connector.mapper(workdir, "stage"), stdin=tap_out, stdout=mapped, stderr=log)

    sandbox.fresh_iterable()
    target_command, dead_letters = connector.target(
        workdir, "stage", sandbox.iterable, connector.UNPACED_TARGET
    )
    target = run_stage(target_command, stdin=mapped, stderr=log)
    it_calls = iterable_calls(sandbox.it.request_counts())
    floor_tap = run_stage(
        connector.floor_tap(workdir, tap_out), stdout=workdir / "floor.singer", stderr=log
    )
    floor_target = run_stage(connector.floor_target(workdir), stdin=mapped, stderr=log)

    sandbox.fresh_iterable()
    piped_target, _ = connector.target(workdir, "piped", sandbox.iterable, connector.UNPACED_TARGET)
    total, stages = run_pipeline(
        [tap_command, connector.mapper(workdir, "piped"), piped_target], stderr=log
    )
    return {
        "tap": tap.as_dict(),
        "mapper": mapper.as_dict(),
        "target": target.as_dict(),
        "floor_tap": floor_tap.as_dict(),
        "floor_target": floor_target.as_dict(),
        "pipeline": total.as_dict(),
        "pipeline_stages": [stage.as_dict() for stage in stages],
        "bigcommerce_calls": bc_calls,
        "iterable_calls": it_calls,
        "dead_letters": connector.count_lines(dead_letters),
        "dead_letter_reasons": connector.dead_letter_reasons(dead_letters),
        "tap_records": record_counts(tap_out),
        "orders_needing_coupon_request": orders_needing_coupon_request(tap_out),
        "mapped_records": record_counts(mapped),
    }


def bigcommerce_quota_run(sandbox: Sandbox, workdir: Path) -> dict[str, Any]:
    """The tap alone against 150 requests per window, the window time-scaled."""
    window_ms = BIGCOMMERCE_WINDOW_MS // TIME_SCALE
    sandbox.bc.clear_requests()
    sandbox.bc.set_rate_limit(BIGCOMMERCE_QUOTA, window_ms)
    try:
        with CountSampler(lambda: {"spent": _spent(sandbox)}) as sampler:
            usage = run_stage(
                connector.tap(workdir, sandbox.tap_config()), stderr=workdir / "quota.log"
            )
    finally:
        sandbox.lift_limits()
    calls = bigcommerce_calls(sandbox.bc.requests())
    spent = calls["total"]
    span = sampler.span("spent") or 0.0
    windows = math.floor(span / (window_ms / 1000)) + 1
    return {
        "quota": BIGCOMMERCE_QUOTA,
        "window_ms": window_ms,
        "time_scale": TIME_SCALE,
        "requests": spent,
        "status_429": calls.get("status_429", 0),
        "active_span_s": round(span, 2),
        "windows_touched": windows,
        "quota_bound": spent > BIGCOMMERCE_QUOTA,
        "share_of_quota": round(spent / (BIGCOMMERCE_QUOTA * windows), 4),
        "wall_s": round(usage.wall_s, 2),
    }


def _spent(sandbox: Sandbox) -> int:
    return sum(1 for entry in sandbox.bc.requests() if entry["status"] != 429)


def iterable_quota_run(sandbox: Sandbox, workdir: Path, mapped: Path) -> dict[str, Any]:
    """The target alone, paced at Iterable's per-endpoint limits, which the emulator enforces
    (real per-second limits: no time scaling)."""
    sandbox.fresh_iterable()
    limits = sandbox.enforce_iterable_limits()
    target_limits = {
        **connector.UNPACED_TARGET,
        **{TARGET_LIMIT_KEYS[name]: rate for name, rate in limits.items()},
    }
    command, dead_letters = connector.target(workdir, "quota", sandbox.iterable, target_limits)
    try:
        with CountSampler(lambda: iterable_calls(sandbox.it.request_counts())) as sampler:
            usage = run_stage(command, stdin=mapped, stderr=workdir / "quota.log")
    finally:
        sandbox.lift_limits()
    counts = sandbox.it.request_counts()
    calls, refused = iterable_calls(counts), iterable_calls_429_by_group(counts)
    endpoints: dict[str, Any] = {}
    for name, rate in limits.items():
        group = ITERABLE_GROUP_OF_LIMIT[name]
        requests = calls.get(group, 0)
        span = sampler.span(group)
        # The leaky bucket lets one second's worth through at once, then `rate` per second.
        allowed = rate * span + rate if span is not None else None
        endpoints[name] = {
            "limit_per_s": rate,
            "requests": requests,
            "status_429": refused.get(group, 0),
            "active_span_s": None if span is None else round(span, 2),
            "quota_bound": requests > 5 * rate,  # more than five seconds' worth
            "share_of_quota": None if allowed is None else round(requests / allowed, 4),
        }
    return {
        "endpoints": endpoints,
        "status_429": calls.get("status_429", 0),
        "dead_letters": connector.count_lines(dead_letters),
        "wall_s": round(usage.wall_s, 2),
    }
