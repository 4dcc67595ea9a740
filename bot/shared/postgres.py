"""The shared state in PostgreSQL (STATE_URL=postgresql://…): for several hosts.

psycopg 3 with its connection pool. Each call takes a connection for one statement (autocommit),
so a database restart costs the calls made while it is down: they raise `StateUnavailable` within
`TIMEOUT` seconds instead of hanging, and the pool reconnects (it checks a connection before lending
it). Migrations run under an advisory lock, so hosts starting together apply each one once; the
index build lock is another advisory lock, held on a connection of its own for the build.
"""

from __future__ import annotations

import contextlib
import logging
import zlib
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from typing import Any

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from bot.errors import StateUnavailable
from bot.shared.base import SharedState

logger = logging.getLogger(__name__)

TIMEOUT = 2.0  # seconds to get a connection (or make one) before giving up: within Slack's 3 s ack
MIGRATION_LOCK = zlib.crc32(b"citebot:migrations")
BUILD_LOCK = zlib.crc32(b"citebot:index-build")


class PostgresState(SharedState):
    """Shared state in a PostgreSQL database."""

    backend = "postgres"
    placeholder = "%s"

    def __init__(self, url: str, *, keep_days: int = 90, migrate: bool = True) -> None:
        super().__init__(keep_days)
        self._url = url
        self._pool = ConnectionPool(
            url,
            min_size=1,
            max_size=4,
            timeout=TIMEOUT,
            open=False,
            check=ConnectionPool.check_connection,
            kwargs={"autocommit": True, "connect_timeout": int(TIMEOUT)},
            name="citebot-state",
        )
        try:
            self._pool.open(wait=True, timeout=TIMEOUT)
        except PoolTimeout as exc:
            self._pool.close()
            raise StateUnavailable(f"cannot connect to the shared state ({_reason(exc)})") from exc
        if migrate:
            self.migrate()
            self.purge()

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._connection() as conn:
            return int(conn.execute(sql, tuple(params)).rowcount)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._connection() as conn:
            return list(conn.execute(sql, tuple(params)).fetchall())

    def _apply(self, version: int, name: str, script: str) -> bool:
        with self._connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (MIGRATION_LOCK,))
            try:
                conn.execute(
                    "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, "
                    "name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
                )
                done = conn.execute("SELECT 1 FROM schema_migrations WHERE version = %s", (version,))
                if done.fetchone() is not None:
                    return False
                with conn.transaction():
                    conn.execute(script.encode())  # a plain SQL file, several statements
                    conn.execute(
                        "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)", (version, name)
                    )
                return True
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (MIGRATION_LOCK,))

    @contextlib.contextmanager
    def _build_lock(self) -> Iterator[None]:
        with self._connection() as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (BUILD_LOCK,))
            try:
                yield
            finally:
                with contextlib.suppress(psycopg.Error):
                    conn.execute("SELECT pg_advisory_unlock(%s)", (BUILD_LOCK,))

    def build_lock(self) -> AbstractContextManager[None]:
        return self._build_lock()

    def close(self) -> None:
        self._pool.close()

    @contextlib.contextmanager
    def _connection(self) -> Iterator[psycopg.Connection[Any]]:
        try:
            with self._pool.connection() as conn:
                yield conn
        except (psycopg.OperationalError, psycopg.InterfaceError, PoolTimeout) as exc:
            raise StateUnavailable(f"the shared state (PostgreSQL) is unavailable ({_reason(exc)})") from exc
        except psycopg.Error as exc:
            raise StateUnavailable(f"the shared state (PostgreSQL) failed ({_reason(exc)})") from exc


def _reason(exc: BaseException) -> str:
    """The first line of a driver error, without the connection string it may quote."""
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return text[:200]
