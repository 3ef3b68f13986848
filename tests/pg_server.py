"""A throwaway PostgreSQL server for tests: Debian's `postgresql` binaries, started per session.

`.ci/run` installs the package when `initdb` is missing. The server listens on a free loopback port
with `trust` authentication and keeps its data in a temporary folder; each test gets a database of
its own (`PostgresServer.new_database`). PostgreSQL refuses to run as root, so under root (as in
CI) the server runs as the `postgres` user the package creates.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa

START_TIMEOUT_SECONDS = 60


def find_binaries() -> Path | None:
    """The folder holding `initdb` and `pg_ctl` (PATH first, then Debian's versioned folders)."""
    on_path = shutil.which("initdb")
    if on_path and shutil.which("pg_ctl"):
        return Path(on_path).parent
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").exists() and (Path(folder) / "pg_ctl").exists():
            return Path(folder)
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    port: int
    _count: int = 0

    @property
    def admin_url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def new_database(self, prefix: str = "test") -> str:
        """A new, empty database; its SQLAlchemy URL."""
        self._count += 1
        name = f"{prefix}_{os.getpid()}_{self._count}"
        engine = sa.create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        engine.dispose()
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"


@contextlib.contextmanager
def running_postgres(binaries: Path) -> Iterator[PostgresServer]:
    as_root = os.geteuid() == 0
    run_as: list[str] = ["runuser", "-u", "postgres", "--"] if as_root else []
    with tempfile.TemporaryDirectory(prefix="pg-test-") as folder:
        data = Path(folder) / "data"
        data.mkdir()
        if as_root:
            owner = pwd.getpwnam("postgres")
            os.chmod(folder, 0o755)  # noqa: S103 -- the postgres user must reach its data folder
            os.chown(data, owner.pw_uid, owner.pw_gid)
        subprocess.run(
            [*run_as, str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        port = _free_port()
        options = f"-h 127.0.0.1 -p {port} -k {data} -c fsync=off"
        subprocess.run(
            [
                *run_as,
                str(binaries / "pg_ctl"),
                "-D",
                str(data),
                "-o",
                options,
                "-l",
                str(data / "server.log"),
                "-w",
                "-t",
                str(START_TIMEOUT_SECONDS),
                "start",
            ],
            check=True,
            capture_output=True,
        )
        try:
            yield PostgresServer(port)
        finally:
            subprocess.run(
                [*run_as, str(binaries / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"],
                check=False,
                capture_output=True,
            )
