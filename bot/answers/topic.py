"""/troops and /russia-position: a topic's facets, answered from its side's statements first."""

from __future__ import annotations

import numpy as np

from bot.answers.models import Answer, Command, Quote
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
from bot.index import SearchIndex
from bot.text import tokenize, tokenize_query
from bot.topics import TOPICS, Topic

SIDE_BOOST = 0.4  # in /russia-position, a statement by Moscow's side outranks talk about it


def troops(question: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/troops: the planned force: size, countries, roles, conditions, the US backstop."""
    return _topic_answer(TOPICS["troops"], question, index, max_quotes)


def russia_position(question: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/russia-position: Moscow's stated positions on troops, NATO, neutrality, territory, talks."""
    return _topic_answer(TOPICS["russia-position"], question, index, max_quotes)


def _topic_answer(topic: Topic, question: str, index: SearchIndex, max_quotes: int) -> Answer:
    command: Command = "troops" if topic.command == "troops" else "russia-position"
    context = normalised(index, tokenize(topic.context))
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
        problem = query_problem(question, specific, index)
        if problem is not None:
            return not_found(command, question, problem)
    # The question's own words weigh most; words the topic always uses, less; the facet asked about
    # and the topic itself break ties towards what the command is for.
    scores = normalised(index, specific) + 0.4 * normalised(index, generic) + 0.3 * context
    for facet in facets:
        scores = scores + (0.8 / len(facets)) * normalised(index, tokenize(facet.description))
    ranked = _on_side(topic, index, scores)
    if specific or not facets:
        ranked = [r for r in ranked if coverage(index, r.pid, content) >= MIN_COVERAGE]
    if not ranked:
        return not_found(command, question, NOTHING_FOUND)
    chosen = choose(index, ranked, max_quotes)
    return found(command, question, [quote(index, r, terms) for r in chosen])


def _overview(command: Command, topic: Topic, index: SearchIndex, context: np.ndarray) -> Answer:
    """One quote per facet, each from the best passage not already used."""
    quotes: list[Quote] = []
    used: set[int] = set()
    for facet in topic.facets:
        terms = tokenize(facet.description)
        scores = normalised(index, terms) + 0.3 * context
        ranked = [r for r in _on_side(topic, index, scores) if r.pid not in used]
        if not ranked:
            continue
        used_docs = {index.doc_id(i) for i in used}
        contenders = [r for r in ranked if r.score >= CLOSE_CALL * ranked[0].score]
        pick = next((r for r in contenders if index.doc_id(r.pid) not in used_docs), ranked[0])
        used.add(pick.pid)
        quotes.append(quote(index, pick, terms).model_copy(update={"facet": facet.label}))
    if not quotes:
        return not_found(command, "", "The articles say nothing about this yet.")
    return found(command, "", quotes)


def _on_side(topic: Topic, index: SearchIndex, scores: np.ndarray) -> list[Ranked]:
    """Top candidates; for a topic with a side, only passages about it, its own statements first."""
    top = index.top(scores, CANDIDATES * 3 if topic.side else CANDIDATES)
    if not topic.side:
        return [Ranked(i, float(scores[i])) for i in top]
    side = set(tokenize(topic.side))
    stated = [Ranked(i, float(scores[i]) + SIDE_BOOST) for i in top if side & index.speaker_terms(i)]
    if stated:
        return stated[:CANDIDATES]
    # Nothing the side said itself: fall back to passages that at least speak of it.
    return [Ranked(i, float(scores[i])) for i in top if side & set(index.terms(i))][:CANDIDATES]
