"""Answer a question from the index: route it, retrieve, attribute, and choose verbatim quotes.

Every quote is a slice of its article's text (or whole clauses of one, joined by " … "), and every
answer says `found: false` rather than offering the least bad passage for a question the articles
do not answer.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from bot.index import SearchIndex
from bot.passages import Passage
from bot.quotes import Statement, speaks_for_passage
from bot.text import fold, tokenize, tokenize_query
from bot.topics import TOPICS, Topic

Command = Literal["whosaid", "troops", "russia-position", "ask", "help"]

MAX_QUERY_CHARS = 1000
MIN_COVERAGE = 0.5  # share of the question's idf weight that a passage must contain
RELATIVE_FLOOR = 0.35  # a further quote must score at least this share of the best one
CLOSE_CALL = 0.85  # scores this close count as equally good, so a new article is preferred
MAX_QUOTE_CHARS = 400  # longer sentences are cut to the clauses that matter
CANDIDATES = 40
SIDE_BOOST = 0.4  # in /russia-position, a statement by Moscow's side outranks talk about it

_COMMAND_NAMES: dict[str, Command] = {
    "whosaid": "whosaid",
    "who-said": "whosaid",
    "who_said": "whosaid",
    "troops": "troops",
    "russia-position": "russia-position",
    "russia_position": "russia-position",
    "russia": "russia-position",
    "ask": "ask",
    "help": "help",
}
_SLASH = re.compile(r"^/(?P<name>[\w-]+)(?:\s+(?P<arg>.*))?$", re.S)
_WHO_SAID = re.compile(
    r"^(?:and\s+)?(?:who|which\s+\w+)\s+(?:(?:has|had|have|once)\s+)?"
    r"(?:said|says|say|stated|states|claimed|claims|remarked|wrote|writes|warned|warns|argued|argues|"
    r"insisted|insists|told|tells|called\s+for|is\s+quoted\s+(?:as\s+)?saying|was\s+quoted\s+(?:as\s+)?saying)"
    r"\b[\s:,]*(?:that\s+|this\s*:?\s*)?(?P<arg>.*)$",
    re.IGNORECASE | re.S,
)
_RUSSIA_SIDE = re.compile(r"\b(?:russia|russian|russians|moscow|kremlin|putin|lavrov|peskov)\b")
_STANCE = re.compile(
    r"\b(?:position|positions|stance|view|views|think|thinks|want|wants|demand|demands|accept|accepts|"
    r"oppose|opposes|reject|rejects|object|objects|say|says|said|state|stated|insist|insists|condition|"
    r"conditions|red lines?|agree|agrees|react|respond|response|tolerate|allow|veto|refuse|refuses|"
    r"refusal|stand|stands|feel|feels|consider|considers|see|sees|regard|regards|willing|ready|open|"
    r"ask|asks|asking|require|requires|expect|expects)\b"
)
_TROOP_WORDS = re.compile(
    r"\b(?:troops?|peacekeep\w*|soldiers?|forces?|deploy\w*|contingent|boots on the ground|backstop|"
    r"coalition of the willing|tripwire|brigades?|battalions?)\b"
    # What the US would give is the force's backstop.
    r"|\b(?:us|u\.s\.?|usa|united states|america|american|washington)\b.{0,40}\b(?:contribut\w*|provide\w*|offer\w*|"
    r"support\w*|commit\w*|guarantee\w*|role|help)\b"
)
_HELP_WORDS = frozenset({"help", "?", "commands", "usage", "hi", "hello", "hey"})


class Citation(BaseModel):
    """Where a quote comes from."""

    doc_id: str
    title: str | None
    outlet: str | None
    author: str | None
    paragraph: int
    date: str | None = None
    url: str | None = None


class Quote(BaseModel):
    """One verbatim quote with its speaker (when the text names one) and citation."""

    quote: str
    speaker: str | None
    speaker_kind: str | None = Field(default=None, description="person, group, outlet, author or article.")
    citation: Citation
    score: float
    facet: str | None = Field(default=None, description="The topic facet this quote answers, in overviews.")
    spans: list[tuple[int, int]] = Field(description="Offsets of the quoted pieces in the article text.")


class Answer(BaseModel):
    """What a command answers: the quotes, or why there are none."""

    command: Command
    query: str
    found: bool
    answers: list[Quote]
    message: str | None = Field(default=None, description="Why nothing was found, usage, or help.")
    routed_from: Command | None = Field(default=None, description="Set when free text was routed.")


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed question: which command, its argument, and whether free text was routed to it."""

    command: Command
    argument: str
    routed: bool = False
    unknown: str | None = None


@dataclass(frozen=True, slots=True)
class _Ranked:
    pid: int
    score: float


def clean_input(text: str) -> str:
    """Question text with control characters removed and white space collapsed."""
    printable = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(printable.split())


def parse(text: str) -> Request:
    """Which command a line of text asks for, as a user types it in Slack."""
    text = clean_input(text)
    slash = _SLASH.match(text)
    if slash is not None:
        name = slash["name"].lower()
        argument = (slash["arg"] or "").strip()
        command = _COMMAND_NAMES.get(name)
        if command is None:
            return Request("help", argument, unknown=f"/{name}")
        if argument.lower() in {"help", "-h", "--help", "?"}:
            return Request("help", command)
        if command == "ask" and argument:
            return route(argument)
        return Request(command, argument)
    if text.lower().strip(" !.") in _HELP_WORDS:
        return Request("help", "")
    return route(text)


def route(text: str) -> Request:
    """Send free text to the command it plainly asks for; anything else is /ask."""
    who_said = _WHO_SAID.match(text)
    if who_said is not None and who_said["arg"].strip(" ?\"'“”"):
        return Request("whosaid", _strip_quotes(who_said["arg"]), routed=True)
    folded = fold(text)
    russia = _RUSSIA_SIDE.search(folded)
    stance = _STANCE.search(folded, russia.end()) if russia else None
    if russia is not None and stance is not None:
        return Request("russia-position", text, routed=True)
    if _TROOP_WORDS.search(folded):
        return Request("troops", text, routed=True)
    return Request("ask", text)


def answer(text: str, index: SearchIndex, *, max_quotes: int = 3) -> Answer:
    """Answer one line of user text (a slash command or free text)."""
    request = parse(text)
    handlers: dict[Command, Callable[[str, SearchIndex, int], Answer]] = {
        "whosaid": whosaid,
        "troops": troops,
        "russia-position": russia_position,
        "ask": ask,
        "help": lambda arg, _index, _k: help_answer(arg),
    }
    if request.unknown is not None:
        result = help_answer("", unknown=request.unknown)
    elif len(request.argument) > MAX_QUERY_CHARS:
        result = _too_long(request)
    else:
        result = handlers[request.command](request.argument, index, max_quotes)
    if request.routed:
        result = result.model_copy(update={"routed_from": "ask"})
    return result


def ask(question: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/ask: the passages that best answer a free question."""
    if not question:
        return _usage("ask")
    terms = tokenize_query(question)
    problem = _query_problem(question, terms, index)
    if problem is not None:
        return _not_found("ask", question, problem)
    scores = index.scores(terms)
    ranked = [_Ranked(i, float(scores[i])) for i in index.top(scores, CANDIDATES)]
    ranked = [r for r in ranked if _coverage(index, r.pid, terms) >= MIN_COVERAGE]
    if not ranked:
        return _not_found("ask", question, _NOTHING_FOUND)
    chosen = _choose(index, ranked, max_quotes)
    return _found("ask", question, [_quote(index, r, terms) for r in chosen])


def troops(question: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/troops: the planned force: size, countries, roles, conditions, the US backstop."""
    return _topic_answer(TOPICS["troops"], question, index, max_quotes)


def russia_position(question: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/russia-position: Moscow's stated positions on troops, NATO, neutrality, territory, talks."""
    return _topic_answer(TOPICS["russia-position"], question, index, max_quotes)


def whosaid(phrase: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/whosaid: the sentence that best matches a phrase, and the speaker it names."""
    if not phrase:
        return _usage("whosaid")
    phrase = _strip_quotes(phrase)
    terms = tokenize_query(phrase)
    problem = _query_problem(phrase, terms, index)
    if problem is not None:
        return _not_found("whosaid", phrase, problem)
    scores = index.scores(terms)
    ranked = [_Ranked(i, float(scores[i])) for i in index.top(scores, CANDIDATES)]
    ranked = [r for r in ranked if _coverage(index, r.pid, terms) >= MIN_COVERAGE]
    if not ranked:
        return _not_found("whosaid", phrase, "No article says anything close to that phrase.")
    chosen = _choose(index, ranked, max_quotes)
    quotes = [_quote(index, r, terms, statement=_closest_statement(index, r.pid, terms)) for r in chosen]
    return _found("whosaid", phrase, quotes)


HELP_TEXT = """\
I answer from the team's articles with exact quotes, each with its source.
• /whosaid <phrase or person>: who said it, word for word, and where. Example: /whosaid a long shot
• /troops [question]: the planned European force: size, countries, roles, conditions, the US backstop. \
Example: /troops which countries would send troops?
• /russia-position [question]: what Moscow has said about Western troops, NATO, neutrality, territory \
and talks. Example: /russia-position NATO
• /ask <question>: anything else the articles cover. Example: /ask what would the US contribute?
You can also message me directly or mention me in a channel; I'll pick the right command."""

_USAGE = {
    "whosaid": "Give me a phrase or a name, e.g. `/whosaid a long shot` or `/whosaid Macron`.",
    "ask": "Ask me a question, e.g. `/ask what would the US contribute?`",
}
_NOTHING_FOUND = "The articles don't answer that. Try other words, or /troops or /russia-position."


def help_answer(topic: str = "", *, unknown: str | None = None) -> Answer:
    """help: what each command does, with an example."""
    message = HELP_TEXT if unknown is None else f"I don't know the command {unknown}.\n{HELP_TEXT}"
    return Answer(command="help", query=topic, found=True, answers=[], message=message)


def _topic_answer(topic: Topic, question: str, index: SearchIndex, max_quotes: int) -> Answer:
    command: Command = "troops" if topic.command == "troops" else "russia-position"
    context = _normalised(index, tokenize(topic.context))
    if not question:
        return _overview(command, topic, index, context)
    facets = [f for f in topic.facets if f.triggers.search(question)]
    framing = set(tokenize(topic.question_words))
    terms = tokenize_query(question)
    content = [t for t in terms if t not in framing]
    if not content and not facets:
        return _overview(command, topic, index, context)
    vocabulary = set(tokenize(topic.context)).union(*(tokenize(f.description) for f in topic.facets))
    specific = [t for t in content if t not in vocabulary]
    generic = [t for t in content if t in vocabulary]
    if specific:
        problem = _query_problem(question, specific, index)
        if problem is not None:
            return _not_found(command, question, problem)
    # The question's own words weigh most; words the topic always uses, less; the facet asked about
    # and the topic itself break ties towards what the command is for.
    scores = _normalised(index, specific) + 0.4 * _normalised(index, generic) + 0.3 * context
    for facet in facets:
        scores = scores + (0.8 / len(facets)) * _normalised(index, tokenize(facet.description))
    ranked = _on_side(topic, index, scores)
    if specific or not facets:
        ranked = [r for r in ranked if _coverage(index, r.pid, content) >= MIN_COVERAGE]
    if not ranked:
        return _not_found(command, question, _NOTHING_FOUND)
    chosen = _choose(index, ranked, max_quotes)
    return _found(command, question, [_quote(index, r, terms) for r in chosen])


def _overview(command: Command, topic: Topic, index: SearchIndex, context: np.ndarray) -> Answer:
    """One quote per facet, each from the best passage not already used."""
    quotes: list[Quote] = []
    used: set[int] = set()
    for facet in topic.facets:
        terms = tokenize(facet.description)
        scores = _normalised(index, terms) + 0.3 * context
        ranked = [r for r in _on_side(topic, index, scores) if r.pid not in used]
        if not ranked:
            continue
        used_docs = {index.passages[i].doc_id for i in used}
        contenders = [r for r in ranked if r.score >= CLOSE_CALL * ranked[0].score]
        pick = next((r for r in contenders if index.passages[r.pid].doc_id not in used_docs), ranked[0])
        used.add(pick.pid)
        quotes.append(_quote(index, pick, terms).model_copy(update={"facet": facet.label}))
    if not quotes:
        return _not_found(command, "", "The articles say nothing about this yet.")
    return _found(command, "", quotes)


def _on_side(topic: Topic, index: SearchIndex, scores: np.ndarray) -> list[_Ranked]:
    """Top candidates; for a topic with a side, only passages about it, its own statements first."""
    top = index.top(scores, CANDIDATES * 3 if topic.side else CANDIDATES)
    if not topic.side:
        return [_Ranked(i, float(scores[i])) for i in top]
    side = set(tokenize(topic.side))
    stated = [_Ranked(i, float(scores[i]) + SIDE_BOOST) for i in top if side & index.speaker_terms(i)]
    if stated:
        return stated[:CANDIDATES]
    # Nothing the side said itself: fall back to passages that at least speak of it.
    return [_Ranked(i, float(scores[i])) for i in top if side & set(index.terms(i))][:CANDIDATES]


def _normalised(index: SearchIndex, terms: Sequence[str]) -> np.ndarray:
    scores = index.scores(terms)
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


def _query_problem(text: str, terms: Sequence[str], index: SearchIndex) -> str | None:
    """Why a question cannot be searched, if it cannot."""
    if not any(ch.isalnum() for ch in text):
        return "That has no words I can search for."
    if not terms:
        return "That is too general for me: add the words that matter (a name, a place, a topic)."
    if sum(index.idf(t) for t in set(terms)) <= 0:
        return "Those words are in nearly every article; add something more specific."
    return None


def _coverage(index: SearchIndex, pid: int, terms: Sequence[str]) -> float:
    """Share of the question's idf weight found in passage `pid`."""
    unique = set(terms)
    total = sum(index.idf(t) for t in unique)
    if total <= 0:
        return 0.0
    return sum(index.idf(t) for t in index.matched(pid, unique)) / total


def _choose(index: SearchIndex, ranked: list[_Ranked], k: int) -> list[_Ranked]:
    """Up to k quotes, best first, no two making the same point; a new article wins a close call."""
    if not ranked:
        return []
    pool = [r for r in ranked if r.score >= RELATIVE_FLOOR * ranked[0].score]
    chosen: list[_Ranked] = []
    while pool and len(chosen) < k:
        docs = {index.passages[r.pid].doc_id for r in chosen}
        contenders = [r for r in pool if r.score >= CLOSE_CALL * pool[0].score]
        pick = next((r for r in contenders if index.passages[r.pid].doc_id not in docs), pool[0])
        chosen.append(pick)
        pool = [r for r in pool if r is not pick and not _same_point(index, r.pid, pick.pid)]
    return chosen


def _same_point(index: SearchIndex, a: int, b: int) -> bool:
    if index.passages[a].text == index.passages[b].text:
        return True
    ta, tb = set(index.terms(a)), set(index.terms(b))
    return bool(ta and tb) and len(ta & tb) / len(ta | tb) >= 0.6


def _quote(
    index: SearchIndex, ranked: _Ranked, terms: Sequence[str], *, statement: Statement | None = None
) -> Quote:
    passage = index.passages[ranked.pid]
    article = index.articles[passage.doc_id]
    statement = statement or _primary_statement(index.statements[ranked.pid])
    whole = statement.span == (passage.start, passage.end)
    pieces = shorten(passage, terms) if whole else [statement.span]
    return Quote(
        quote=" … ".join(article.text[s:e] for s, e in pieces),
        speaker=statement.speaker.label,
        speaker_kind=statement.speaker.kind,
        citation=Citation(
            doc_id=article.doc_id,
            title=article.title,
            outlet=article.outlet,
            author=article.author,
            paragraph=passage.paragraph,
            date=article.date,
            url=article.url,
        ),
        score=round(ranked.score, 6),
        spans=pieces,
    )


def _primary_statement(statements: Sequence[Statement]) -> Statement:
    """The statement that speaks for a whole passage: its first attributed one, else the voice."""
    return next((s for s in statements if speaks_for_passage(s)), statements[0])


def _closest_statement(index: SearchIndex, pid: int, terms: Sequence[str]) -> Statement:
    """The statement of passage `pid` whose words best match `terms` (ties: the attributed one)."""
    article = index.articles[index.passages[pid].doc_id]
    wanted = set(terms)

    def overlap(statement: Statement) -> tuple[float, bool]:
        said = set(tokenize(article.text[statement.said[0] : statement.said[1]]))
        return (len(wanted & said) / (len(said) ** 0.5 or 1.0), statement.kind != "voice")

    return max(index.statements[pid], key=overlap)


_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s*[—–]\s*|\s+-\s+")


def shorten(passage: Passage, terms: Sequence[str], limit: int = MAX_QUOTE_CHARS) -> list[tuple[int, int]]:
    """Spans of the passage to quote: all of it, or for a long sentence its clauses that match."""
    if len(passage.text) <= limit:
        return [(passage.start, passage.end)]
    clauses = []
    start = 0
    for match in _CLAUSE_BREAK.finditer(passage.text):
        clauses.append((start, match.start()))
        start = match.end()
    clauses.append((start, len(passage.text)))
    wanted = set(terms)
    keep = [i for i, (s, e) in enumerate(clauses) if wanted & set(tokenize(passage.text[s:e]))]
    if not keep or len(keep) == len(clauses):
        return [(passage.start, passage.end)]
    pieces: list[tuple[int, int]] = []
    for i in keep:
        s, e = clauses[i]
        if pieces and i - 1 in keep:
            pieces[-1] = (pieces[-1][0], passage.start + e)
        else:
            pieces.append((passage.start + s, passage.start + e))
    return pieces


def _found(command: Command, query: str, quotes: list[Quote]) -> Answer:
    return Answer(command=command, query=query, found=bool(quotes), answers=quotes)


def _not_found(command: Command, query: str, message: str) -> Answer:
    return Answer(command=command, query=query, found=False, answers=[], message=message)


def _usage(command: Command) -> Answer:
    return Answer(command=command, query="", found=False, answers=[], message=_USAGE[command])


def _too_long(request: Request) -> Answer:
    message = (
        f"That's {len(request.argument):,} characters; I read up to {MAX_QUERY_CHARS:,}. "
        "Send a phrase or a short question."
    )
    return _not_found(request.command, request.argument[:100], message)


def _strip_quotes(text: str) -> str:
    return text.strip().strip("\"'“”‘’").strip().rstrip("?").strip().strip("\"'“”‘’").strip()
