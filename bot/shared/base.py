"""The shared state's queries, written once for both backends (SQLite and PostgreSQL speak the same SQL
here: `INSERT … ON CONFLICT`, placeholders aside)."""

from __future__ import annotations

import json
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from importlib import resources
from typing import Any, Literal, NamedTuple

from bot.errors import StateUnavailable
from bot.shared.feeds import FeedRows
from bot.usage import DAY_SECONDS, AnswerRecord, Asked, Cited, FeedbackRecord, Report, summarise

EVENT_TTL = DAY_SECONDS  # Slack retries an event for minutes; a day is plenty, forever is not
STALE_CLAIM = 20.0  # seconds after which a claimed, never acknowledged event may be taken over; Slack
# retries after about a minute, and a live host acknowledges within its 3 seconds
PURGE_EVERY = 500  # writes between deletions of expired rows


EventState = Literal["new", "busy", "done"]


class ArticleRow(NamedTuple):
    """One article of the shelf as the shared state lists it."""

    name: str
    digest: str
    size: int
    host: str


class Unanswered(NamedTuple):
    """An event acknowledged to Slack whose answer was never posted: the process owning it died."""

    event_id: str
    at: float
    body: str
    owner: str


class SharedState(FeedRows, ABC):
    """Answered events, usage and feedback, the article list, followed feeds (FeedRows), the build lock,
    migrations."""

    backend: str = ""
    placeholder = "?"

    def __init__(self, keep_days: int) -> None:
        self._keep = keep_days * DAY_SECONDS
        self._writes = 0

    # -- what each backend provides ------------------------------------------------------------

    @abstractmethod
    def _execute(self, sql: str, params: Sequence[Any] = ()) -> int:
        """Run one statement; the number of rows it changed."""

    @abstractmethod
    def _fetch(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Run one query; its rows."""

    @abstractmethod
    def _apply(self, version: int, name: str, script: str) -> bool:
        """Apply one migration unless it is recorded already; whether it was applied now."""

    @abstractmethod
    def build_lock(self) -> AbstractContextManager[None]:
        """Held while an index is built, by one process on any host (file locks already cover one
        machine's processes)."""

    @abstractmethod
    def close(self) -> None:
        """Release connections."""

    def _sql(self, sql: str) -> str:
        return sql if self.placeholder == "?" else sql.replace("?", self.placeholder)

    # -- migrations ------------------------------------------------------------------------------

    def migrate(self) -> list[str]:
        """Apply the migrations not applied yet, in order; their names."""
        applied = []
        for version, name, script in migrations(self.backend):
            if self._apply(version, name, script):
                applied.append(name)
        return applied

    def schema_version(self) -> int:
        """The newest migration applied (0 for none)."""
        try:
            rows = self._fetch("SELECT MAX(version) FROM schema_migrations")
        except StateUnavailable:
            return 0
        return int(rows[0][0] or 0) if rows else 0

    def check(self) -> list[str]:
        """What is wrong with the store, in lines for people (none when all is well)."""
        problems = []
        newest = max((v for v, _, _ in migrations(self.backend)), default=0)
        version = self.schema_version()
        if version < newest:
            problems.append(
                f"schema version {version}, this Citebot needs {newest}: run `python -m bot state migrate`"
            )
        return problems

    # -- answered events -------------------------------------------------------------------------

    def claim_event(self, event_id: str, body: str | None = None, owner: str | None = None) -> EventState:
        """Claim `event_id` for this process: "new" if it is ours to answer (no process on any host
        claimed it, or its claim went stale unacknowledged), "done" if it was acknowledged, "busy" if
        another process holds a fresh claim. Atomic across processes and hosts. `body` (the event as
        JSON) and `owner` (this process) are kept until it is answered, so that an event acknowledged
        and then lost with its process can be answered after a restart."""
        now = time.time()
        inserted = self._execute(
            self._sql(
                "INSERT INTO seen (event_id, at, done, body, owner, answered) VALUES (?, ?, 0, ?, ?, 0) "
                "ON CONFLICT DO NOTHING"
            ),
            (event_id, now, body, owner),
        )
        self._wrote()
        if inserted == 1:
            return "new"
        taken = self._execute(
            self._sql(
                "UPDATE seen SET at = ?, body = ?, owner = ? WHERE event_id = ? AND done = 0 AND at < ?"
            ),
            (now, body, owner, event_id, now - STALE_CLAIM),
        )
        return "new" if taken == 1 else self.event_state(event_id)

    def event_state(self, event_id: str) -> EventState:
        """ "done" once a claim on `event_id` was acknowledged, "busy" while it is not, "new" if unclaimed."""
        rows = self._fetch(self._sql("SELECT done FROM seen WHERE event_id = ?"), (event_id,))
        if not rows:
            return "new"
        return "done" if rows[0][0] else "busy"

    def finish_event(self, event_id: str, *, answered: bool = False) -> None:
        """The event this process claimed was acknowledged: no retry of it is answered again.
        `answered`: nothing more is to be done for it (no answer to post, or posted already)."""
        if answered:
            self._execute(
                self._sql("UPDATE seen SET done = 1, answered = 1, body = NULL WHERE event_id = ?"),
                (event_id,),
            )
        else:
            self._execute(self._sql("UPDATE seen SET done = 1 WHERE event_id = ?"), (event_id,))

    def answered_event(self, event_id: str) -> None:
        """The answer to an acknowledged event was posted (or could not be, for good)."""
        self._execute(self._sql("UPDATE seen SET answered = 1, body = NULL WHERE event_id = ?"), (event_id,))

    def unanswered_events(self, since: float) -> list[Unanswered]:
        """Events acknowledged since `since` whose answer was never posted, oldest first."""
        rows = self._fetch(
            self._sql(
                "SELECT event_id, at, body, owner FROM seen WHERE done = 1 AND answered = 0 AND at >= ? "
                "AND body IS NOT NULL ORDER BY at"
            ),
            (since,),
        )
        return [Unanswered(str(r[0]), float(r[1]), str(r[2]), str(r[3] or "")) for r in rows]

    def take_unanswered(self, event_id: str, owner: str, new_owner: str) -> bool:
        """Make this process the owner of an unanswered event still owned by `owner`; True if it did
        (another process restarting at the same moment takes it or not, never both)."""
        taken = self._execute(
            self._sql(
                "UPDATE seen SET owner = ? WHERE event_id = ? AND answered = 0 AND COALESCE(owner, '') = ?"
            ),
            (new_owner, event_id, owner),
        )
        return taken == 1

    def first_time(self, event_id: str) -> bool:
        """Claim and finish `event_id` at once; True if it was not claimed before."""
        if self.claim_event(event_id) != "new":
            return False
        self.finish_event(event_id, answered=True)
        return True

    # -- usage and feedback ----------------------------------------------------------------------

    def record_answer(self, record: AnswerRecord) -> None:
        """Keep one answer's record."""
        self._execute(
            self._sql(
                "INSERT INTO answers (id, at, surface, command, found, question, cited) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
            ),
            (
                record.id,
                record.at,
                record.surface,
                record.command,
                int(record.found),
                record.question,
                _cited_json(record.cited),
            ),
        )
        self._wrote()

    def answer(self, answer_id: str) -> AnswerRecord | None:
        """The record of one answer, unless retention has deleted it."""
        rows = self._fetch(
            self._sql("SELECT id, at, surface, command, found, question, cited FROM answers WHERE id = ?"),
            (answer_id,),
        )
        if not rows:
            return None
        row = rows[0]
        return AnswerRecord(
            id=row[0],
            at=row[1],
            surface=row[2],
            command=row[3],
            found=bool(row[4]),
            question=row[5],
            cited=_cited(row[6]),
        )

    def record_feedback(self, record: FeedbackRecord) -> None:
        """Keep a click; the same person's earlier click on the same answer is replaced."""
        self._execute(
            self._sql(
                "INSERT INTO feedback (answer_id, user_id, at, surface, command, question, cited, positive) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (answer_id, user_id) DO UPDATE SET "
                "at = excluded.at, positive = excluded.positive, surface = excluded.surface, "
                "command = excluded.command, question = excluded.question, cited = excluded.cited"
            ),
            (
                record.answer_id,
                record.user,
                record.at,
                record.surface,
                record.command,
                record.question,
                _cited_json(record.cited),
                int(record.positive),
            ),
        )
        self._wrote()

    def report(self, days: int, *, now: float | None = None) -> Report:
        """Usage over the last `days` days."""
        now = time.time() if now is None else now
        since = now - days * DAY_SECONDS
        answers = self._fetch(
            self._sql("SELECT surface, command, found, question FROM answers WHERE at >= ?"), (since,)
        )
        clicks = self._fetch(
            self._sql(
                "SELECT answer_id, user_id, at, surface, command, question, cited, positive FROM feedback "
                "WHERE at >= ? ORDER BY at DESC"
            ),
            (since,),
        )
        feedback = [
            FeedbackRecord(
                answer_id=row[0],
                user=row[1],
                at=row[2],
                surface=row[3],
                command=row[4],
                question=row[5],
                cited=_cited(row[6]),
                positive=bool(row[7]),
            )
            for row in clicks
        ]
        return summarise([(r[0], r[1], bool(r[2]), r[3]) for r in answers], feedback, days, since)

    def most_asked(self, days: int, limit: int = 5) -> list[Asked]:
        """The questions asked most often in the last `days` days (only those whose text was kept)."""
        rows = self._fetch(
            self._sql(
                "SELECT question, COUNT(*) AS n FROM answers WHERE at >= ? AND question IS NOT NULL "
                "GROUP BY question ORDER BY n DESC, question LIMIT ?"
            ),
            (time.time() - days * DAY_SECONDS, limit),
        )
        return [Asked(question=q, count=int(n)) for q, n in rows]

    def purge(self, now: float | None = None) -> None:
        """Delete usage records older than HISTORY_DAYS and answered events older than a day."""
        now = time.time() if now is None else now
        self._execute(self._sql("DELETE FROM answers WHERE at < ?"), (now - self._keep,))
        self._execute(self._sql("DELETE FROM feedback WHERE at < ?"), (now - self._keep,))
        self._execute(self._sql("DELETE FROM seen WHERE at < ?"), (now - EVENT_TTL,))
        # An extraction not written for that long is extracted again if its page is read again.
        self._execute(self._sql("DELETE FROM extractions WHERE at < ?"), (now - self._keep,))

    # -- the extraction cache -------------------------------------------------------------------

    def extraction(self, key: str) -> str | None:
        """What was extracted from a page or PDF (a JSON record), by its key; None if not kept."""
        rows = self._fetch(self._sql("SELECT record FROM extractions WHERE key = ?"), (key,))
        return str(rows[0][0]) if rows else None

    def keep_extraction(self, key: str, record: str) -> None:
        """Keep an extraction record for every host."""
        self._execute(
            self._sql(
                "INSERT INTO extractions (key, record, at) VALUES (?, ?, ?) "
                "ON CONFLICT (key) DO UPDATE SET record = excluded.record, at = excluded.at"
            ),
            (key, record, time.time()),
        )
        self._wrote()

    # -- the shelf's article list ----------------------------------------------------------------

    def record_articles(self, files: Sequence[tuple[str, str, int]], host: str) -> None:
        """The shelf is these (name, content hash, size): rows for other articles are removed."""
        now = time.time()
        for name, digest, size in files:
            self._execute(
                self._sql(
                    "INSERT INTO articles (name, digest, size, host, at) VALUES (?, ?, ?, ?, ?) "
                    "ON CONFLICT (name) DO UPDATE SET digest = excluded.digest, size = excluded.size, "
                    "host = excluded.host, at = excluded.at WHERE articles.digest <> excluded.digest"
                ),
                (name, digest, size, host, now),
            )
        listed = {name for name, _, _ in files}
        for (name,) in self._fetch("SELECT name FROM articles"):
            if name not in listed:
                self._execute(self._sql("DELETE FROM articles WHERE name = ?"), (name,))

    def articles(self) -> list[ArticleRow]:
        """The shelf's articles as last recorded, by name."""
        rows = self._fetch("SELECT name, digest, size, host FROM articles ORDER BY name")
        return [ArticleRow(str(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]

    def _wrote(self) -> None:
        self._writes += 1
        if self._writes % PURGE_EVERY == 0:
            self.purge()


def migrations(backend: str) -> Iterator[tuple[int, str, str]]:
    """(version, name, SQL) of the backend's migration files, oldest first."""
    folder = resources.files("bot.shared").joinpath("sql", backend)
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".sql")), key=lambda f: f.name)
    for file in files:
        number, _, _ = file.name.partition("_")
        yield int(number), file.name.removesuffix(".sql"), file.read_text(encoding="utf-8")


def _cited_json(cited: Sequence[Cited]) -> str:
    return json.dumps([c.model_dump() for c in cited])


def _cited(text: object) -> list[Cited]:
    try:
        return [Cited.model_validate(item) for item in json.loads(str(text))]
    except (ValueError, TypeError):
        return []
