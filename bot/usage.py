"""What the team asked and what it thought of the answers: usage and feedback records, and the report.

Every answer Citebot gives is recorded (when, where, which command, whether the shelf had an answer,
which articles and paragraphs it cited); a click on an answer's feedback buttons is recorded against
it, one per person and answer (a second click replaces the first). The question's text is kept only
when LOG_QUERIES is on; otherwise the records hold counts and citations, never what was typed.
Records older than HISTORY_DAYS are deleted. They are kept in the shared state (bot/shared/), so that
a click handled by one worker or host finds the answer another gave; this module is the records'
shape and the report made from them.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

from pydantic import BaseModel, Field

DAY_SECONDS = 86_400
TOP_QUESTIONS = 10
RECENT_FEEDBACK = 50


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


def summarise(
    answers: Sequence[tuple[str, str, bool, str | None]],
    feedback: Sequence[FeedbackRecord],
    days: int,
    since: float,
) -> Report:
    """The report from the answers given (surface, command, found, question) and the clicks kept, newest
    click first, since `since`."""
    by_surface: dict[str, Count] = {}
    by_command: dict[str, Count] = {}
    asked: dict[str, int] = {}
    missed: dict[str, int] = {}
    for surface, command, found, question in answers:
        for table, key in ((by_surface, surface), (by_command, command)):
            count = table.setdefault(key, Count())
            count.asked += 1
            count.found += int(found)
        if question:
            asked[question] = asked.get(question, 0) + 1
            if not found:
                missed[question] = missed.get(question, 0) + 1
    votes: dict[str, Votes] = {}
    for click in feedback:
        vote = votes.setdefault(click.command, Votes())
        if click.positive:
            vote.positive += 1
        else:
            vote.negative += 1
    total = Count(asked=len(answers), found=sum(int(row[2]) for row in answers))
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
        recent_feedback=list(feedback[:RECENT_FEEDBACK]),
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
