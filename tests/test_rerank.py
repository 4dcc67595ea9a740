"""The /ask re-ranker: WordLlama's embeddings load from the installed package (no network here), put a
sentence that answers above one that only shares a word, and /ask still answers without them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from bot.answers import answer, rerank
from bot.corpus import load_corpus
from bot.index import SearchIndex


def test_the_model_loads_from_the_package_without_a_download() -> None:
    assert rerank.available()  # this machine cannot reach the internet: the weights are local


def test_meaning_ranks_a_paraphrase_above_a_shared_word() -> None:
    question, answer_, other = rerank.embed(
        [
            "How tall is the old lighthouse?",
            "The lighthouse rises 60 metres above the rocks.",
            "Old bread is cheap.",
        ]
    )
    assert rerank.similarity(question, answer_[None, :])[0] > rerank.similarity(question, other[None, :])[0]


def test_answers_fall_back_to_words_when_the_model_is_missing(
    write_corpus: Callable[[dict[str, str | bytes]], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_corpus(
        {
            "light.txt": "Lighthouse\n\nThe lighthouse keeper retired in May after forty years on the island.\n\n"
            "The lamp is now run from the mainland.\n",
            "ferry.txt": "Ferry\n\nThe ferry sails twice a day in winter.\n\nTickets cost four euros.\n",
        }
    )
    monkeypatch.setattr(rerank, "_model", lambda: None)
    result = answer("/ask When did the lighthouse keeper retire?", SearchIndex.build(load_corpus(folder)))
    assert result.found and "forty years" in result.answers[0].quote
