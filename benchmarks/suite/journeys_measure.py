"""Journeys and the delivery ledger: what re-runs send to Iterable, and what the ledger costs.

For one store and one ledger backend, four piped runs (`tap | mapper | target`) with the mapper's
store and the target's ledger kept between them, as in production:

1. a first sync into an empty Iterable project;
2. a no-change re-run from the first run's STATE (a scheduled run when nothing happened; the tap
   re-reads the newest records of each inclusive bookmark);
3. a full re-read without STATE: what `--full-refresh`, `meltano state clear` or a backfill under
   its own state id read (everything);
4. a delta: 1% of the orders changed in BigCommerce (later `date_modified`, new status...), then a
   run from the latest STATE.

Per run: Iterable write requests (every answered request that is not a GET), journey entries as
the Iterable emulator counts them (Iterable's "Journey Setup: The Start Tile": every event or
purchase added or updated, every cart update, every field a users/bulkUpdate call contains;
`sandbox/sandbox/iterable/journeys.py`), events/trackBulk requests against their floor, dead
letters, the target's CPU and the part of it the ledger costs (`ledger_cpu.py`). Per backend: the
ledger's size and rows after the four runs, and on PostgreSQL the server's own CPU.
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from . import connector
from .api_calls import iterable_calls
from .processes import run_pipeline
from .sandbox import Sandbox
from .singer_files import messages

LEDGER_CPU = Path(__file__).resolve().parent / "ledger_cpu.py"
LEDGER_TABLES = ("ledger_meta", "delivered", "user_fields")
EVENTS_PER_REQUEST = 1000  # events/trackBulk's largest batch: the floor's divisor
CHANGED_SHARE = 0.01
FACTS_SHOWN = 20
BACKEND_EXIT_TIMEOUT_S = 30.0
TESTS = Path(__file__).resolve().parents[2] / "tests"


class BackendUnavailableError(RuntimeError):
    """The ledger's backend cannot be had on this machine (PostgreSQL not installed...)."""


@dataclass
class LedgerStore:
    """Where one backend's ledger lives, how big it is, and (PostgreSQL) the server's CPU."""

    backend: str
    url: str
    sqlite_file: Path | None = None
    postmaster: int | None = None  # PostgreSQL: the server's main process
    database: str = ""

    def server_cpu_s(self) -> float | None:
        """PostgreSQL: the server's CPU seconds so far (see `_server_cpu_s`)."""
        return None if self.postmaster is None else _server_cpu_s(self.postmaster)

    def wait_for_backends_to_exit(self) -> None:
        """PostgreSQL: the target's connection ended with it, but its backend process exits (and
        is reaped, its CPU added to the server's) a moment later; wait for that."""
        if self.postmaster is None:
            return
        deadline = time.monotonic() + BACKEND_EXIT_TIMEOUT_S
        while any(f" {self.database} " in _cmdline(pid) for pid in _children(self.postmaster)):
            if time.monotonic() > deadline:
                msg = f"a PostgreSQL backend of {self.database} still runs after the target"
                raise TimeoutError(msg)
            time.sleep(0.05)

    def size_bytes(self) -> int:
        if self.sqlite_file is not None:
            return self.sqlite_file.stat().st_size if self.sqlite_file.exists() else 0
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                # Tables, their indexes and TOAST: what the ledger occupies on disk.
                return int(
                    conn.execute(
                        sa.text(
                            "SELECT sum(pg_total_relation_size(quote_ident(t))) "
                            "FROM unnest(CAST(:tables AS text[])) AS t"
                        ),
                        {"tables": list(LEDGER_TABLES)},
                    ).scalar_one()
                )
        finally:
            engine.dispose()

    def row_counts(self) -> dict[str, int]:
        engine = sa.create_engine(self.url)
        try:
            with engine.connect() as conn:
                return {
                    table: int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608 - fixed names
                    for table in LEDGER_TABLES[1:]
                }
        finally:
            engine.dispose()


@contextmanager
def ledger_store(backend: str, workdir: Path) -> Iterator[LedgerStore]:
    """An empty ledger database: a SQLite file, or a database on a PostgreSQL server started
    for the measure (tests/pg_cluster.py: Debian's `postgresql`; RuntimeError when missing)."""
    if backend == "sqlite":
        path = workdir / "journeys-ledger.sqlite"
        path.unlink(missing_ok=True)
        yield LedgerStore(backend, f"sqlite:///{path}", sqlite_file=path)
        return
    if backend != "postgresql":
        msg = f"unknown ledger backend {backend!r} (sqlite, postgresql)"
        raise ValueError(msg)
    sys.path.insert(0, str(TESTS))
    import pg_cluster  # noqa: PLC0415 - the tests' throw-away server, only for this backend

    try:
        server = pg_cluster.start()
    except (RuntimeError, subprocess.CalledProcessError) as error:
        raise BackendUnavailableError(f"PostgreSQL could not be started: {error}") from error
    try:
        database = f"ledger_{os.getpid()}"
        url = server.create_database(database)
        postmaster = int((server.base_dir / "data" / "postmaster.pid").read_text().split()[0])
        yield LedgerStore(backend, url, postmaster=postmaster, database=database)
    finally:
        pg_cluster.stop(server)


def journey_run(sandbox: Sandbox, workdir: Path, orders: int, backend: str) -> dict[str, Any]:
    """The four runs of the module docstring on one store, with the ledger on `backend`."""
    sandbox.fresh_iterable()
    (workdir / "journeys-mapper.db").unlink(missing_ok=True)
    state = workdir / "journeys-state.json"
    state.unlink(missing_ok=True)
    changed = max(1, round(orders * CHANGED_SHARE))
    scenarios: list[tuple[str, bool, Callable[[], Any] | None]] = [
        ("first sync", False, None),
        ("no-change re-run", True, None),
        ("full re-read", False, None),
        (
            "1% delta",
            True,
            lambda: sandbox.bc.apply_delta(
                orders=changed, new_orders=0, customers=0, products=0, subscribers=0
            ),
        ),
    ]
    runs: dict[str, Any] = {}
    with ledger_store(backend, workdir) as ledger:
        server_cpu_before = ledger.server_cpu_s()
        for name, from_state, prepare in scenarios:
            if prepare is not None:
                prepare()
            runs[name] = _one_run(
                sandbox, workdir, ledger, state if from_state and state.exists() else None, state
            )
        server_cpu_after = ledger.server_cpu_s()
        server_cpu = None
        if server_cpu_before is not None and server_cpu_after is not None:
            server_cpu = round(server_cpu_after - server_cpu_before, 3)
        return {
            "orders": orders,
            "changed_orders": changed,
            "backend": backend,
            "runs": runs,
            "ledger_bytes": ledger.size_bytes(),
            "ledger_rows": ledger.row_counts(),
            "server_cpu_s": server_cpu,
        }


def _one_run(
    sandbox: Sandbox, workdir: Path, ledger: LedgerStore, state_in: Path | None, state_out: Path
) -> dict[str, Any]:
    log, output = workdir / "journeys.log", workdir / "journeys-target.singer"
    usage = workdir / "journeys-ledger-cpu.json"
    usage.unlink(missing_ok=True)
    counts_before, entries_before = sandbox.it.request_counts(), sandbox.it.journey_entries()
    target, dead_letters = connector.target(
        workdir, "journeys", sandbox.iterable, connector.UNPACED_TARGET,
        database_url=ledger.url,
    )  # fmt: skip
    # The real target, its ledger calls timed (ledger_cpu.py).
    target = [sys.executable, str(LEDGER_CPU), str(usage), *target[1:]]
    tap = connector.tap(workdir, sandbox.tap_config())
    if state_in is not None:
        tap += ["--state", str(state_in)]
    total, stages = run_pipeline(
        [tap, connector.mapper(workdir, "journeys", keep_store=True), target],
        stderr=log,
        stdout=output,
    )
    _keep_latest_state(output, state_out)
    ledger.wait_for_backends_to_exit()
    counts_after, entries_after = sandbox.it.request_counts(), sandbox.it.journey_entries()
    requests = Counter(counts_after)
    requests.subtract(counts_before)
    writes = {k: n for k, n in requests.items() if n and not k.startswith("GET ")}
    by_operation = iterable_calls(writes)
    by_trigger = _entries_by_kind(entries_before["by_trigger"], entries_after["by_trigger"])
    entries = entries_after["total"] - entries_before["total"]
    events = by_trigger.get("customEvent", 0)
    target_cpu = stages[-1].cpu_s
    ledger_parts = {part: round(s, 3) for part, s in json.loads(usage.read_text()).items()}
    ledger_cpu = sum(ledger_parts.values())
    return {
        "from_state": state_in is not None,
        "write_requests": by_operation.get("total", 0),  # 429s are not in it (none: no limits)
        "write_requests_by_operation": {
            k: v for k, v in by_operation.items() if k not in ("total", "status_429")
        },
        "journey_entries": entries,
        "journey_entries_by_trigger": by_trigger,
        # A few entries where none were expected: which trigger and fact, to explain them.
        "journey_entry_facts": (
            _entries_by_fact(entries_before["by_trigger"], entries_after["by_trigger"])
            if 0 < entries <= FACTS_SHOWN
            else {}
        ),
        "events_requests": by_operation.get("events", 0),
        "events_request_floor": math.ceil(events / EVENTS_PER_REQUEST),
        "dead_letters": connector.count_lines(dead_letters),
        "target_cpu_s": round(target_cpu, 3),
        "ledger_cpu_s": round(ledger_cpu, 3),
        "ledger_cpu_parts": ledger_parts,
        "ledger_cpu_share": round(ledger_cpu / target_cpu, 4) if target_cpu else None,
        "pipeline_wall_s": round(total.wall_s, 2),
    }


def _entries_by_kind(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]
) -> dict[str, int]:
    """New journey entries by trigger kind (purchase, customEvent, userProfileUpdate...)."""
    added: Counter[str] = Counter()
    for trigger, facts in after.items():
        kind = trigger.split(":")[0]
        for fact, count in facts.items():
            added[kind] += count - before.get(trigger, {}).get(fact, 0)
    return dict(+added)


def _entries_by_fact(
    before: dict[str, dict[str, int]], after: dict[str, dict[str, int]]
) -> dict[str, int]:
    """New journey entries by `trigger fact` (e.g. `userProfileUpdate:city alice@example.com`)."""
    added: Counter[str] = Counter()
    for trigger, facts in after.items():
        for fact, count in facts.items():
            added[f"{trigger} {fact}"] += count - before.get(trigger, {}).get(fact, 0)
    return dict(+added)


def _keep_latest_state(target_output: Path, state_file: Path) -> None:
    """The last state the target wrote (a singer-sdk target writes each state value as a JSON
    line) is the next run's, as Meltano keeps it; a run that wrote none leaves the previous one."""
    latest = None
    for state in messages(target_output):
        latest = state
    if latest is not None:
        state_file.write_text(json.dumps(latest))


# -- PostgreSQL server CPU ---------------------------------------------------------------------


def _server_cpu_s(postmaster: int) -> float:
    """CPU seconds of the PostgreSQL server so far: the postmaster's own, the backends it has
    reaped (its cutime/cstime: each client connection is a backend process that exits with it),
    and its live children's (checkpointer, WAL writer, autovacuum...)."""
    ticks = _stat_ticks(postmaster) + sum(_stat_ticks(pid) for pid in _children(postmaster))
    return ticks / os.sysconf("SC_CLK_TCK")


def _stat_ticks(pid: int) -> int:
    """utime + stime + cutime + cstime of a process, in clock ticks (proc(5) fields 14-17)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except FileNotFoundError:  # exited meanwhile: its CPU is in the postmaster's cutime now
        return 0
    return sum(int(value) for value in fields[11:15])  # after "pid (comm)": field 3 is [0]


def _children(pid: int) -> list[int]:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(child) for child in children.read_text().split()] if children.exists() else []


def _cmdline(pid: int) -> str:
    """A backend's title, e.g. `postgres: postgres ledger_1 127.0.0.1(5432) idle`."""
    try:
        return Path(f"/proc/{pid}/cmdline").read_text().replace("\0", " ")
    except FileNotFoundError:
        return ""
