"""The feeds the shelf follows, in the shared state: the list, who polls which when, what was taken.

Several hosts sharing PostgreSQL poll each feed once between them: a host claims a due feed by moving
its next check forward in one conditional UPDATE, which only one of them can win.
"""

from __future__ import annotations

import time
from abc import abstractmethod
from collections.abc import Sequence
from typing import Any, NamedTuple

CLAIM_SECONDS = 300.0  # a claimed poll not finished in this long (its host died) may be taken again


class FeedRow(NamedTuple):
    """A followed feed as the shared state keeps it."""

    url: str
    added_by: str
    added_at: float
    every_s: float
    next_at: float
    checked_at: float | None
    etag: str | None
    last_modified: str | None
    failures: int
    taken: int
    last_error: str | None


_COLUMNS = (
    "url, added_by, added_at, every_s, next_at, checked_at, etag, last_modified, failures, taken, last_error"
)


class FeedRows:
    """The shared state's feed queries (a part of SharedState)."""

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int: ...

    @abstractmethod
    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]: ...

    @abstractmethod
    def _sql(self, sql: str) -> str: ...

    def follow_feed(self, url: str, added_by: str, every_s: float, *, now: float | None = None) -> bool:
        """Follow `url` (checked at once, then every `every_s`); False if it was followed already (its
        interval is then set to `every_s`)."""
        now = time.time() if now is None else now
        added = self._execute(
            self._sql(
                "INSERT INTO feeds (url, added_by, added_at, every_s, next_at) VALUES (?, ?, ?, ?, ?) "
                "ON CONFLICT (url) DO NOTHING"
            ),
            (url, added_by, now, every_s, now),
        )
        if not added:
            self._execute(self._sql("UPDATE feeds SET every_s = ? WHERE url = ?"), (every_s, url))
        return bool(added)

    def unfollow_feed(self, url: str) -> bool:
        """Stop following `url` (the articles taken from it stay on the shelf); False if it was not followed."""
        removed = self._execute(self._sql("DELETE FROM feeds WHERE url = ?"), (url,))
        self._execute(self._sql("DELETE FROM feed_entries WHERE feed = ?"), (url,))
        return bool(removed)

    def feeds(self) -> list[FeedRow]:
        """Every followed feed, by address."""
        return [_row(r) for r in self._fetch(f"SELECT {_COLUMNS} FROM feeds ORDER BY url")]

    def claim_feed(self, url: str, now: float, *, force: bool = False) -> FeedRow | None:
        """The feed, if it is due (or `force`) and this caller won it: its next check moves CLAIM_SECONDS
        on, so no other host polls it meanwhile. None when it is not due or another host has it."""
        rows = self._fetch(self._sql(f"SELECT {_COLUMNS} FROM feeds WHERE url = ?"), (url,))
        if not rows:
            return None
        row = _row(rows[0])
        if not force and row.next_at > now:
            return None
        won = self._execute(
            self._sql("UPDATE feeds SET next_at = ? WHERE url = ? AND next_at = ?"),
            (now + CLAIM_SECONDS, url, row.next_at),
        )
        return row if won else None

    def record_poll(
        self,
        url: str,
        *,
        now: float,
        next_at: float,
        etag: str | None,
        last_modified: str | None,
        error: str | None,
        taken: int = 0,
    ) -> None:
        """What a poll of `url` found: its validators, new articles taken, or the error (failures count
        up until a poll succeeds)."""
        failures = "failures + 1" if error is not None else "0"
        self._execute(
            self._sql(
                f"UPDATE feeds SET next_at = ?, checked_at = ?, etag = ?, last_modified = ?, "
                f"failures = {failures}, taken = taken + ?, last_error = ? WHERE url = ?"
            ),
            (next_at, now, etag, last_modified, taken, error, url),
        )

    def new_entries(self, url: str, links: Sequence[str]) -> list[str]:
        """Those of `links` not taken from feed `url` before, in order."""
        taken = {
            str(r[0]) for r in self._fetch(self._sql("SELECT link FROM feed_entries WHERE feed = ?"), (url,))
        }
        return [link for link in links if link not in taken]

    def record_entry(self, url: str, link: str, outcome: str, *, now: float | None = None) -> None:
        """Entry `link` of feed `url` was taken: added as a file, or refused (and why)."""
        self._execute(
            self._sql(
                "INSERT INTO feed_entries (feed, link, at, outcome) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING"
            ),
            (url, link, time.time() if now is None else now, outcome),
        )


def _row(r: tuple[Any, ...]) -> FeedRow:
    return FeedRow(
        str(r[0]),
        str(r[1]),
        float(r[2]),
        float(r[3]),
        float(r[4]),
        None if r[5] is None else float(r[5]),
        r[6],
        r[7],
        int(r[8]),
        int(r[9]),
        r[10],
    )
