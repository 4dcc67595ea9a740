"""What the team asked and what it thought of the answers: usage and feedback records, and the report.

Every answer Citebot gives is recorded (when, where, which command, whether the shelf had an answer,
which articles and paragraphs it cited); a click on an answer's feedback buttons is recorded against
it, one per person and answer (a second click replaces the first). The question's text is kept only
when LOG_QUERIES is on; otherwise the records hold counts and citations, never what was typed.
Records older than HISTORY_DAYS are deleted.

The records live in the SQLite file the server's workers already share (EVENTS_DB), so that a click
handled by one worker finds the answer another gave. Plain `sqlite3` because the queries are a handful
of lines and the standard library is all a default install needs.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from pydantic import BaseModel, Field

DAY_SECONDS = 86_400
PURGE_EVERY = 200  # writes between deletions of records older than the retention limit
TOP_QUESTIONS = 10

_SCHEMA = """
CREATE TABLE IF NOT EXISTS answers (
    id TEXT PRIMARY KEY,
    at REAL NOT NULL,
    surface TEXT NOT NULL,
    command TEXT NOT NULL,
    found INTEGER NOT NULL,
    question TEXT,
    cited TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS answers_at ON answers (at);
CREATE TABLE IF NOT EXISTS feedback (
    answer_id TEXT NOT NULL,
    user TEXT NOT NULL,
    at REAL NOT NULL,
    surface TEXT NOT NULL,
    command TEXT NOT NULL,
    question TEXT,
    cited TEXT NOT NULL,
    positive INTEGER NOT NULL,
    PRIMARY KEY (answer_id, user)
);
CREATE INDEX IF NOT EXISTS feedback_at ON feedback (at);
"""


class Cited(BaseModel):
    """One quote's source: the article and its paragraph."""

    doc_id: str
    paragraph: int


class AnswerRecord(BaseModel):
    """One answer given: where, which command, whether it found something, what it cited."""

    id: str
    at: float
    surface: str
    command: str
    found: bool
    question: str | None = Field(default=None, description="Only with LOG_QUERIES=true.")
    cited: list[Cited] = Field(default_factory=list)


class FeedbackRecord(BaseModel):
    """A click on an answer's feedback buttons."""

    answer_id: str
    user: str
    at: float
    surface: str
    command: str
    positive: bool
    question: str | None = Field(default=None, description="Only with LOG_QUERIES=true.")
    cited: list[Cited] = Field(default_factory=list)


class Count(BaseModel):
    asked: int = 0
    found: int = 0

    @property
    def found_rate(self) -> float | None:
        return round(self.found / self.asked, 3) if self.asked else None


class Votes(BaseModel):
    positive: int = 0
    negative: int = 0


class Asked(BaseModel):
    question: str
    count: int


class Report(BaseModel):
    """Usage over the last `days` days: `python -m bot report`."""

    days: int
    since: str
    questions: int
    found: int
    found_rate: float | None
    by_surface: dict[str, Count]
    by_command: dict[str, Count]
    feedback: dict[str, Votes] = Field(description="Per command.")
    questions_stored: bool = Field(description="Whether question texts were recorded (LOG_QUERIES).")
    most_asked: list[Asked]
    not_found: list[Asked] = Field(description="The questions most often answered 'not found'.")
    recent_feedback: list[FeedbackRecord]


def new_answer_id() -> str:
    """An id for an answer, carried by its feedback buttons."""
    return uuid.uuid4().hex[:16]


class UsageLog:
    """Answer and feedback records in an SQLite file shared by the server's processes."""

    def __init__(self, path: Path | str, *, keep_days: int = 90) -> None:
        self._keep = keep_days * DAY_SECONDS
        self._lock = threading.Lock()
        self._writes = 0
        if isinstance(path, Path):
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(path, timeout=10.0, isolation_level=None, check_same_thread=False)
        if path != ":memory:":
            self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)
        self.purge()

    @classmethod
    def in_memory(cls, *, keep_days: int = 90) -> UsageLog:
        """Records for this process only (when the shared file cannot be opened)."""
        return cls(":memory:", keep_days=keep_days)

    def close(self) -> None:
        self._db.close()

    def record_answer(self, record: AnswerRecord) -> None:
        """Keep one answer's record."""
        cited = json.dumps([c.model_dump() for c in record.cited])
        with self._writing() as db:
            db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    record.id,
                    record.at,
                    record.surface,
                    record.command,
                    int(record.found),
                    record.question,
                    cited,
                ),
            )

    def answer(self, answer_id: str) -> AnswerRecord | None:
        """The record of one answer, unless retention has deleted it."""
        with self._lock:
            row = self._db.execute("SELECT * FROM answers WHERE id = ?", (answer_id,)).fetchone()
        if row is None:
            return None
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
        cited = json.dumps([c.model_dump() for c in record.cited])
        with self._writing() as db:
            db.execute(
                "INSERT OR REPLACE INTO feedback VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    record.answer_id,
                    record.user,
                    record.at,
                    record.surface,
                    record.command,
                    record.question,
                    cited,
                    int(record.positive),
                ),
            )

    def purge(self, now: float | None = None) -> None:
        """Delete records older than the retention limit (HISTORY_DAYS)."""
        cutoff = (time.time() if now is None else now) - self._keep
        with self._lock:
            self._db.execute("DELETE FROM answers WHERE at < ?", (cutoff,))
            self._db.execute("DELETE FROM feedback WHERE at < ?", (cutoff,))

    def report(self, days: int, *, now: float | None = None) -> Report:
        """Usage over the last `days` days."""
        now = time.time() if now is None else now
        since = now - days * DAY_SECONDS
        with self._lock:
            answers = self._db.execute(
                "SELECT surface, command, found, question FROM answers WHERE at >= ?", (since,)
            ).fetchall()
            clicks = self._db.execute(
                "SELECT * FROM feedback WHERE at >= ? ORDER BY at DESC", (since,)
            ).fetchall()
        by_surface: dict[str, Count] = {}
        by_command: dict[str, Count] = {}
        asked: dict[str, int] = {}
        missed: dict[str, int] = {}
        for surface, command, found, question in answers:
            for table, key in ((by_surface, surface), (by_command, command)):
                count = table.setdefault(key, Count())
                count.asked += 1
                count.found += found
            if question:
                asked[question] = asked.get(question, 0) + 1
                if not found:
                    missed[question] = missed.get(question, 0) + 1
        votes: dict[str, Votes] = {}
        for row in clicks:
            vote = votes.setdefault(row[4], Votes())
            if row[7]:
                vote.positive += 1
            else:
                vote.negative += 1
        total = Count(asked=len(answers), found=sum(row[2] for row in answers))
        return Report(
            days=days,
            since=datetime.fromtimestamp(since, UTC).isoformat(timespec="seconds"),
            questions=total.asked,
            found=total.found,
            found_rate=total.found_rate,
            by_surface=dict(sorted(by_surface.items())),
            by_command=dict(sorted(by_command.items())),
            feedback=dict(sorted(votes.items())),
            questions_stored=any(row[3] for row in answers),
            most_asked=_top(asked),
            not_found=_top(missed),
            recent_feedback=[_feedback(row) for row in clicks[:50]],
        )

    def most_asked(self, days: int, limit: int = 5) -> list[Asked]:
        """The questions asked most often in the last `days` days (only those whose text was kept)."""
        since = time.time() - days * DAY_SECONDS
        with self._lock:
            rows = self._db.execute(
                "SELECT question, COUNT(*) AS n FROM answers WHERE at >= ? AND question IS NOT NULL "
                "GROUP BY question ORDER BY n DESC, question LIMIT ?",
                (since, limit),
            ).fetchall()
        return [Asked(question=q, count=n) for q, n in rows]

    @contextmanager
    def _writing(self) -> Iterator[sqlite3.Connection]:
        with self._lock:
            yield self._db
            self._writes += 1
            due = self._writes % PURGE_EVERY == 0
        if due:
            self.purge()


def _cited(text: str) -> list[Cited]:
    try:
        return [Cited.model_validate(item) for item in json.loads(text)]
    except (ValueError, TypeError):
        return []


def _feedback(row: Sequence[object]) -> FeedbackRecord:
    return FeedbackRecord(
        answer_id=str(row[0]),
        user=str(row[1]),
        at=float(row[2]),  # type: ignore[arg-type]
        surface=str(row[3]),
        command=str(row[4]),
        question=row[5] if isinstance(row[5], str) else None,
        cited=_cited(str(row[6])),
        positive=bool(row[7]),
    )


def _top(counts: dict[str, int]) -> list[Asked]:
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_QUESTIONS]
    return [Asked(question=q, count=n) for q, n in ranked]


def report_text(report: Report) -> str:
    """The report for people."""
    lines = [f"Citebot usage, last {report.days} days (since {report.since})"]
    rate = f"{report.found_rate:.0%}" if report.found_rate is not None else "-"
    lines.append(f"Questions: {report.questions}, answered from the shelf: {report.found} ({rate})")
    for title, table in (("By surface", report.by_surface), ("By command", report.by_command)):
        lines.append(f"{title}:")
        for key, count in table.items():
            share = f"{count.found_rate:.0%}" if count.found_rate is not None else "-"
            lines.append(f"  {key}: {count.asked} asked, {count.found} found ({share})")
        if not table:
            lines.append("  (none)")
    lines.append("Feedback per command:")
    for command, votes in report.feedback.items():
        lines.append(f"  {command}: {votes.positive} positive, {votes.negative} negative")
    if not report.feedback:
        lines.append("  (none)")
    if not report.questions_stored:
        lines.append("Question texts are not stored (set LOG_QUERIES=true to see which questions are asked).")
    else:
        for title, asked in (("Most asked", report.most_asked), ("Most often not found", report.not_found)):
            lines.append(f"{title}:")
            lines.extend(f"  {a.count} × {a.question}" for a in asked)
            if not asked:
                lines.append("  (none)")
    return "\n".join(lines)
