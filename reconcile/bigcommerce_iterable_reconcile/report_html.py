"""The self-contained HTML report: inline CSS, an inline SVG chart drawn here, no script, no CDN.

A verdict banner on top (green: agree, red: disagree), the daily revenue of both systems per
currency, then one table per kind of discrepancy with the ids to act on.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from decimal import Decimal
from html import escape

from bigcommerce_iterable_reconcile.compare import KINDS, DailyTotal, Reconciliation
from bigcommerce_iterable_reconcile.report import verdict_text

AGREE_COLOUR = "#15803d"
DISAGREE_COLOUR = "#b91c1c"
BIGCOMMERCE_COLOUR = "#2563eb"
ITERABLE_COLOUR = "#f97316"
CHART_WIDTH, CHART_HEIGHT, MARGIN = 960, 260, 64

STYLE = f"""
body {{ font: 14px/1.45 system-ui, sans-serif; margin: 0; color: #111827; background: #f9fafb; }}
main {{ max-width: 1040px; margin: 0 auto; padding: 0 16px 48px; }}
.verdict {{ color: #fff; padding: 22px 24px; font-size: 26px; font-weight: 700; }}
.verdict small {{ display: block; font-size: 14px; font-weight: 400; opacity: .95; }}
.agree {{ background: {AGREE_COLOUR}; }}
.disagree {{ background: {DISAGREE_COLOUR}; }}
h2 {{ font-size: 18px; margin: 28px 0 8px; }}
table {{ border-collapse: collapse; width: 100%; background: #fff; }}
th, td {{ border: 1px solid #e5e7eb; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #f3f4f6; }}
td.num {{ text-align: right; font-variant-numeric: tabular-nums; }}
.off {{ background: #fee2e2; }}
.none {{ color: #6b7280; }}
.legend span {{ display: inline-block; width: 14px; height: 14px; margin: 0 6px 0 16px;
  vertical-align: -2px; }}
svg {{ background: #fff; border: 1px solid #e5e7eb; max-width: 100%; height: auto; }}
code {{ font-size: 13px; }}
"""


def _chart(currency: str, rows: list[DailyTotal]) -> str:
    """Daily revenue: BigCommerce as a wide blue line, Iterable as a narrow orange one on top,
    so that where they agree the orange line runs inside the blue one and both stay visible."""
    days = sorted({row.day for row in rows})
    top = max([max(r.bigcommerce_revenue, r.iterable_revenue) for r in rows] + [Decimal(1)])
    plot_w, plot_h = CHART_WIDTH - 2 * MARGIN, CHART_HEIGHT - 2 * MARGIN
    span = max((days[-1] - days[0]).days, 1) if days else 1

    def point(day: date, amount: Decimal) -> str:
        x = MARGIN + (day - days[0]).days / span * plot_w  # a time axis: gaps stay gaps
        y = MARGIN + plot_h - float(amount / top) * plot_h
        return f"{x:.1f},{y:.1f}"

    by_day = {row.day: row for row in rows}
    # Every day of the span, 0 where neither system has a purchase: a line between two
    # distant days would otherwise suggest revenue in between.
    every_day = [days[0] + timedelta(days=n) for n in range(span + 1)] if len(days) > 1 else days

    def revenue(day: date, system: str) -> Decimal:
        row = by_day.get(day)
        if row is None:
            return Decimal(0)
        return row.bigcommerce_revenue if system == "bigcommerce" else row.iterable_revenue

    bigcommerce = " ".join(point(d, revenue(d, "bigcommerce")) for d in every_day)
    iterable = " ".join(point(d, revenue(d, "iterable")) for d in every_day)
    axis_y = MARGIN + plot_h
    # A single day is a point, which a polyline does not draw: mark it.
    dots = (
        f'<circle cx="{MARGIN}" cy="{bigcommerce.split(",")[1]}" r="7" '
        f'fill="{BIGCOMMERCE_COLOUR}"/><circle cx="{MARGIN}" cy="{iterable.split(",")[1]}" '
        f'r="3" fill="{ITERABLE_COLOUR}"/>'
        if len(days) == 1
        else ""
    )
    labels = [
        f'<text x="{MARGIN - 6}" y="{MARGIN + 4}" text-anchor="end" font-size="11">'
        f"{top:,.0f}</text>",
        f'<text x="{MARGIN - 6}" y="{axis_y + 4}" text-anchor="end" font-size="11">0</text>',
    ]
    if days:
        labels.append(f'<text x="{MARGIN}" y="{axis_y + 18}" font-size="11">{days[0]}</text>')
        labels.append(
            f'<text x="{CHART_WIDTH - MARGIN}" y="{axis_y + 18}" text-anchor="end" '
            f'font-size="11">{days[-1]}</text>'
        )
    return (
        f'<svg role="img" aria-label="Daily revenue in {escape(currency)}" '
        f'width="{CHART_WIDTH}" height="{CHART_HEIGHT}" viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}">'
        f'<line x1="{MARGIN}" y1="{axis_y}" x2="{CHART_WIDTH - MARGIN}" y2="{axis_y}" '
        'stroke="#9ca3af"/>'
        f'<line x1="{MARGIN}" y1="{MARGIN}" x2="{MARGIN}" y2="{axis_y}" stroke="#9ca3af"/>'
        f'<polyline fill="none" stroke="{BIGCOMMERCE_COLOUR}" stroke-width="7" '
        f'stroke-linejoin="round" points="{bigcommerce}"/>'
        f'<polyline fill="none" stroke="{ITERABLE_COLOUR}" stroke-width="2.5" '
        f'stroke-linejoin="round" points="{iterable}"/>' + dots + "".join(labels) + "</svg>"
    )


def _charts(result: Reconciliation) -> str:
    by_currency: dict[str, list[DailyTotal]] = defaultdict(list)
    for row in result.daily:
        by_currency[row.currency].append(row)
    if not by_currency:
        return '<p class="none">No purchases in the range in either system.</p>'
    parts = [
        '<p class="legend">'
        f'<span style="background:{BIGCOMMERCE_COLOUR}"></span>BigCommerce orders'
        f'<span style="background:{ITERABLE_COLOUR}"></span>Iterable purchases</p>'
    ]
    for currency, rows in sorted(by_currency.items(), key=lambda kv: -len(kv[1])):
        parts.append(f"<h3>Revenue per day, {escape(currency)}</h3>{_chart(currency, rows)}")
    return "".join(parts)


def _daily_table(result: Reconciliation) -> str:
    tolerance = result.tolerance.revenue
    off = [row for row in result.daily if not row.agrees(tolerance)]
    head = (
        "<tr><th>day</th><th>currency</th><th>BigCommerce orders</th><th>revenue</th>"
        "<th>Iterable purchases</th><th>revenue</th></tr>"
    )

    def rows(chosen: list[DailyTotal]) -> str:
        return "".join(
            f'<tr class="{"" if r.agrees(tolerance) else "off"}"><td>{r.day}</td>'
            f"<td>{escape(r.currency)}</td><td class=num>{r.bigcommerce_count}</td>"
            f"<td class=num>{r.bigcommerce_revenue}</td><td class=num>{r.iterable_count}</td>"
            f"<td class=num>{r.iterable_revenue}</td></tr>"
            for r in chosen
        )

    differing = (
        f"<table>{head}{rows(off)}</table>"
        if off
        else '<p class="none">Every day agrees in count and revenue.</p>'
    )
    return (
        f"<h2>Days whose totals differ ({len(off)} of {len(result.daily)})</h2>{differing}"
        f"<details><summary>All {len(result.daily)} days</summary>"
        f"<table>{head}{rows(result.daily)}</table></details>"
    )


def _discrepancy_tables(result: Reconciliation) -> str:
    parts = []
    for kind, items in result.by_kind().items():
        title = f"{escape(KINDS[kind])} ({len(items)}) <code>{kind}</code>"
        if not items:
            parts.append(f'<h2>{title}</h2><p class="none">None.</p>')
            continue
        body = "".join(
            f"<tr><td><code>{escape(d.subject)}</code></td><td>{escape(d.detail)}</td>"
            f"<td>{escape(d.day)}</td><td>{escape(d.currency)}</td>"
            f"<td>{escape(d.bigcommerce)}</td><td>{escape(d.iterable)}</td>"
            f"<td>{escape(d.dead_letter)}</td></tr>"
            for d in items
        )
        parts.append(
            f"<h2>{title}</h2><table><tr><th>id</th><th>what</th><th>day</th><th>currency</th>"
            f"<th>BigCommerce</th><th>Iterable</th><th>dead letter</th></tr>{body}</table>"
        )
    return "".join(parts)


def render_html(result: Reconciliation) -> str:
    state = "agree" if result.agrees else "disagree"
    counts = ", ".join(
        f"{name.replace('_', ' ')}: {value}" for name, value in result.counts.items()
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        "<title>BigCommerce / Iterable reconciliation</title>"
        f"<style>{STYLE}</style></head><body>"
        f'<div class="verdict {state}" id="verdict">{escape(verdict_text(result))}'
        f"<small>Store {escape(result.store_hash)}, {result.start:%Y-%m-%d} to "
        f"{result.end:%Y-%m-%d} (end exclusive, UTC); at most "
        f"{result.tolerance.max_discrepancies} discrepancies and "
        f"{result.tolerance.revenue} of revenue tolerated</small></div><main>"
        f"<h2>Daily revenue, both systems</h2>{_charts(result)}"
        f"<p>{escape(counts)}</p>"
        f"{_daily_table(result)}{_discrepancy_tables(result)}"
        "</main></body></html>\n"
    )
