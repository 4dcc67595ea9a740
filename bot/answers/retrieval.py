"""What every command shares: ranking candidates, judging coverage, choosing and quoting passages."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.answers import rerank
from bot.answers.models import Answer, Citation, Command, Quote, Source
from bot.attribution import Statement, speaks_for_passage
from bot.corpus import ArticleInfo
from bot.index import SearchIndex
from bot.passages import Passage
from bot.text import PLAIN, Analyzer

MIN_COVERAGE = 0.5  # share of the question's idf weight that a passage must contain
RELATIVE_FLOOR = 0.35  # a further quote must score at least this share of the best one
EQUALLY_GOOD = 0.02  # scores this close are a tie, which the newer article wins
CLOSE_CALL = 0.85  # scores this close count as equally good, so a new article is preferred
MAX_QUOTE_CHARS = 400  # longer sentences are cut to the clauses that matter
CANDIDATES = 40
# /ask: a candidate sentence is scored with the share of the question found in it, its paragraph and its
# neighbours; it must hold some of the question and its paragraph most of it (QA development set).
PARAGRAPH_WEIGHT, SENTENCE_WEIGHT, WINDOW_WEIGHT = 2.0, 0.6, 0.6
MIN_SENTENCE_COVERAGE, MIN_PARAGRAPH_COVERAGE = 0.4, 0.55
# … and with the re-ranker: its paragraph must hold half the question's words, and the sentence or its
# paragraph be close to the question in meaning.
SIMILARITY_WEIGHT, PARAGRAPH_SIMILARITY_WEIGHT = 1.0, 2.0
MIN_PARAGRAPH_COVERAGE_WITH_MEANING, MIN_SIMILARITY = 0.5, 0.35
MEANING_REACH = 1  # sentences either side of a candidate that stand for its paragraph's meaning
NO_WORDS = "That has no words I can search for."
NOTHING_FOUND = "The articles don't answer that. Try other words, or type help to see what I can do."


@dataclass(frozen=True, slots=True)
class Ranked:
    """A candidate passage and its score for the question at hand."""

    pid: int
    score: float
    note: str | None = None


def normalised(index: SearchIndex, terms: Sequence[str]) -> np.ndarray:
    """BM25 scores for `terms`, scaled so the best passage scores 1."""
    scores = index.scores(terms)
    top = float(scores.max()) if scores.size else 0.0
    return scores / top if top > 0 else scores


def query_problem(text: str, terms: Sequence[str], index: SearchIndex) -> str | None:
    """Why a question cannot be searched, if it cannot."""
    if not any(ch.isalnum() for ch in text):
        return NO_WORDS
    if not terms:
        return "That is too general for me: add the words that matter (a name, a place, a topic)."
    if sum(index.idf(t) for t in set(terms)) <= 0:
        return "Those words are in nearly every article; add something more specific."
    return None


def coverage(index: SearchIndex, pid: int, terms: Sequence[str]) -> float:
    """Share of the question's idf weight found in passage `pid`."""
    unique = set(terms)
    total = sum(index.idf(t) for t in unique)
    if total <= 0:
        return 0.0
    return sum(index.idf(t) for t in index.matched(pid, unique)) / total


def in_context(index: SearchIndex, ranked: list[Ranked], terms: Sequence[str], question: str) -> list[Ranked]:
    """Candidates judged with their paragraph and neighbours, best first, those that cannot answer left out.

    A question is usually written from a paragraph and answered by one of its sentences, so a sentence
    whose paragraph holds most of the question's words (by idf) ranks up; closeness in meaning of the
    sentence and its paragraph to the question (rerank.py) ranks up too, and a candidate that is close
    neither in words nor in meaning is not an answer. Weights measured on the QA development set.
    """
    if not ranked:
        return []
    top = ranked[0].score or 1.0
    paragraphs = [index.paragraph_of(r.pid) for r in ranked]
    meaning = rerank.available()
    if meaning:
        # A paragraph's meaning is that of the sentences around the candidate (long ones are cut to these).
        nearby = [
            [p for p in paragraph if abs(p - r.pid) <= MEANING_REACH]
            for r, paragraph in zip(ranked, paragraphs, strict=True)
        ]
        pids = list(dict.fromkeys(p for group in nearby for p in group))
        vectors = dict(zip(pids, rerank.embed([index.passage_text(p) for p in pids]), strict=True))
        asked = rerank.embed([question])[0]
        close = rerank.similarity(asked, np.stack([vectors[r.pid] for r in ranked]))
        close_paragraph = rerank.similarity(
            asked, np.stack([np.mean([vectors[p] for p in group], axis=0) for group in nearby])
        )
    sentences = index.coverage_of_ranges([range(r.pid, r.pid + 1) for r in ranked], terms)
    in_paragraph = index.coverage_of_ranges(paragraphs, terms)
    windows = index.coverage_of_ranges([_window(index, r.pid) for r in ranked], terms)
    judged = []
    for number, r in enumerate(ranked):
        sentence, paragraph = float(sentences[number]), float(in_paragraph[number])
        if meaning:
            similar = max(close[number], close_paragraph[number]) >= MIN_SIMILARITY
            if paragraph < MIN_PARAGRAPH_COVERAGE_WITH_MEANING or not similar:
                continue
        elif sentence < MIN_SENTENCE_COVERAGE or paragraph < MIN_PARAGRAPH_COVERAGE:
            continue
        score = (
            r.score / top
            + PARAGRAPH_WEIGHT * paragraph
            + SENTENCE_WEIGHT * sentence
            + WINDOW_WEIGHT * float(windows[number])
        )
        if meaning:
            score += SIMILARITY_WEIGHT * close[number] + PARAGRAPH_SIMILARITY_WEIGHT * close_paragraph[number]
        judged.append(replace(r, score=float(score)))
    return sorted(judged, key=lambda r: (-r.score, index.order(r.pid)))


def _window(index: SearchIndex, pid: int) -> range:
    """The passage and its neighbours in the same article."""
    doc = index.doc_id(pid)
    start = pid - 1 if pid > 0 and index.doc_id(pid - 1) == doc else pid
    end = pid + 2 if pid + 1 < len(index) and index.doc_id(pid + 1) == doc else pid + 1
    return range(start, end)


def choose(index: SearchIndex, ranked: list[Ranked], k: int, *, spread: bool = True) -> list[Ranked]:
    """Up to k quotes, best first, no two making the same point; with `spread`, a new article wins a
    close call (an overview wants several sources; an answer wants the best sentences, wherever)."""
    if not ranked:
        return []
    pool = [r for r in ranked if r.score >= RELATIVE_FLOOR * ranked[0].score]
    terms = {r.pid: set(index.terms(r.pid)) for r in pool}
    chosen: list[Ranked] = []
    while pool and len(chosen) < k:
        docs = {index.doc_id(r.pid) for r in chosen}
        contenders = [r for r in pool if r.score >= CLOSE_CALL * pool[0].score]
        pick = (
            next((r for r in contenders if index.doc_id(r.pid) not in docs), pool[0]) if spread else pool[0]
        )
        pick = _newer_if_tied(index, pick, [r for r in contenders if index.doc_id(r.pid) not in docs])
        chosen.append(pick)
        pool = [r for r in pool if r is not pick and not _same_point(terms[r.pid], terms[pick.pid])]
    return chosen


def _newer_if_tied(index: SearchIndex, pick: Ranked, others: list[Ranked]) -> Ranked:
    """Of two equally good quotes from dated articles, the newer one, with a note saying so."""
    date = index.articles[index.doc_id(pick.pid)].date
    if date is None:
        return pick
    tied = [
        (other_date, r)
        for r in others
        if r.pid != pick.pid
        and abs(r.score - pick.score) <= EQUALLY_GOOD * pick.score
        and (other_date := index.articles[index.doc_id(r.pid)].date) is not None
        and other_date > date
    ]
    if not tied:
        older = [
            other_date
            for r in others
            if r.pid != pick.pid
            and abs(r.score - pick.score) <= EQUALLY_GOOD * pick.score
            and (other_date := index.articles[index.doc_id(r.pid)].date) is not None
            and other_date < date
        ]
        if not older:
            return pick
        return replace(
            pick,
            note=f"Preferred to an equally good quote from an older article ({max(older)}); this one is from {date}.",
        )
    newest, newer = max(tied, key=lambda item: item[0])
    return replace(
        newer,
        note=f"Preferred to an equally good quote from an older article ({date}); this one is from {newest}.",
    )


def _same_point(a: set[str], b: set[str]) -> bool:
    """Two passages make the same point when most of their terms are shared (or they are identical)."""
    return a == b or (bool(a and b) and len(a & b) / len(a | b) >= 0.6)


def quote(
    index: SearchIndex, ranked: Ranked, terms: Sequence[str], *, statement: Statement | None = None
) -> Quote:
    passage = index.passage(ranked.pid)
    article = index.articles[passage.doc_id]
    statement = statement or primary_statement(index.statements_of(ranked.pid))
    whole = statement.span == (passage.start, passage.end)
    pieces = shorten(passage, terms, analyzer=index.analyzer) if whole else [statement.span]
    return Quote(
        quote=" … ".join(passage.text[s - passage.start : e - passage.start] for s, e in pieces),
        speaker=statement.speaker.label,
        speaker_kind=statement.speaker.kind,
        citation=Citation(
            doc_id=article.doc_id,
            title=article.title,
            outlet=article.outlet,
            author=article.author,
            paragraph=passage.paragraph,
            page=article.page_at(passage.start),
            date=article.date,
            url=article.url,
            also_in=[_source(index.articles[doc]) for doc in article.also_in if doc in index.articles],
        ),
        score=round(ranked.score, 6),
        spans=pieces,
        note=ranked.note,
    )


def _source(article: ArticleInfo) -> Source:
    return Source(
        doc_id=article.doc_id, title=article.title, outlet=article.outlet, url=article.url, date=article.date
    )


def primary_statement(statements: Sequence[Statement]) -> Statement:
    """The statement that speaks for a whole passage: its first attributed one, else the voice."""
    return next((s for s in statements if speaks_for_passage(s)), statements[0])


_CLAUSE_BREAK = re.compile(r"[,;:]\s+|\s*[—–]\s*|\s+-\s+")


def shorten(
    passage: Passage, terms: Sequence[str], limit: int = MAX_QUOTE_CHARS, *, analyzer: Analyzer = PLAIN
) -> list[tuple[int, int]]:
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
    keep = [i for i, (s, e) in enumerate(clauses) if wanted & set(analyzer.tokenize(passage.text[s:e]))]
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


def found(command: Command, query: str, quotes: list[Quote]) -> Answer:
    return Answer(command=command, query=query, found=bool(quotes), answers=quotes)


def not_found(command: Command, query: str, message: str) -> Answer:
    return Answer(command=command, query=query, found=False, answers=[], message=message)
