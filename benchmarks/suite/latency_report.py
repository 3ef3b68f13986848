"""The "Follow-mode latency" section of RESULTS.md and latency.png, from latency.json.

The section sits between two markers, so `run.py` (which writes the rest of RESULTS.md) keeps it
and `latency.py` replaces only it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .sections import Section

START = "<!-- follow-latency:start -->"
END = "<!-- follow-latency:end -->"
SECTION = Section(START, END)
GOAL_P95_SECONDS = 5.0


def _s(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def _mib(values: dict[str, float | None]) -> str:
    return ", ".join(f"{role} {v:.0f}" for role, v in sorted(values.items()) if v is not None)


def render(results: dict[str, Any]) -> str:
    settings = results["settings"]
    quota = results["quota"]
    lines = [
        START,
        "## Follow-mode latency",
        "",
        "`make bench-latency` (`benchmarks/latency.py`): a new order in the BigCommerce emulator "
        "every 1/rate seconds, its webhook to the real receiver, `meltano run` in follow mode; "
        "latency = the order's purchase accepted by the Iterable emulator minus the order made "
        f"(watched every 50 ms). Every BigCommerce request answered after "
        f"{settings['bigcommerce_latency']} s, every Iterable request after "
        f"{settings['iterable_latency']} s; BigCommerce quota {quota['requests']} requests / "
        f"{quota['window_seconds']:.0f} s (Standard plan); sweep every "
        f"{settings['sweep_seconds']:g} s; the target's `commerce_concurrency` "
        f"{settings.get('commerce_concurrency', 8)}. Purchases only: orders in a purchase status "
        "with an email (the others become no purchase).",
        "",
        "| changes/s | webhooks lost | order coupons | changes | measured | p50 | p95 | p99 | max "
        "| not arrived (dead-lettered) | BigCommerce requests | quota used | 429s "
        "| RSS MiB at end (start) |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for run in results["runs"]:
        rss = f"{_mib(run['rss_end_mib'])} ({_mib(run['rss_start_mib'])})"
        quota_used = run["quota_used"]
        lines.append(
            f"| {run['rate']:g} | {run['drop']:.0%} | {run.get('order_coupons', 'when_used')} "
            f"| {run['changes']} | {run['measured']} "
            f"| {_s(run['p50'])} | {_s(run['p95'])} | {_s(run['p99'])} | {_s(run['max'])} "
            f"| {run['missing']} ({run.get('missing_dead_lettered', '?')}) "
            f"| {run['bigcommerce_requests']} "
            f"| {'-' if quota_used is None else f'{quota_used:.0%}'} | {run['bigcommerce_429']} "
            f"| {rss} |"
        )
    lines += [
        "",
        "Not arrived: measured orders whose purchase had not reached Iterable when the run "
        "stopped waiting (one sweep plus 120 s after the last change); in brackets those the "
        "target dead-lettered because Iterable refused them (the generator's deliberately "
        "invalid emails, e.g. `guest@@example`): settled with a reason, not lost. The rest were "
        "still queued: a load the pipeline could not keep up with. Quota used: BigCommerce "
        "requests over the quota of the measured window (drive plus wait). Memory over a long "
        "run: the next section.",
        "",
        "![latency per change](latency.png)",
        "",
    ]
    ten = [
        r
        for r in results["runs"]
        if r["rate"] == 10 and not r["drop"] and r.get("order_coupons", "when_used") == "when_used"
    ]
    if ten and ten[0]["p95"] is not None:
        met = "met" if ten[0]["p95"] < GOAL_P95_SECONDS else "missed"
        lines.append(
            f"Goal p95 < {GOAL_P95_SECONDS:g} s at 10 orders/s on the Standard quota: **{met}** "
            f"(p95 {_s(ten[0]['p95'])})."
        )
    loads = [
        f"{r['rate']:g}/s{' with lost webhooks' if r['drop'] else ''}: "
        f"{r['load_average'][0]:g} -> {r['load_average'][1]:g}"
        for r in results["runs"]
        if r.get("load_average")
    ]
    if loads:
        lines += [
            "",
            "Machine load during each run (1-minute load average at the start and the end of "
            "the drive; 2 cores, shared): " + "; ".join(loads) + ".",
        ]
    fifty = [r for r in results["runs"] if r["rate"] >= 50 and not r["drop"]]
    for run in fifty:
        lines += ["", *_why_fifty(run, settings, quota)]
    dropped = [r for r in results["runs"] if r["drop"]]
    for run in dropped:
        lines.append("")
        lines.append(
            f"With {run['drop']:.0%} of webhooks lost: {run['dropped_webhook_orders']} measured "
            f"orders lost their own webhook; the latest of them arrived after "
            f"{_s(run['dropped_max'])} (a later webhook's wake-up or the sweep, every "
            f"{settings['sweep_seconds']:g} s, picked each up)."
        )
    lines += ["", END]
    return "\n".join(lines) + "\n"


def _why_fifty(run: dict[str, Any], settings: dict[str, Any], quota: dict[str, Any]) -> list[str]:
    """The arithmetic of the 50 changes/s load: which ceiling binds."""
    concurrency = settings.get("commerce_concurrency", 8)
    latency = settings["iterable_latency"]
    ceiling = concurrency / latency if latency else None
    per_second_quota = quota["requests"] / quota["window_seconds"]
    used = run["quota_used"]
    return [
        f"At {run['rate']:g} changes/s: the BigCommerce quota is not the limit. Wake-ups "
        "coalesce (one list request per stream per wake-up, 250 orders a page), so requests do "
        f"not grow with the load: {run['bigcommerce_requests']} requests, "
        f"{'-' if used is None else f'{used:.0%}'} of the {quota['requests']} / "
        f"{quota['window_seconds']:.0f} s quota ({per_second_quota:g} requests/s), "
        f"{run['bigcommerce_429']} answered 429. Iterable has no bulk form of trackPurchase "
        "(one request per purchase), so purchases are bounded by `commerce_concurrency` / "
        f"request time = {concurrency} / {latency:g} s = "
        f"{'-' if ceiling is None else f'{ceiling:.0f}'} purchases/s here, and each accepted "
        "purchase commits one row of the target's delivery ledger (SQLite, one sync each: "
        "the write-ahead log took it from about 18 ms to 5.5 ms per commit on this machine; with "
        "the rollback journal 50 commits/s alone took the whole second). What is left is CPU: "
        "tap, mapper, target, both emulators and the receiver share this machine's 2 cores "
        "(the load average above).",
    ]


def write_section(path: Path, section: str) -> None:
    """Put the section in RESULTS.md, replacing the previous one (or appending it)."""
    SECTION.write(path, section)


# The follow-mode sections, each between its markers (follow_memory.py writes the second).
FOLLOW_SECTIONS = ((START, END), ("<!-- follow-memory:start -->", "<!-- follow-memory:end -->"))


def keep_section(old_text: str, new_text: str) -> str:
    """For run.py: the regenerated RESULTS.md, with the follow-mode sections of the old one kept."""
    for start, end in FOLLOW_SECTIONS:
        new_text = Section(start, end).keep(old_text, new_text)
    return new_text


def draw(results: dict[str, Any], path: Path) -> None:
    import matplotlib  # noqa: PLC0415 - only when drawing

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt  # noqa: PLC0415

    figure, axis = plt.subplots(figsize=(8, 4.5))
    for run in results["runs"]:
        values = run["latencies"]
        if not values:
            continue
        shares = [(i + 1) / len(values) for i in range(len(values))]
        label = f"{run['rate']:g}/s, {run['changes']} changes"
        if run["drop"]:
            label += f", {run['drop']:.0%} webhooks lost"
        if run.get("order_coupons", "when_used") != "when_used":
            label += f", order_coupons {run['order_coupons']}"
        axis.step(values, shares, where="post", label=label)
    axis.axvline(GOAL_P95_SECONDS, color="grey", linestyle="--", linewidth=1)
    axis.axhline(0.95, color="grey", linestyle=":", linewidth=1)
    axis.set_xscale("log")
    axis.set_xlabel("seconds from the change in BigCommerce to the purchase accepted by Iterable")
    axis.set_ylabel("share of changes")
    axis.set_title("Follow mode: latency per change (CDF)")
    axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
