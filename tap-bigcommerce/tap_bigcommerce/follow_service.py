"""`tap-bigcommerce-follow-service -- meltano ... run ...`: run the follow pipeline as a service
that a SIGTERM stops cleanly, with exit status 0 and the last STATE committed.

Why a wrapper: `meltano run` cannot do it itself. Meltano 4.4.1 answers its own SIGTERM by
cancelling the run (core/job/job.py lines 409-447), marking the job failed (job.py 301-306)
and closing its database session (core/block/extract_load.py lines 540-541), then sending SIGTERM
to every plugin (cli/run.py 312-320, extract_load.py 544-556) and exiting 143 (cli/__init__.py
122-127, `SIGTERM_EXIT_CODE`, job.py 43). The STATE the target writes while stopping reaches
`BookmarkWriter.writeline` (core/plugin/singer/target.py 66-119) after that session closed, and
fails there (SQLAlchemy `DetachedInstanceError`, seen in tests/e2e/test_follow.py's run), so it is
not committed: nothing is lost (Iterable has what was delivered, and the target's ledger sends
nothing twice) but the restart reads the last micro-batch again.

A stop that starts at the head has none of that: the tap ends its wake-up with STATE and exits 0,
Meltano sees the extractor finish (extract_load.py 811-838) and closes the mapper's input, the
mapper and the target flush at the end of their input, Meltano commits the last STATE and exits
0. This wrapper makes every SIGTERM (or SIGINT) such a stop: it forwards the signal to the
`tap-bigcommerce` process under its command, or to the command itself while no tap runs yet
(then Meltano's own handling applies: exit 143). It exits with the command's status.

Linux only (the tap is found through /proc). Under systemd use `KillMode=mixed`, so that the stop
signal goes to this process alone (README, "Deploying").
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from types import FrameType

LOGGER = logging.getLogger("tap_bigcommerce.follow_service")
TAP_PROGRAM = b"tap-bigcommerce"
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def descendants(pid: int, proc: Path = Path("/proc")) -> dict[int, list[bytes]]:
    """Every process under `pid` (children, grandchildren...) -> its argv."""
    children: dict[int, list[int]] = {}
    argv: dict[int, list[bytes]] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            argv[int(entry.name)] = (entry / "cmdline").read_bytes().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue  # gone meanwhile
        children.setdefault(parent, []).append(int(entry.name))
    found: dict[int, list[bytes]] = {}
    todo = list(children.get(pid, []))
    while todo:
        child = todo.pop()
        found[child] = argv.get(child, [])
        todo.extend(children.get(child, []))
    return found


def tap_processes(pid: int, proc: Path = Path("/proc")) -> list[int]:
    """The `tap-bigcommerce` processes under `pid` (a console script: `python .../tap-bigcommerce
    --config ...`; not `tap-bigcommerce-webhooks`)."""
    return sorted(
        child
        for child, argv in descendants(pid, proc).items()
        if any(part.rsplit(b"/", 1)[-1] == TAP_PROGRAM for part in argv[:2])
    )


class Service:
    def __init__(self, command: Sequence[str]) -> None:
        # The operator's own command line (the service unit's ExecStart), run as given.
        self.process = subprocess.Popen(list(command))  # noqa: S603

    def forward_stop(self, signum: int, frame: FrameType | None = None) -> None:
        taps = tap_processes(self.process.pid)
        targets = taps or [self.process.pid]
        LOGGER.info(
            "follow service: signal %d; stopping %s",
            signum,
            "the tap (the pipeline drains from its head)" if taps else "the command (no tap yet)",
        )
        for pid in targets:
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                os.kill(pid, signal.SIGTERM)

    def run(self) -> int:
        for signum in STOP_SIGNALS:
            signal.signal(signum, self.forward_stop)
        return self.process.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="tap-bigcommerce-follow-service",
        description=(
            "Run the follow pipeline (the command after --) so that SIGTERM stops it at the end "
            "of the tap's current wake-up, with the last STATE committed and exit status 0."
        ),
    )
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- meltano ... run ...")
    args = parser.parse_args(argv)
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("give the pipeline's command after --")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    return Service(command).run()


if __name__ == "__main__":
    sys.exit(main())
