"""The real `target-iterable`, with the CPU its delivery ledger costs counted: `ledger_cpu.py
<usage_file> --config ...`.

The ledger's share of the target's work is everything the target would not do without it: importing
SQLAlchemy (only the ledger uses it), opening the ledger, and the change filter that decides what to
send and records what Iterable accepted (`ChangeFilter.select` / `confirm`: fingerprints, lookups,
upserts). Each of those calls is timed with `time.thread_time()`, the calling thread's own CPU (the
target sends from several threads), nested calls counted once; the total is written to the usage
file at exit, and the target's whole CPU comes from `wait4` in `child_usage.py` as for every stage.
Nothing of the target is changed but the timing wrappers; on PostgreSQL the server's own CPU is
another process's (see `journeys_measure.py`).
"""

from __future__ import annotations

import atexit
import functools
import json
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# CPU seconds by part: importing SQLAlchemy, opening and closing the ledger, and the work per
# record (what to send, what was accepted).
_spent = {"import_s": 0.0, "open_s": 0.0, "records_s": 0.0}
_spent_lock = threading.Lock()
_depth = threading.local()
OPENING = ("__init__", "has_deliveries", "close")


def _add(part: str, cpu_s: float) -> None:
    with _spent_lock:
        _spent[part] += cpu_s


def _timed(part: str, function: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(function)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        level = getattr(_depth, "level", 0)
        _depth.level = level + 1
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            _depth.level = level
            if level == 0:  # the outermost timed call counts, nested ones are inside it
                _add(part, time.thread_time() - started)

    return wrapper


def _instrument() -> None:
    started = time.thread_time()
    import sqlalchemy  # noqa: F401, PLC0415 - timed: only the ledger needs it

    _add("import_s", time.thread_time() - started)
    from target_iterable.changes import ChangeFilter  # noqa: PLC0415
    from target_iterable.ledger import DeliveryLedger  # noqa: PLC0415

    ledger_methods = (
        *OPENING, "delivered", "record", "user_fields", "record_user_fields", "forget_user",
    )  # fmt: skip
    for cls, names in ((ChangeFilter, ("select", "confirm")), (DeliveryLedger, ledger_methods)):
        for name in names:
            part = "open_s" if cls is DeliveryLedger and name in OPENING else "records_s"
            setattr(cls, name, _timed(part, getattr(cls, name)))


def main() -> None:
    usage_file = Path(sys.argv.pop(1))
    atexit.register(lambda: usage_file.write_text(json.dumps(_spent)))
    _instrument()
    from target_iterable.cli import main as target_main  # noqa: PLC0415

    target_main()


if __name__ == "__main__":
    main()
