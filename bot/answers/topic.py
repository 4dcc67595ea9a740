"""Topic commands (/troops, /russia-position, or whatever the domain file defines): one engine for all.

A topic is answered facet by facet from the domain file's general descriptions. With no question, an
overview quotes one passage per facet that is truly about it (or leaves the facet out); with a question,
its own words weigh most, the facets it asks about and the topic's context break ties. For a position
command (a topic with a `side`), only passages about that side answer, its own statements first.
"""

from __future__ import annotations

import re

import numpy as np

from bot.answers.models import Answer, Quote
from bot.answers.retrieval import (
    CANDIDATES,
    CLOSE_CALL,
    MIN_COVERAGE,
    NOTHING_FOUND,
    Ranked,
    choose,
    coverage,
    found,
    normalised,
    not_found,
    query_problem,
    quote,
)
from bot.domain import Facet, Topic
from bot.index import SearchIndex

SIDE_BOOST = 0.4  # in a position command, a statement by the side outranks talk about it
CONTEXT_WEIGHT = 0.3  # how much being about the topic at all counts, beside the question's words
GENERIC_WEIGHT = 0.4  # question words the topic always uses count less than the question's own
FACET_WEIGHT = 0.8  # the facets a question asks about, shared between them
# An overview quote must hold this share of its facet's own words (by idf), beyond the topic's context
# words: otherwise the passage is about the topic but not about that facet, and the facet is left out.
MIN_FACET_COVERAGE = 0.08
# A facet whose answer is a number or a list of names prefers passages that hold one.
ANSWER_BOOST = 0.5
_NUMBER = re.compile(r"\d|\b(?:hundreds?|thousands?|millions?|dozens?|tens of)\b", re.IGNORECASE)
_NAME = r"(?:the\s+)?(?:[A-Z][\w’'.-]*)(?:\s+[A-Z][\w’'.-]*)*"
# A list of names: "Chile, Peru and Bolivia", "Fiji and Samoa", "the EU, Iceland, Norway, and Malta".
_NAME_LIST = re.compile(rf"{_NAME}(?:\s*,\s*{_NAME})*,?\s+(?:and|or)\s+{_NAME}")
_NAME_START = re.compile(r"(?:^|,\s*|\s(?:and|or)\s+)(?:the\s+)?[A-Z]")


def topic_answer(topic: Topic, question: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """A topic command: an overview without a question, the best quotes for one with it."""
    context = normalised(index, index.analyzer.tokenize(topic.context))
    if not question:
        return _overview(topic, index, context)
    facets = [f for f in topic.facets if f.asked_by.found_in(question)]
    framing = set(index.analyzer.tokenize(topic.question_words))
    # A phrase that asks for a facet ("how big", "which countries") names what is asked, not what the
    # answer must contain; a single word ("US") may be both.
    for facet in facets:
        asking = [m for m in facet.asked_by.pattern.findall(question) if len(m.split()) > 1]
        framing |= set(index.analyzer.tokenize_query(" ".join(asking)))
    terms = index.analyzer.tokenize_query(question)
    content = [t for t in terms if t not in framing]
    if not content and not facets:
        return _overview(topic, index, context)
    # Words the topic always uses (its context, the facets asked about) weigh less than the question's
    # own; a word of another facet ("cheese" in a question about rates) is the question's own.
    vocabulary = set(index.analyzer.tokenize(topic.context)).union(
        *(index.analyzer.tokenize(f.description) for f in (facets or topic.facets))
    )
    specific = [t for t in content if t not in vocabulary]
    generic = [t for t in content if t in vocabulary]
    if specific:
        problem = query_problem(question, specific, index)
        if problem is not None:
            return _answer(topic, not_found(topic.command, question, problem))
    scores = (
        normalised(index, specific) + GENERIC_WEIGHT * normalised(index, generic) + CONTEXT_WEIGHT * context
    )
    for facet in facets:
        scores = scores + (FACET_WEIGHT / len(facets)) * normalised(
            index, index.analyzer.tokenize(facet.description)
        )
    ranked = _on_side(topic, index, scores)
    if specific or not facets:  # the question's own words must be there
        needed = specific or content
        ranked = [r for r in ranked if coverage(index, r.pid, needed) >= MIN_COVERAGE]
    else:  # asked only in the topic's words: the passage must be about a facet asked for
        owns = [(f, _own_terms(index, topic, f)) for f in facets]
        ranked = [r for r in ranked if any(_about(index, r.pid, f, own, content) for f, own in owns)]
    ranked = _answer_kind(index, ranked, facets)
    if not ranked:
        return _answer(topic, not_found(topic.command, question, NOTHING_FOUND))
    chosen = choose(index, ranked, max_quotes)
    return _answer(topic, found(topic.command, question, [quote(index, r, terms) for r in chosen]))


def _overview(topic: Topic, index: SearchIndex, context: np.ndarray) -> Answer:
    """One quote per facet, each from the best passage about it not already used."""
    quotes: list[Quote] = []
    used: set[int] = set()
    side = _side_terms(index, topic)
    for facet in topic.facets:
        terms = index.analyzer.tokenize(facet.description)
        own = _own_terms(index, topic, facet)
        scores = normalised(index, terms) + CONTEXT_WEIGHT * context
        about = [
            r
            for r in _on_side(topic, index, scores)
            if r.pid not in used and coverage(index, r.pid, own) >= MIN_FACET_COVERAGE
        ]
        # A position's overview quotes the side itself when it has spoken to the facet at all.
        stated = [r for r in about if _stated(side, index, r.pid)]
        ranked = _answer_kind(index, stated or about, [facet])
        if not ranked:
            continue
        used_docs = {index.doc_id(i) for i in used}
        contenders = [r for r in ranked if r.score >= CLOSE_CALL * ranked[0].score]
        pick = next((r for r in contenders if index.doc_id(r.pid) not in used_docs), ranked[0])
        used.add(pick.pid)
        quotes.append(_labelled(quote(index, pick, terms), facet))
    if not quotes:
        return _answer(topic, not_found(topic.command, "", "The articles say nothing about this yet."))
    return _answer(topic, found(topic.command, "", quotes))


def _about(index: SearchIndex, pid: int, facet: Facet, own: list[str], content: list[str]) -> bool:
    """Whether passage `pid` is about the facet: it holds the facet's `own` words, or the kind of thing
    the facet's answer is (a number for "how many") beside the question's words."""
    if coverage(index, pid, own) >= MIN_FACET_COVERAGE:
        return True
    holds = _holds(index.passage_text(pid), facet.answer) if facet.answer else 0.0
    return holds > 0 and coverage(index, pid, content) >= MIN_COVERAGE


def _holds(text: str, kind: str) -> float:
    """How much of an answer of this kind the text holds, from 0 to 1."""
    if kind == "number":
        return 1.0 if _NUMBER.search(text) else 0.0
    names = max((len(_NAME_START.findall(m.group())) for m in _NAME_LIST.finditer(text)), default=0)
    return min(names, 4) / 4


def _own_terms(index: SearchIndex, topic: Topic, facet: Facet) -> list[str]:
    """The words of a facet's description that are not the topic's own (its context and side)."""
    topic_words = set(index.analyzer.tokenize(topic.context)) | _side_terms(index, topic)
    return [t for t in dict.fromkeys(index.analyzer.tokenize(facet.description)) if t not in topic_words]


def _answer_kind(index: SearchIndex, ranked: list[Ranked], facets: list[Facet]) -> list[Ranked]:
    """Passages holding what the facets' answers are (a number, several names) ranked up, best first."""
    kinds = {f.answer for f in facets if f.answer}
    if not kinds:
        return ranked
    boosted = []
    for r in ranked:
        text = index.passage_text(r.pid)
        bonus = ANSWER_BOOST * sum(_holds(text, kind) for kind in kinds)
        boosted.append(Ranked(r.pid, r.score + bonus, r.note))
    return sorted(boosted, key=lambda r: (-r.score, index.order(r.pid)))


def _labelled(quote: Quote, facet: Facet) -> Quote:
    return quote.model_copy(update={"facet": facet.label})


def _answer(topic: Topic, answer: Answer) -> Answer:
    return answer.model_copy(update={"title": topic.title})


def _on_side(topic: Topic, index: SearchIndex, scores: np.ndarray) -> list[Ranked]:
    """Top candidates; for a topic with a side, only passages about it, its own statements first."""
    top = index.top(scores, CANDIDATES * 3 if topic.side else CANDIDATES)
    if not topic.side:
        return [Ranked(i, float(scores[i])) for i in top]
    side = _side_terms(index, topic)
    ranked = []
    for i in top:
        if _stated(side, index, i):  # the side's own statement
            ranked.append(Ranked(i, float(scores[i]) + SIDE_BOOST))
        elif side & set(index.terms(i)):  # a passage that at least speaks of the side
            ranked.append(Ranked(i, float(scores[i])))
    return sorted(ranked, key=lambda r: (-r.score, index.order(r.pid)))[:CANDIDATES]


def _side_terms(index: SearchIndex, topic: Topic) -> set[str]:
    """The index terms of a position command's side (empty for a topic without one)."""
    return set(index.analyzer.tokenize(" ".join(topic.side)))


def _stated(side: set[str], index: SearchIndex, pid: int) -> bool:
    """Whether passage `pid` is a statement by the side whose terms are `side`."""
    return bool(side & index.speaker_terms(pid))
