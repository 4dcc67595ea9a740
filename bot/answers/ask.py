"""/ask: the passages that best answer a free question."""

from __future__ import annotations

from bot.answers.describe import describe
from bot.answers.models import Answer
from bot.answers.retrieval import (
    CANDIDATES,
    NOTHING_FOUND,
    Ranked,
    choose,
    found,
    in_context,
    not_found,
    query_problem,
    quote,
)
from bot.index import SearchIndex


def ask(question: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/ask: the passages that best answer a free question."""
    described = describe(question, index, max_quotes)  # "Who is X?": where the articles introduce X
    if described is not None:
        return described
    terms = index.analyzer.tokenize_query(question)
    problem = query_problem(question, terms, index)
    if problem is not None:
        return not_found("ask", question, problem)
    scores = index.scores(terms)
    ranked = [Ranked(i, float(scores[i])) for i in index.top(scores, CANDIDATES)]
    ranked = in_context(index, ranked, terms, question)
    if not ranked:
        return not_found("ask", question, NOTHING_FOUND)
    chosen = choose(index, ranked, max_quotes, spread=False)
    return found("ask", question, [quote(index, r, terms) for r in chosen])
