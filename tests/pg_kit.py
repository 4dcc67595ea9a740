"""A throwaway PostgreSQL server for tests, from the PostgreSQL binaries on this machine.

`initdb` and `pg_ctl` under /usr/lib/postgresql/*/bin, run as the `postgres` (or `nobody`) user when
the tests run as root (PostgreSQL refuses to run as root), on a free port on 127.0.0.1 with its socket
in a temporary folder; removed afterwards. Without the binaries the tests that need it fail with one
line saying what to install: they are never skipped silently.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from tests.slack_kit import free_port

INSTALL = "PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql/*/bin: apt-get install postgresql"


def binaries() -> Path:
    """The newest PostgreSQL bin folder, or an AssertionError that says what to install."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(p.split("/")[4]))
    if not found:
        raise AssertionError(INSTALL)
    return Path(found[-1]).parent


@dataclass
class Postgres:
    """A running throwaway server."""

    bin: Path
    top: Path
    port: int
    user: str | None

    @property
    def data(self) -> Path:
        return self.top / "data"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://citebot@127.0.0.1:{self.port}/{database}"

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / args[0]), *args[1:]]
        if self.user is not None:
            command = [
                "setpriv",
                f"--reuid={self.user}",
                f"--regid={pwd.getpwnam(self.user).pw_gid}",
                "--clear-groups",
                *command,
            ]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=60)

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.top} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=60"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.top / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def restart(self, down_for: float = 0.0) -> None:
        """Stop the server (dropping every connection), wait, start it again on the same port."""
        self.stop("immediate")
        time.sleep(down_for)
        self.start()

    def new_database(self, name: str) -> str:
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)


def start_postgres() -> Postgres:
    """initdb and start a server in a new temporary folder."""
    bin_folder = binaries()
    top = Path(tempfile.mkdtemp(prefix="citebot-pg-"))
    user = None
    if os.geteuid() == 0:
        user = "postgres" if _exists("postgres") else "nobody"
        shutil.chown(top, user)
    server = Postgres(bin_folder, top, free_port(), user)
    server._run("initdb", "-D", str(server.data), "-U", "citebot", "--auth=trust", "-E", "UTF8", "--no-sync")
    server.start()
    return server


def remove(server: Postgres) -> None:
    server.stop("immediate")
    shutil.rmtree(server.top, ignore_errors=True)


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
        return True
    except KeyError:
        return False
