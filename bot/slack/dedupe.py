"""Remember which Events API deliveries were handled, so that Slack's retries are not answered twice."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections import OrderedDict
from pathlib import Path
from typing import Protocol


class SeenEvents(Protocol):
    """A record of handled event ids."""

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True if it was not seen before."""
        ...


class MemorySeenEvents:
    """Event ids seen in the last `ttl` seconds, in this process (at most `size` of them)."""

    def __init__(self, *, ttl: float = 3600.0, size: int = 50_000) -> None:
        self._ttl = ttl
        self._size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True if it was not seen before."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) >= self._size or next(iter(self._seen.values())) < now - self._ttl
            ):
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True


class SqliteSeenEvents:
    """Event ids in an SQLite file, so that a retry landing on another worker process is still caught."""

    def __init__(self, path: Path, *, ttl: float = 6 * 3600) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._ttl = ttl
        self._lock = threading.Lock()
        self._inserts = 0
        # One connection per process; calls come from the event loop's thread, the lock covers the rest.
        self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS seen (event_id TEXT PRIMARY KEY, at REAL NOT NULL)")

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True if no process recorded it before."""
        now = time.time()
        with self._lock:
            inserted = (
                self._db.execute("INSERT OR IGNORE INTO seen VALUES (?, ?)", (event_id, now)).rowcount == 1
            )
            self._inserts += 1
            if self._inserts % 1000 == 0:
                self._db.execute("DELETE FROM seen WHERE at < ?", (now - self._ttl,))
        return inserted
