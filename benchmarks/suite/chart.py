"""results.png: four panels — requests vs floors, CPU per stage, peak RSS, backfill hours."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import matplotlib as mpl

mpl.use("Agg")  # files only, no display

import matplotlib.pyplot as plt

from . import figures as f


def _label(orders: str) -> str:
    return f"{int(orders) // 1000}k" if int(orders) >= 1000 else orders


def draw(results: dict[str, Any], path: Path) -> None:
    sizes: dict[str, Any] = results["sizes"]
    labels = [_label(orders) for orders in sizes]
    figure, axes = plt.subplots(2, 2, figsize=(13, 9))
    _efficiency(axes[0][0], sizes, labels)
    _cpu(axes[0][1], sizes, labels)
    _memory(axes[1][0], sizes, labels)
    _backfill(axes[1][1], sizes)
    machine = results["machine"]
    figure.suptitle(
        f"tap-bigcommerce → map-bigcommerce-iterable → target-iterable on the sandbox "
        f"({machine['cpu']}, {machine['cores']} cores, {machine['date']})",
        fontsize=11,
    )
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)


def _bars(axis: Any, groups: dict[str, list[float]], labels: list[str]) -> None:
    width = 0.8 / max(len(groups), 1)
    for index, (name, values) in enumerate(groups.items()):
        positions = [x + index * width for x in range(len(labels))]
        bars = axis.bar(positions, values, width, label=name)
        axis.bar_label(bars, fmt="%.3g", fontsize=6, padding=1)
    axis.set_xticks([x + width * (len(groups) - 1) / 2 for x in range(len(labels))], labels)


def _efficiency(axis: Any, sizes: dict[str, Any], labels: list[str]) -> None:
    keys = {
        "BC orders": "bigcommerce_orders",
        "BC orders w/o coupons": "bigcommerce_orders_without_coupons",
        "BC customers": "bigcommerce_customers",
        "Iterable users": "iterable_users",
        "Iterable events": "iterable_events",
        "Iterable purchases": "iterable_purchases",
    }
    groups = {
        name: [f.efficiency(size)[key]["ratio"] or 0 for size in sizes.values()]
        for name, key in keys.items()
    }
    _bars(axis, groups, labels)
    axis.axhline(1.05, color="black", linestyle="--", linewidth=1, label="target: 1.05x floor")
    axis.set_yscale("log")
    axis.set_title("1. Requests ÷ floor (log scale)")
    axis.set_xlabel("store (orders)")
    axis.legend(fontsize=7)


def _cpu(axis: Any, sizes: dict[str, Any], labels: list[str]) -> None:
    stages = {
        "tap": "tap",
        "floor tap (SDK)": "floor_tap",
        "mapper": "mapper",
        "target": "target",
        "floor target (SDK)": "floor_target",
    }
    groups = {
        name: [f.cpu(size)[key]["per_1000"] or 0 for size in sizes.values()]
        for name, key in stages.items()
    }
    _bars(axis, groups, labels)
    axis.set_title("3. CPU seconds per 1,000 records")
    axis.set_xlabel("store (orders)")
    axis.legend(fontsize=7)


def _memory(axis: Any, sizes: dict[str, Any], labels: list[str]) -> None:
    for name in ("tap", "mapper", "target"):
        axis.plot(labels, [f.memory(size)[name] for size in sizes.values()], marker="o", label=name)
    axis.axhline(200 / 1.048576, color="red", linestyle="--", linewidth=1, label="200 MB target")
    axis.set_ylim(bottom=0)
    axis.set_title("4. Peak RSS per stage (MiB)")
    axis.set_xlabel("store (orders)")
    axis.legend(fontsize=7)


def _backfill(axis: Any, sizes: dict[str, Any]) -> None:
    largest = max(sizes, key=int)
    per_order = f.requests_per_order(sizes[largest])
    rows = {
        "ours (default)": [f.backfill_hours(per_order["ours"] or 0, q) for q in f.PLAN_QUOTAS],
        "ours, no coupons": [
            f.backfill_hours(per_order["ours_without_coupons"] or 0, q) for q in f.PLAN_QUOTAS
        ],
    }
    with_peer = [size for size in sizes.values() if size.get("peer")]
    if with_peer:
        sub = f.requests_per_order(with_peer[-1])["peer_per_order_subrequests"] or 0
        rows["peer 1.1.3"] = [f.backfill_hours(f.peer_per_order(sub, q), q) for q in f.PLAN_QUOTAS]
    _bars(axis, rows, [f"{q} req / 30 s" for q in f.PLAN_QUOTAS])
    axis.set_yscale("log")
    axis.set_title("6. Hours to backfill 1,000,000 orders (log scale)")
    axis.set_ylabel("hours")
    axis.legend(fontsize=7)
