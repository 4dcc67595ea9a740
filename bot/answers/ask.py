"""/ask: the passages that best answer a free question."""

from __future__ import annotations

import math

import numpy as np

from bot.answers import fusion
from bot.answers.describe import describe
from bot.answers.models import Answer
from bot.answers.retrieval import (
    CANDIDATES,
    NO_WORDS,
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

# Fused scores this far below the best (e-fold) still make a further quote: `choose` keeps quotes that
# score a third of the best, about three fused points down, where a fused point is a z-score of meaning.
SPREAD = 3.0


def ask(question: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/ask: the passages that best answer a free question."""
    described = describe(question, index, max_quotes)  # "Who is X?": where the articles introduce X
    if described is not None:
        return described
    terms = index.analyzer.tokenize_query(question)
    model = index.meaning_model
    if model is not None and index.answers_by_meaning():
        if not any(ch.isalnum() for ch in question):
            return not_found("ask", question, NO_WORDS)
        ranked = _by_meaning(index, question, terms, model.query(question))
    else:  # words alone: the model is not loaded, or no passage has its vector yet
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


def _by_meaning(index: SearchIndex, question: str, terms: list[str], vector: np.ndarray) -> list[Ranked]:
    """Candidates by words and meaning, best first, scored e^((fused - best) / SPREAD) so the best scores
    1 (the scale `choose` compares quotes on); none when the best is not close enough to answer."""
    judged = sorted(
        ((fusion.score(e), e) for e in fusion.evidence(index, question, terms, vector)),
        key=lambda pair: (-pair[0], index.order(pair[1].pid)),
    )
    if not judged or not fusion.answers(judged[0][1]):
        return []
    best = judged[0][0]
    return [Ranked(e.pid, math.exp((s - best) / SPREAD)) for s, e in judged]
