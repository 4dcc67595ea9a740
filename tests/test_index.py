"""index: BM25 with the variant we chose, against rank-bm25 as the reference."""

from __future__ import annotations

import math

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

from bot.corpus import Corpus, parse_article
from bot.index import SearchIndex
from bot.text import tokenize_query


def tiny_index(paragraphs: list[str]) -> SearchIndex:
    text = "\n".join(paragraphs) + "\n"
    return SearchIndex.build(Corpus(articles=(parse_article(text, "tiny.txt"),), skipped=()))


def common_word_corpus() -> list[str]:
    # "ukraine" is in 6 of 10 passages (more than half); "troops" in 4; the rest are rare words.
    return [
        "Ukraine ukraine ukraine today.",
        "Troops alpha.",
        "Troops bravo.",
        "Troops charlie.",
        "Troops delta.",
        "Ukraine echo foxtrot.",
        "Ukraine golf hotel.",
        "Ukraine india juliet.",
        "Ukraine kilo lima.",
        "Ukraine mike november.",
    ]


def test_a_word_in_most_passages_weighs_nothing_and_cannot_outrank_a_rarer_one() -> None:
    index = tiny_index(common_word_corpus())
    assert index.idf("ukraine") == 0.0
    assert 0 < index.idf("troop") < index.idf("alpha")
    best = index.search(tokenize_query("ukraine troops"), k=1)[0]
    assert best.passage.text.startswith("Troops")


def test_rank_bm25_default_epsilon_would_rank_the_common_word_first() -> None:
    # Why we set epsilon=0: with rank-bm25's default floor the commonest word wins.
    index = tiny_index(common_word_corpus())
    terms = [index.terms(i) for i in range(len(index))]
    default = BM25Okapi(terms)
    assert default.idf["ukraine"] > default.idf["troop"]
    scores = default.get_scores(["ukraine", "troop"])
    assert index.passages[int(np.argmax(scores))].text.startswith("Ukraine ukraine ukraine")


@pytest.mark.parametrize(
    "query", ["troops ceasefire", "Putin NATO neutral", "Zelensky security guarantees", "zzz"]
)
def test_scores_equal_rank_bm25_reference(seed_index: SearchIndex, query: str) -> None:
    terms = [seed_index.terms(i) for i in range(len(seed_index))]
    reference = BM25Okapi(terms, k1=1.5, b=0.75, epsilon=0.0)
    tokens = tokenize_query(query)
    assert np.allclose(seed_index.scores(tokens), reference.get_scores(tokens), rtol=1e-9, atol=0)


def test_unknown_terms_get_the_largest_idf(seed_index: SearchIndex) -> None:
    n = len(seed_index)
    assert seed_index.idf("qwertyuiop") == pytest.approx(math.log((n + 0.5) / 0.5))
    assert seed_index.idf("qwertyuiop") > seed_index.idf("nemeth")


def test_search_is_best_first_and_reports_matched_terms(seed_index: SearchIndex) -> None:
    hits = seed_index.search(tokenize_query("long shot Németh"), k=5)
    assert hits[0].passage.text.startswith("As things stand, the chance of this force")
    assert hits[0].matched == {"long", "shot", "nemeth"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_empty_query_scores_nothing(seed_index: SearchIndex) -> None:
    assert seed_index.search([], k=3) == []


def test_pronoun_speaker_is_searchable(seed_index: SearchIndex) -> None:
    hits = seed_index.search(tokenize_query("Putin readiness negotiate preconditions"), k=1)
    assert hits[0].passage.text.startswith("He expressed Russia’s readiness to negotiate")
