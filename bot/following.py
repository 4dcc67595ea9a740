"""Follow feeds and sitemaps: poll each on its schedule and add its new entries through the normal add.

A poll is a conditional GET (the feed's ETag and Last-Modified sent back, so an unchanged feed costs
a 304), through the safe fetcher; a feed's new entries, at most MAX_ENTRIES_PER_POLL a poll, are
fetched and added by the shelf as a link from Slack is (duplicates refused, copies noted, pages that
are no article refused), and each entry is recorded so it is never taken twice. A failing feed is
polled again later and later (doubling, up to a day); every wait is shortened by a little at
random (jitter), so that feeds added together do not poll together. The list lives in the shared
state, and a host claims a due feed before polling it: several hosts poll each feed once between them.
"""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from bot.errors import CitebotError, FetchRefused
from bot.feeds import FeedError, read_feed
from bot.fetch import Validators, fetch
from bot.shared import FeedRow, SharedState
from bot.shelf import Outcome, Shelf

DEFAULT_EVERY = 30 * 60.0
MIN_EVERY = 60.0  # a feed is not polled more often than once a minute
MAX_EVERY = 7 * 24 * 3600.0
MAX_BACKOFF = 24 * 3600.0  # a failing feed is still tried once a day
JITTER = 0.1  # each wait is up to this share shorter, at random (never longer: an entry is taken
# within one interval of its publication, plus the server's tick and the indexing)
MAX_ENTRIES_PER_POLL = 20
MAX_FEED_BYTES = 5 * 1024 * 1024
_EVERY = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(s|sec|m|min|h|hr|d|day)?s?\s*$", re.IGNORECASE)
_UNITS = {"s": 1, "sec": 1, "m": 60, "min": 60, "h": 3600, "hr": 3600, "d": 86400, "day": 86400}


def parse_every(text: str) -> float:
    """Seconds from "30m", "2h", "90s", "1d" (no unit: minutes); CitebotError if it is not one."""
    match = _EVERY.match(text)
    if match is None:
        raise CitebotError(f"--every {text!r}: give a number and a unit, as 30m, 2h or 1d")
    seconds = float(match[1]) * _UNITS[(match[2] or "m").lower()]
    if not MIN_EVERY <= seconds <= MAX_EVERY:
        raise CitebotError(f"--every {text!r}: between 1 minute and 7 days")
    return seconds


def feed_address(url: str) -> str:
    """`url` as a feed address (http or https, with a host); CitebotError says what is wrong."""
    url = url.strip().strip("<>")
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise CitebotError(f"{url!r} is not a feed address: give its http:// or https:// link")
    return url


def describe_every(seconds: float) -> str:
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{int(seconds)}s"


@dataclass
class PollReport:
    """What one poll of one feed did."""

    url: str
    added: list[Outcome] = field(default_factory=list)
    refused: list[Outcome] = field(default_factory=list)
    error: str | None = None
    unchanged: bool = False
    waiting: int = 0  # new entries left for the next poll (over the cap)

    def describe(self) -> str:
        """One line for people, and a line per article added."""
        if self.error is not None:
            return f"{self.url}: {self.error}"
        if self.unchanged:
            return f"{self.url}: unchanged since the last poll"
        line = f"{self.url}: {len(self.added)} added, {len(self.refused)} refused"
        if self.waiting:
            line += f", {self.waiting} more next poll"
        return "\n".join([line] + [f"  {o.describe()}" for o in self.added + self.refused])


def feed_line(row: FeedRow, now: float | None = None) -> str:
    """One feed for people (the CLI's list, the Home tab): address, interval, who added it, last checked, articles taken, last error."""
    now = time.time() if now is None else now
    checked = "never checked" if row.checked_at is None else f"checked {_ago(now - row.checked_at)}"
    line = f"{row.url}  every {describe_every(row.every_s)}, added by {row.added_by}, {checked}, {row.taken} taken"
    return line + (f"\n  last error: {row.last_error}" if row.last_error else "")


def _ago(seconds: float) -> str:
    if seconds < 90:
        return f"{max(0, int(seconds))} s ago"
    if seconds < 5400:
        return f"{int(seconds // 60)} min ago"
    if seconds < 2 * 86400:
        return f"{int(seconds // 3600)} h ago"
    return datetime.fromtimestamp(time.time() - seconds).strftime("on %Y-%m-%d")


def jittered(seconds: float) -> float:
    return seconds * random.uniform(1 - JITTER, 1)


def poll_feeds(
    state: SharedState,
    shelf: Callable[[], Shelf],
    *,
    allow_private: bool = False,
    force: bool = False,
    now: float | None = None,
) -> list[PollReport]:
    """Poll every due feed this caller can claim (every feed, with `force`), adding new entries to the
    shelf `shelf()` gives (made once, when the first new entry comes)."""
    now = time.time() if now is None else now
    made: list[Shelf] = []

    def once() -> Shelf:
        if not made:
            made.append(shelf())
        return made[0]

    reports = []
    for row in state.feeds():
        claimed = state.claim_feed(row.url, now, force=force)
        if claimed is not None:
            reports.append(_poll(state, claimed, once, allow_private, now))
    return reports


def _poll(
    state: SharedState, row: FeedRow, shelf: Callable[[], Shelf], allow_private: bool, now: float
) -> PollReport:
    report = PollReport(row.url)
    try:
        fetched = fetch(
            row.url,
            allow_private=allow_private,
            max_bytes=MAX_FEED_BYTES,
            feed=Validators(row.etag, row.last_modified),
        )
        entries = [] if fetched.status == 304 else read_feed(fetched.data, fetched.url)
    except (FetchRefused, FeedError) as exc:
        report.error = str(exc)
        wait = min(row.every_s * 2 ** (row.failures + 1), MAX_BACKOFF)
        state.record_poll(
            row.url,
            now=now,
            next_at=now + jittered(wait),
            etag=row.etag,
            last_modified=row.last_modified,
            error=report.error,
        )
        return report
    report.unchanged = fetched.status == 304
    new = state.new_entries(row.url, [entry.link for entry in entries])
    report.waiting = max(0, len(new) - MAX_ENTRIES_PER_POLL)
    for link in new[:MAX_ENTRIES_PER_POLL]:
        outcome = shelf().add_link(link, allow_private=allow_private)
        (report.added if outcome.doc_id is not None else report.refused).append(outcome)
        state.record_entry(row.url, link, outcome.doc_id or f"refused: {outcome.refused}", now=now)
    state.record_poll(
        row.url,
        now=now,
        next_at=now + (MIN_EVERY if report.waiting else jittered(row.every_s)),
        # Entries left for the next poll: no validators, so that it reads the feed whole, not a 304.
        etag=None if report.waiting else fetched.etag,
        last_modified=None if report.waiting else fetched.last_modified,
        error=None,
        taken=len(report.added),
    )
    return report
