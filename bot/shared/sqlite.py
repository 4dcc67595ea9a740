"""The shared state in an SQLite file: the default, for one machine (the workers of `serve`).

Plain `sqlite3` from the standard library: nothing to install, and WAL mode lets the workers read
while one writes. The build lock is the index folder's file lock (bot/index/store.py), which
already covers every process of one machine, so `build_lock` adds nothing here.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

from bot.errors import StateUnavailable
from bot.shared.base import SharedState


class SqliteState(SharedState):
    """Shared state in one SQLite file (or in memory, for this process only)."""

    backend = "sqlite"

    def __init__(
        self, path: Path | str, *, keep_days: int = 90, migrate: bool = True, create: bool = True
    ) -> None:
        super().__init__(keep_days)
        self.path = path
        self._lock = threading.Lock()
        if isinstance(path, Path) and not create and not path.exists():
            # Only looking (`state check`): nothing is created, not even the folder.
            raise StateUnavailable(f"{path} does not exist; `python -m bot state migrate` creates it")
        try:
            if isinstance(path, Path):
                path.parent.mkdir(parents=True, exist_ok=True)
            # One connection per process; calls come from several threads, the lock serialises them.
            self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
            if path != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS schema_migrations "
                "(version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at REAL NOT NULL)"
            )
        except (OSError, sqlite3.Error) as exc:
            raise StateUnavailable(f"cannot open the shared state {path} ({exc})") from exc
        if migrate:
            self.migrate()
            self.purge()

    @classmethod
    def in_memory(cls, *, keep_days: int = 90) -> SqliteState:
        """State for this process only: what a single process uses when the file cannot be opened."""
        return cls(":memory:", keep_days=keep_days)

    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        with self._guard():
            return int(self._db.execute(sql, tuple(params)).rowcount)

    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._guard():
            return list(self._db.execute(sql, tuple(params)).fetchall())

    def _apply(self, version: int, name: str, script: str) -> bool:
        with self._guard():
            self._db.execute("BEGIN IMMEDIATE")  # two workers starting at once: one applies, one waits
            try:
                done = self._db.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (version,))
                if done.fetchone() is not None:
                    self._db.execute("COMMIT")
                    return False
                for statement in _statements(script):
                    self._db.execute(statement)
                self._db.execute(
                    "INSERT INTO schema_migrations VALUES (?, ?, ?)", (version, name, time.time())
                )
                self._db.execute("COMMIT")
                return True
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def build_lock(self) -> AbstractContextManager[None]:
        return contextlib.nullcontext()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextlib.contextmanager
    def _guard(self) -> Iterator[None]:
        with self._lock:
            try:
                yield
            except sqlite3.Error as exc:
                raise StateUnavailable(f"the shared state {self.path} failed ({exc})") from exc


def _statements(script: str) -> list[str]:
    """The statements of a migration file (no statement of ours holds a semicolon inside it)."""
    lines = [line for line in script.splitlines() if not line.lstrip().startswith("--")]
    return [part.strip() for part in "\n".join(lines).split(";") if part.strip()]
