"""RESULTS.md from results.json: a table per measure, then the targets and why any is missed."""

from __future__ import annotations

from typing import Any

from . import figures as f
from . import report_text as text

STAGES = ("tap", "mapper", "target")
Row = list[str]


def _n(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share * 100:.1f}%"


def _size(orders: str | int) -> str:
    number = int(orders)
    return f"{number // 1000}k" if number >= 1000 and number % 1000 == 0 else str(number)


def _table(header: list[str], rows: list[Row]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return [*lines, ""]


def _met(condition: bool) -> str:
    return "met" if condition else "**missed**"


def _largest(sizes: dict[str, Any], key: str | None = None) -> tuple[str, dict[str, Any]] | None:
    chosen = [(orders, size) for orders, size in sizes.items() if key is None or size.get(key)]
    return max(chosen, key=lambda item: int(item[0])) if chosen else None


def render(results: dict[str, Any]) -> str:
    sizes: dict[str, Any] = results["sizes"]
    lines = [
        *_header(results),
        *_targets(sizes),
        *_why(sizes),
        *_efficiency(sizes),
        *_quota(sizes),
        *_cpu(sizes),
        *_memory(sizes),
        *_peer(sizes),
        *_projection(sizes),
        *text.METHOD,
    ]
    return "\n".join(lines).rstrip() + "\n"


def _header(results: dict[str, Any]) -> list[str]:
    machine, settings = results["machine"], results["settings"]
    repeats = ", ".join(f"{_size(o)}: {s['repeats']}" for o, s in results["sizes"].items())
    peer_max = settings["peer_max_orders"]
    rows = [
        ["CPU", f"{machine['cpu']}, {machine['cores']} cores"],
        ["RAM", f"{machine['ram_gib']} GiB"],
        ["Python", machine["python"]],
        ["OS", machine["os"]],
        ["date", machine["date"]],
        ["runs per figure (median)", repeats],
        ["total wall time of the run", f"{_n(results.get('total_wall_s', 0) / 60)} min"],
    ]
    return [
        *text.INTRO,
        *_table(["machine", ""], rows),
        *text.STORES,
        f"Quota runs were made up to {_size(settings['quota_max_orders'])} orders; the peer ran "
        f"up to {_size(peer_max) if peer_max else 'none (not run)'} orders.",
        "",
    ]


def _targets(sizes: dict[str, Any]) -> list[str]:
    largest = _largest(sizes)
    assert largest is not None
    name, size = largest
    eff, cpu = f.efficiency(size), f.cpu(size)
    rows: list[Row] = []
    for key, label in text.EFFICIENCY_TARGETS:
        ratio = eff[key]["ratio"]
        rows.append(
            [f"{label}, {_size(name)} store", "within 5% of the floor",
             f"{_n(ratio, 2)}x the floor", _met(ratio is not None and ratio <= 1.05)]
        )  # fmt: skip
    rows += _quota_targets(sizes)
    for orders, each in sizes.items():
        rate = f.cpu(each)["orders_per_cpu_s"]
        rows.append(
            [f"Whole pipeline, orders per CPU second, {_size(orders)} store", ">= 5,000",
             _n(rate, 0), _met(rate is not None and rate >= 5000)]
        )  # fmt: skip
    peak = max(v for k, v in f.memory(size).items() if not k.startswith("floor"))
    rows.append(
        [f"Peak RSS of any stage, {_size(name)} store", "< 200 MB", f"{_n(peak)} MiB",
         _met(peak * 1.048576 < 200)]
    )  # fmt: skip
    ratio = cpu["target"]["cpu_s"] / cpu["floor_target"]["cpu_s"]
    rows.append(
        [f"Target CPU / the SDK's default-validation floor, {_size(name)} store",
         "well under 1x", f"{_n(ratio, 2)}x", _met(ratio < 0.8)]
    )  # fmt: skip
    return ["## The targets", "", *_table(["target", "goal", "measured", ""], rows)]


def _quota_targets(sizes: dict[str, Any]) -> list[Row]:
    bc = [s["bigcommerce_quota"] for s in sizes.values() if s.get("bigcommerce_quota")]
    it = [s["iterable_quota"] for s in sizes.values() if s.get("iterable_quota")]
    if not bc:
        return []
    refused = sum(q["status_429"] for q in bc) + sum(q["status_429"] for q in it)
    rows = [["429s provoked by our own pacing, every quota run", "0", str(refused),
             _met(refused == 0)]]  # fmt: skip
    bound = [q["share_of_quota"] for q in bc if q["windows_touched"] >= 3]
    if bound:
        rows.append(
            ["BigCommerce quota used when it is the bottleneck", ">= 90%", _pct(min(bound)),
             _met(min(bound) >= 0.9)]
        )  # fmt: skip
    # Per run, the endpoint that needs the most seconds at its limit is the one that can bound it.
    bottlenecks = [
        max(q["endpoints"].values(), key=lambda e: e["requests"] / e["limit_per_s"]) for q in it
    ]
    shares = [e["share_of_quota"] for e in bottlenecks if e["quota_bound"]]
    if shares:
        rows.append(
            [text.ITERABLE_SHARE_TARGET, ">= 90%",
             _pct(min(shares)), _met(min(shares) >= 0.9)]
        )  # fmt: skip
    return rows


def _why(sizes: dict[str, Any]) -> list[str]:
    largest = _largest(sizes)
    assert largest is not None
    name, size = largest
    eff, cpu = f.efficiency(size), f.cpu(size)
    bc = eff["detail"]["bigcommerce"]
    orders = eff["bigcommerce_orders"]["records"]
    coupons = bc.get("order_coupons", 0)
    per_order = f.requests_per_order(size)["ours"] or 0
    quota_seconds = per_order * 1000 / 150 * f.QUOTA_WINDOW_S
    facts = {
        "size": _size(name),
        "list_ratio": _n(eff["bigcommerce_orders_without_coupons"]["ratio"], 2),
        "coupons": _n(coupons, 0),
        "orders": _n(orders, 0),
        "coupon_share": _n(100 * coupons / orders if orders else 0),
        "needed": _n(size["runs"][0].get("orders_needing_coupon_request", 0), 0),
        "line_item_pages": _n(bc.get("order_line_items", 0), 0),
        "customer_ratio": _n(eff["bigcommerce_customers"]["ratio"], 2),
        "product_ratio": _n(eff["bigcommerce_products"]["ratio"], 2),
        "event_ratio": _n(eff["iterable_events"]["ratio"], 2),
        "purchase_ratio": _n(eff["iterable_purchases"]["ratio"], 2),
        "pipeline_rate": _n(cpu["orders_per_cpu_s"], 0),
        "floor_rate": _n(cpu["floor_orders_per_cpu_s"], 0),
        "tap_vs_floor": _n(cpu["tap"]["cpu_s"] / cpu["floor_tap"]["cpu_s"], 2),
        "target_vs_floor": _n(cpu["target"]["cpu_s"] / cpu["floor_target"]["cpu_s"], 2),
        "purchases": _n(eff["iterable_purchases"]["requests"], 0),
        "quota_s_per_1000": _n(quota_seconds, 0),
        "cpu_s_per_1000": _n(cpu["pipeline"]["cpu_s"] * 1000 / orders if orders else 0, 1),
        "dead_letters": _n(size["runs"][0]["dead_letters"], 0),
        "dead_letter_reasons": "; ".join(
            f'"{reason}" ({_n(count, 0)})'
            for reason, count in list(size["runs"][0].get("dead_letter_reasons", {}).items())[:3]
        )
        or "not recorded",
    }
    lines = ["### Why the missed targets are missed", ""]
    lines += [paragraph.format(**facts) for paragraph in text.WHY]
    lines += _iterable_share_why(sizes)
    if size["runs"][0]["dead_letters"]:
        lines.append(text.DEAD_LETTERS.format(**facts))
    return [*lines, ""]


def _iterable_share_why(sizes: dict[str, Any]) -> list[str]:
    quota = _largest(sizes, "iterable_quota")
    if quota is None:
        return []
    purchases = quota[1]["iterable_quota"]["endpoints"]["commerce/trackPurchase"]
    if not purchases["quota_bound"] or purchases["share_of_quota"] >= 0.9:
        return []
    rate = purchases["requests"] / purchases["active_span_s"]
    return [
        text.ITERABLE_SHARE.format(
            purchase_share=_pct(purchases["share_of_quota"]),
            quota_size=_size(quota[0]),
            purchase_rate=_n(rate, 0),
        )
    ]


def _efficiency(sizes: dict[str, Any]) -> list[str]:
    keys = (
        "bigcommerce_orders",
        "bigcommerce_orders_without_coupons",
        "bigcommerce_customers",
        "bigcommerce_products",
        "iterable_users",
        "iterable_events",
        "iterable_catalog_items",
        "iterable_purchases",
    )
    rows = []
    for orders, size in sizes.items():
        eff = f.efficiency(size)
        bc = eff["detail"]["bigcommerce"]
        cells = [_size(orders)]
        cells += [f"{_n(eff[k]['per_1000'])} ({_n(eff[k]['ratio'], 2)}x)" for k in keys]
        needed = size["runs"][0].get("orders_needing_coupon_request")
        cells.append(
            f"{bc.get('orders_list', 0)} / {bc.get('order_line_items', 0)} / "
            f"{bc.get('order_coupons', 0)}" + (f" ({needed} needed)" if needed is not None else "")
        )
        rows.append(cells)
    header = ["store", "BC orders", "BC orders w/o coupons", "BC customers", "BC products",
              "Iterable users", "Iterable events", "Iterable catalog", "Iterable purchases",
              "order lists / line-item pages / coupon calls"]  # fmt: skip
    return [*text.EFFICIENCY, *_table(header, rows)]


def _quota(sizes: dict[str, Any]) -> list[str]:
    bc_rows, it_rows = [], []
    for orders, size in sizes.items():
        quota = size.get("bigcommerce_quota")
        if quota:
            bound = "yes" if quota["windows_touched"] >= 3 else "barely (under 3 windows)"
            bc_rows.append(
                [_size(orders), str(quota["requests"]), str(quota["windows_touched"]),
                 _n(quota["active_span_s"]), _pct(quota["share_of_quota"]), bound,
                 str(quota["status_429"])]
            )  # fmt: skip
        for name, e in (size.get("iterable_quota") or {}).get("endpoints", {}).items():
            if e["requests"]:
                it_rows.append(
                    [_size(orders), name, _n(e["limit_per_s"], 0), str(e["requests"]),
                     _n(e["active_span_s"]), _pct(e["share_of_quota"]),
                     "yes" if e["quota_bound"] else "no", str(e["status_429"])]
                )  # fmt: skip
    if not bc_rows:
        return ["## 2. Quota use", "", "Not measured in this run.", ""]
    first = next(s["bigcommerce_quota"] for s in sizes.values() if s.get("bigcommerce_quota"))
    bc_header = ["store", "requests", "windows", "active s", "share of quota", "quota-bound",
                 "429s"]  # fmt: skip
    it_header = ["store", "endpoint", "limit /s", "requests", "active s", "share",
                 "quota-bound", "429s"]  # fmt: skip
    return [
        "## 2. Quota use",
        "",
        text.BIGCOMMERCE_QUOTA.format(
            quota=first["quota"], window=first["window_ms"] / 1000, scale=first["time_scale"]
        ),
        "",
        *_table(bc_header, bc_rows),
        text.ITERABLE_QUOTA,
        "",
        *_table(it_header, it_rows),
    ]


def _cpu(sizes: dict[str, Any]) -> list[str]:
    rows = []
    for orders, size in sizes.items():
        cpu = f.cpu(size)
        rows.append(
            [_size(orders), *(_n(cpu[s]["per_1000"], 3) for s in (*STAGES, "pipeline")),
             _n(cpu["floor_tap"]["per_1000"], 3), _n(cpu["floor_target"]["per_1000"], 3),
             _n(cpu["orders_per_cpu_s"], 0), _n(cpu["floor_orders_per_cpu_s"], 0),
             _n(cpu["pipeline_wall_s"])]
        )  # fmt: skip
    header = ["store", "tap", "mapper", "target", "pipeline", "floor tap",
              "floor target (validation on)", "pipeline: orders / CPU s",
              "floors: orders / CPU s", "pipeline wall s"]  # fmt: skip
    return [*text.CPU, *_table(header, rows)]


def _memory(sizes: dict[str, Any]) -> list[str]:
    rows = []
    for orders, size in sizes.items():
        mem = f.memory(size)
        rows.append(
            [_size(orders), *(_n(mem[s]) for s in STAGES),
             *(_n(mem[f"piped_{s}"]) for s in STAGES), _n(mem["floor_tap"]),
             _n(mem["floor_target"])]
        )  # fmt: skip
    header = ["store", "tap", "mapper", "target", "tap (piped)", "mapper (piped)",
              "target (piped)", "floor tap", "floor target"]  # fmt: skip
    smallest, largest = min(sizes, key=int), max(sizes, key=int)
    low, high = f.memory(sizes[smallest]), f.memory(sizes[largest])
    growth = ", ".join(f"{stage} {_n(high[stage] - low[stage])} MiB" for stage in STAGES)
    note = text.MEMORY_GROWTH.format(small=_size(smallest), large=_size(largest), growth=growth)
    return [*text.MEMORY, *_table(header, rows), note, ""]


def _peer(sizes: dict[str, Any]) -> list[str]:
    rows, defects, failures = [], [], []
    for orders, size in sizes.items():
        if size.get("peer_error"):
            failures.append(
                f"- {_size(orders)} store: the peer could not run: {size['peer_error']}"
            )
        peer = size.get("peer")
        if not peer:
            continue
        ours, count = peer["ours_orders_only"], peer["orders_ours"]
        d = peer["defects"]
        wrong, missing = peer["orders_wrong"], d["missing_archived"] + d["missing_other"]
        rows.append(
            [_size(orders), _n(f.per_thousand(ours["bigcommerce_calls"]["total"], count)),
             _n(f.per_thousand(peer["bigcommerce_calls"]["total"], count)),
             _n(ours["wall_s"]), _n(peer["wall_s"]), _n(ours["cpu_s"]), _n(peer["cpu_s"]),
             str(count), str(peer["orders_peer"]), f"{missing} ({_n(100 * missing / count)}%)",
             f"{wrong} ({_n(100 * wrong / count)}%)"]
        )  # fmt: skip
        defects.append(
            [_size(orders), str(peer["records_dropped_by_transform_errors"]),
             str(d["missing_archived"]), str(d["missing_other"]),
             f"{d['truncated_line_items']} ({d['line_items_lost']} items)",
             str(d["multi_currency_fields_dropped"]), str(d["money_differs"]),
             str(peer["duplicate_records"])]
        )  # fmt: skip
    if failures:
        failures.append("")
    if not rows:
        return ["## 5. The peer", "", *(failures or ["Not run in this run (`--no-peer`).", ""])]
    header = ["store", "ours: requests / 1,000 orders", "peer", "ours: wall s", "peer",
              "ours: CPU s", "peer", "orders (ours)", "orders (peer)",
              "peer: orders missing", "peer: orders missing or with any defect"]  # fmt: skip
    defect_header = ["store", "dropped on a transform error", "archived, never listed",
                     "missing, other", "line items truncated at 50",
                     "multi-currency fields dropped", "money differs", "duplicates"]  # fmt: skip
    return [
        *text.PEER,
        *_table(header, rows),
        "What the peer got wrong, in orders (an order can have several defects):",
        "",
        *_table(defect_header, defects),
        *text.PEER_DEFECTS,
        *failures,
    ]


def _projection(sizes: dict[str, Any]) -> list[str]:
    largest = _largest(sizes)
    assert largest is not None
    name, size = largest
    per_order = f.requests_per_order(size)
    rows = []
    for label, key in text.PROJECTION_ROWS:
        value = per_order[key] or 0
        hours = [_n(f.backfill_hours(value, quota)) for quota in f.PLAN_QUOTAS]
        rows.append([label, _n(value * 1000), *hours])
    source = f"measured at {_size(name)}"
    peer_size = _largest(sizes, "peer")
    if peer_size is not None:
        source += f", the peer's at {_size(peer_size[0])}"
        sub = f.requests_per_order(peer_size[1])["peer_per_order_subrequests"] or 0
        hours = [_n(f.backfill_hours(f.peer_per_order(sub, q), q)) for q in f.PLAN_QUOTAS]
        rows.append([text.PEER_PROJECTION, _n(f.peer_per_order(sub, 150) * 1000), *hours])
    header = ["who", "requests / 1,000 orders", "hours at 150 / 30 s", "hours at 450 / 30 s"]
    return [
        "## 6. Backfill projection: 1,000,000 orders",
        "",
        text.PROJECTION.format(source=source),
        "",
        *_table(header, rows),
    ]
