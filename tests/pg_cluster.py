"""A real PostgreSQL server for the tests that need one, started by the tests themselves.

Production runs the inbox, the mapper's store and the target's ledger on PostgreSQL; the tests
check them on the real thing, not on SQLite pretending. The server comes from Debian's `postgresql`
package (`.ci/run` installs it when missing): a throw-away cluster in a temporary folder,
listening on loopback only, on a free port, with `trust` authentication (nothing but this machine
can reach it). PostgreSQL refuses to run as root, so as root (CI) the cluster belongs to the
package's `postgres` user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

START_TIMEOUT_SECONDS = 60


@dataclass(frozen=True)
class PostgresServer:
    host: str
    port: int
    user: str
    run_as: tuple[str, ...]
    bin_dir: Path
    base_dir: Path

    def url(self, database: str = "postgres", driver: str = "postgresql+psycopg") -> str:
        """An SQLAlchemy URL for `database` (psycopg 3 by default)."""
        return f"{driver}://{self.user}@{self.host}:{self.port}/{database}"

    def new_database(self, prefix: str = "test") -> str:
        """A new, empty database with a name of its own; returns its SQLAlchemy URL."""
        return self.create_database(f"{prefix}_{uuid.uuid4().hex[:12]}")

    def create_database(self, name: str) -> str:
        """A new, empty database; returns its SQLAlchemy URL."""
        self.psql(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def psql(self, sql: str, database: str = "postgres") -> str:
        command = [str(self.bin_dir / "psql"), "-h", self.host, "-p", str(self.port)]
        command += ["-U", self.user, "-d", database, "-v", "ON_ERROR_STOP=1", "-tAc", sql]
        return subprocess.run(command, capture_output=True, text=True, check=True).stdout


def find_bin_dir() -> Path | None:
    """Debian keeps the server's programs in /usr/lib/postgresql/<major>/bin, off PATH."""
    on_path = shutil.which("pg_ctl")
    if on_path:
        return Path(on_path).resolve().parent
    versions = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"), key=_major_version)
    return Path(versions[-1]).parent if versions else None


def _major_version(pg_ctl: str) -> int:
    return int(Path(pg_ctl).parent.parent.name)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start() -> PostgresServer:
    """initdb + pg_ctl start in a new temporary folder; RuntimeError says what is missing."""
    bin_dir = find_bin_dir()
    if bin_dir is None:
        raise RuntimeError(
            "PostgreSQL's server is not installed (no pg_ctl on PATH or in /usr/lib/postgresql): "
            "`apt-get install postgresql` (.ci/run does this on a fresh machine)"
        )
    # Directly under the system's temporary folder: the `postgres` user cannot reach into pytest's
    # per-user (mode 700) folders.
    base_dir = Path(tempfile.mkdtemp(prefix="tests-postgres-"))
    run_as: tuple[str, ...] = ()
    if os.geteuid() == 0:
        owner = pwd.getpwnam("postgres")  # Created by Debian's package.
        run_as = ("runuser", "-u", "postgres", "--")
        os.chown(base_dir, owner.pw_uid, owner.pw_gid)
    data, sockets = base_dir / "data", base_dir / "sockets"
    for folder in (data, sockets):
        subprocess.run([*run_as, "mkdir", "-p", str(folder)], check=True)
    user = "postgres"
    subprocess.run(
        [*run_as, str(bin_dir / "initdb"), "-D", str(data), "-U", user, "-A", "trust",
         "--no-sync", "-E", "UTF8", "--locale", "C"],
        check=True, capture_output=True,
    )  # fmt: skip
    port = _free_port()
    options = f"-p {port} -k {sockets} -c listen_addresses=127.0.0.1 -c fsync=off"
    subprocess.run(
        [*run_as, str(bin_dir / "pg_ctl"), "-D", str(data), "-o", options, "-w",
         "-t", str(START_TIMEOUT_SECONDS), "-l", str(base_dir / "server.log"), "start"],
        check=True, capture_output=True,
    )  # fmt: skip
    return PostgresServer("127.0.0.1", port, user, run_as, bin_dir, base_dir)


def stop(server: PostgresServer) -> None:
    subprocess.run(
        [*server.run_as, str(server.bin_dir / "pg_ctl"), "-D", str(server.base_dir / "data"),
         "-m", "immediate", "stop"],
        check=False, capture_output=True,
    )  # fmt: skip
    shutil.rmtree(server.base_dir, ignore_errors=True)
