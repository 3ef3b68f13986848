"""The "Journeys and the delivery ledger" section of RESULTS.md, from journeys.json.

Written by `journeys.py` (`make bench-journeys`) between its markers; `run.py` keeps it.
"""

from __future__ import annotations

from typing import Any

from .sections import Section

SECTION = Section("<!-- journeys:start -->", "<!-- journeys:end -->")
EVENTS_GOAL_RATIO = 1.10  # issue 17: events/trackBulk requests within 1.10x their floor
TRIGGER_KINDS = (  # the emulator's trigger names (sandbox/sandbox/iterable/journeys.py)
    ("purchase", "purchases"),
    ("customEvent", "events"),
    ("userProfileUpdate", "profile fields"),
    ("newUserCreated", "new users"),
    ("shoppingCartUpdate", "carts"),
)
RUNS_HEADER = [
    "store", "ledger", "run", "Iterable write requests / 1k orders",
    "journey entries / 1k orders", "journey entries by trigger", "trackBulk requests / floor",
    "dead letters", "ledger CPU s (import + open + records) / target CPU s",
    "ledger share of target CPU",
]  # fmt: skip
LEDGERS_HEADER = [
    "store", "ledger", "size / 1k orders", "size", "rows: delivered / user fields",
    "PostgreSQL server CPU, four runs",
]  # fmt: skip


def _size(orders: str) -> str:
    number = int(orders)
    return f"{number // 1000}k" if number >= 1000 and number % 1000 == 0 else str(number)


def _per_k(value: float, orders: int) -> str:
    return f"{value * 1000 / orders:,.1f} ({value:,})"


def _share(value: float | None) -> str:
    return "-" if value is None else f"{value * 100:.1f}%"


def _table(header: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    return [*lines, *("| " + " | ".join(row) + " |" for row in rows), ""]


def _entries_detail(by_trigger: dict[str, int]) -> str:
    parts = [
        f"{label} {by_trigger[kind]:,}" for kind, label in TRIGGER_KINDS if by_trigger.get(kind)
    ]
    others = sum(n for kind, n in by_trigger.items() if kind not in dict(TRIGGER_KINDS))
    if others:
        parts.append(f"other {others:,}")
    return ", ".join(parts) or "-"


def _ledger_cpu(run: dict[str, Any]) -> str:
    parts = run["ledger_cpu_parts"]
    return (
        f"{run['ledger_cpu_s']:.2f} ({parts['import_s']:.2f} + {parts['open_s']:.2f} + "
        f"{parts['records_s']:.2f}) / {run['target_cpu_s']:.2f}"
    )


def _measured(results: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (orders, backend, measured)
        for orders, size in results["sizes"].items()
        for backend, measured in size["backends"].items()
        if "error" not in measured
    ]


def render(results: dict[str, Any]) -> str:
    runs: list[list[str]] = []
    ledgers: list[list[str]] = []
    for orders, backend, measured in _measured(results):
        count = int(orders)
        for scenario, run in measured["runs"].items():
            floor = run["events_request_floor"]
            runs.append(
                [
                    _size(orders),
                    backend,
                    scenario,
                    _per_k(run["write_requests"], count),
                    _per_k(run["journey_entries"], count),
                    _entries_detail(run["journey_entries_by_trigger"]),
                    f"{run['events_requests']} / {floor}",
                    str(run["dead_letters"]),
                    _ledger_cpu(run),
                    _share(run["ledger_cpu_share"]),
                ]
            )
        rows = measured["ledger_rows"]
        server = measured.get("server_cpu_s")
        ledgers.append(
            [
                _size(orders),
                backend,
                f"{measured['ledger_bytes'] * 1000 / count / 1024:,.0f} KiB",
                f"{measured['ledger_bytes'] / 1024:,.0f} KiB",
                f"{rows['delivered']:,} / {rows['user_fields']:,}",
                "-" if server is None else f"{server:.2f} s",
            ]
        )
    lines = [
        SECTION.start,
        "## Journeys and the delivery ledger",
        "",
        "`make bench-journeys` (`benchmarks/journeys.py`; `make bench` runs it after `run.py`), "
        f"{_when(results)}. Per store and ledger backend, four runs of the piped pipeline "
        "(`tap-bigcommerce | map-bigcommerce-iterable | target-iterable`, the real CLIs against "
        "`sandbox serve`), the mapper's store and the target's delivery ledger kept between "
        "them: a first sync into an empty Iterable project; a no-change re-run from its STATE; "
        "a full re-read without STATE (what `--full-refresh`, `meltano state clear` or a backfill "
        "under its own state id read); 1% of the orders changed in BigCommerce, then a run from "
        "the latest STATE. Write requests are every answered non-GET request to Iterable; "
        "journey entries are counted by the Iterable emulator as Iterable's \"Journey Setup: The "
        'Start Tile" describes them (every purchase or custom event added *or updated*, every '
        "cart update, every field a users/bulkUpdate call contains, changed or not), as if every "
        "trigger had a journey admitting everyone. Figures per 1,000 orders, the run's own count "
        "in brackets; stores as in `make bench` (`sandbox serve --seed 1`).",
        "",
        *_table(RUNS_HEADER, runs),
        "Ledger CPU: the target's own CPU (`wait4`) and, within the same run, the CPU its threads "
        "spent importing SQLAlchemy, opening the ledger and deciding what to send and recording "
        "what Iterable accepted (`ChangeFilter.select`/`confirm`: fingerprints, lookups, upserts), "
        "timed with `time.thread_time()` by `benchmarks/suite/ledger_cpu.py` around the real "
        "target. On PostgreSQL the server's own CPU is not in it: it is in the next table.",
        "",
        *_table(LEDGERS_HEADER, ledgers),
        "Size after the four runs: the SQLite file; on PostgreSQL the ledger's tables with their "
        "indexes and TOAST (`pg_total_relation_size`), dead row versions of updates included. "
        "`delivered` holds a row per purchase, event, cart and catalog item Iterable accepted, "
        "`user_fields` a row per user and profile field.",
        "",
        *_failures(results),
        *_goals(results),
        "",
        SECTION.end,
    ]
    return "\n".join(lines) + "\n"


def _when(results: dict[str, Any]) -> str:
    machine = results.get("machine", {})
    wall = results.get("total_wall_s")
    parts = [machine.get("date", "")]
    if machine.get("cpu"):
        parts.append(f"{machine['cpu']}, {machine.get('cores', '?')} cores, shared")
    if wall is not None:
        parts.append(f"{wall / 60:.1f} min in all")
    return "measured " + "; ".join(part for part in parts if part)


def _failures(results: dict[str, Any]) -> list[str]:
    lines = [
        f"Not measured: {_size(orders)} orders on {backend}: {measured['error']}"
        for orders, size in results["sizes"].items()
        for backend, measured in size["backends"].items()
        if "error" in measured
    ]
    return [*lines, ""] if lines else []


def _goals(results: dict[str, Any]) -> list[str]:
    """The issue's measurable promises, met or missed, per store and backend."""
    lines = []
    for orders, backend, measured in _measured(results):
        runs = measured["runs"]
        quiet = runs["no-change re-run"]["journey_entries"] == 0
        reread = runs["full re-read"]["journey_entries"] == 0
        first = runs["first sync"]
        floor = first["events_request_floor"]
        ratio = first["events_requests"] / floor if floor else None
        events = (
            "-"
            if ratio is None
            else f"{ratio:.2f}x ({'met' if ratio <= EVENTS_GOAL_RATIO else '**missed**'})"
        )
        lines.append(
            f"- {_size(orders)}, {backend}: no journey entry from the no-change re-run: "
            f"{'met' if quiet else '**missed**'}; none from the full re-read: "
            f"{'met' if reread else '**missed**'}; first sync's trackBulk requests against "
            f"their floor (goal within {EVENTS_GOAL_RATIO:.2f}x): {events}."
        )
        for scenario in ("no-change re-run", "full re-read"):
            facts = runs[scenario].get("journey_entry_facts") or {}
            if facts:
                shown = "; ".join(f"`{fact}` x{count}" for fact, count in facts.items())
                lines.append(f"  - the {scenario}'s entries: {shown}")
    return lines
