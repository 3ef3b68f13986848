"""The JSON summary and the short terminal table."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from bigcommerce_iterable_reconcile.compare import KINDS, Reconciliation


def verdict_text(result: Reconciliation) -> str:
    count = len(result.unexplained)
    allowed = result.tolerance.max_discrepancies
    explained = len(result.discrepancies) - count
    known = f"; {explained} more are in the dead-letter log" if explained else ""
    if result.agrees and count == 0:
        return f"AGREE: BigCommerce and Iterable match{known}"
    if result.agrees:
        return f"AGREE within tolerance: {count} discrepancies (at most {allowed} allowed){known}"
    return f"DISAGREE: {count} discrepancies (at most {allowed} allowed){known}"


def summary(result: Reconciliation) -> dict[str, Any]:
    grouped = result.by_kind()
    return {
        "verdict": "agree" if result.agrees else "disagree",
        "message": verdict_text(result),
        "store_hash": result.store_hash,
        "start": result.start.isoformat(),
        "end": result.end.isoformat(),
        "tolerance": {
            "max_discrepancies": result.tolerance.max_discrepancies,
            "revenue": str(result.tolerance.revenue),
        },
        "counts": result.counts,
        "discrepancy_count": len(result.unexplained),
        "dead_lettered_count": len(result.discrepancies) - len(result.unexplained),
        "discrepancies_by_kind": {kind: len(items) for kind, items in grouped.items()},
        "daily": [
            {
                "day": row.day.isoformat(),
                "currency": row.currency,
                "bigcommerce_count": row.bigcommerce_count,
                "bigcommerce_revenue": str(row.bigcommerce_revenue),
                "iterable_count": row.iterable_count,
                "iterable_revenue": str(row.iterable_revenue),
                "agrees": row.agrees(result.tolerance.revenue),
            }
            for row in result.daily
        ],
        "discrepancies": [asdict(d) for d in result.discrepancies],
    }


def terminal_table(result: Reconciliation) -> str:
    """One line per discrepancy kind, then the verdict."""
    grouped = result.by_kind()
    width = max(len(title) for title in KINDS.values())
    days_off = sum(1 for row in result.daily if not row.agrees(result.tolerance.revenue))
    lines = [
        f"{'check':<{width}}  found  first ids",
        f"{'-' * width}  -----  ---------",
    ]
    for kind, title in KINDS.items():
        items = grouped[kind]
        first = ", ".join(d.subject for d in items[:3]) + (" ..." if len(items) > 3 else "")
        known = sum(1 for d in items if d.dead_letter)
        note = f"  ({known} dead-lettered)" if known else ""
        lines.append(f"{title:<{width}}  {len(items):>5}  {first}{note}")
    lines.append(
        f"{'Days (per currency) whose totals differ':<{width}}  {days_off:>5}  "
        f"of {len(result.daily)} days"
    )
    lines.append("")
    lines.append(verdict_text(result))
    return "\n".join(lines)
