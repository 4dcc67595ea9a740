"""/whosaid: who said a phrase, or what a person said."""

from __future__ import annotations

from bot.answers.help import usage
from bot.answers.models import Answer
from bot.answers.retrieval import (
    CANDIDATES,
    MIN_COVERAGE,
    Ranked,
    choose,
    closest_statement,
    coverage,
    found,
    not_found,
    query_problem,
    quote,
)
from bot.answers.routing import strip_quotes
from bot.index import SearchIndex
from bot.text import tokenize_query


def whosaid(phrase: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/whosaid: the sentence that best matches a phrase, and the speaker it names."""
    if not phrase:
        return usage("whosaid")
    phrase = strip_quotes(phrase)
    terms = tokenize_query(phrase)
    problem = query_problem(phrase, terms, index)
    if problem is not None:
        return not_found("whosaid", phrase, problem)
    scores = index.scores(terms)
    ranked = [Ranked(i, float(scores[i])) for i in index.top(scores, CANDIDATES)]
    ranked = [r for r in ranked if coverage(index, r.pid, terms) >= MIN_COVERAGE]
    if not ranked:
        return not_found("whosaid", phrase, "No article says anything close to that phrase.")
    chosen = choose(index, ranked, max_quotes)
    quotes = [quote(index, r, terms, statement=closest_statement(index, r.pid, terms)) for r in chosen]
    return found("whosaid", phrase, quotes)
