"""BM25 over passages. The only module that imports the BM25 engine.

Variant: Okapi BM25 (k1=1.5, b=0.75) with the Robertson–Spärck Jones idf floored at zero, i.e.
rank-bm25's `BM25Okapi(epsilon=0)`. rank-bm25's default epsilon=0.25 replaces the negative idf of a
word found in more than half of all passages with 0.25 × the mean idf; in a small corpus about one
war that floor (≈0.9 for "Ukraine") is *larger* than the idf of a word found in 45% of passages (≈0.2),
so the commonest word could outrank rarer, more telling ones. With epsilon=0 the idf falls as a word
gets commoner and a word in half the passages or more weighs nothing, like a stop word.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi
from rapidfuzz import fuzz, process

from bot.corpus import Article, Corpus
from bot.passages import Passage, split_article
from bot.quotes import People, Speaker, Statement, attribute, speaker_key, speaks_for_passage
from bot.text import analyse, tokenize

K1 = 1.5
B = 0.75
EPSILON = 0.0


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage that matched a query, with its BM25 score and the query terms it contains."""

    passage: Passage
    score: float
    matched: frozenset[str]


class SearchIndex:
    """Passages of a corpus with their statements, searchable with BM25."""

    def __init__(
        self,
        articles: Sequence[Article],
        passages: Sequence[Passage],
        statements: Sequence[tuple[Statement, ...]],
        terms: Sequence[list[str]],
        people: People,
        surface: dict[str, str] | None = None,
    ) -> None:
        self.articles = {article.doc_id: article for article in articles}
        self.passages = list(passages)
        self.statements = list(statements)
        self.people = people
        self._terms = list(terms)
        self._term_sets = [frozenset(t) for t in self._terms]
        self._engine = BM25Okapi(self._terms or [[]], k1=K1, b=B, epsilon=EPSILON)
        self._by_doc: dict[str, list[int]] = {}
        for i, passage in enumerate(self.passages):
            self._by_doc.setdefault(passage.doc_id, []).append(i)
        self._by_speaker: dict[str, list[tuple[int, Statement]]] = {}
        self.speakers: dict[str, Speaker] = {}
        for i, said in enumerate(self.statements):
            for statement in said:
                key = speaker_key(statement.speaker)
                self._by_speaker.setdefault(key, []).append((i, statement))
                self.speakers.setdefault(key, statement.speaker)
        self._surface = surface or {}
        self._surface_words = sorted(self._surface)

    @classmethod
    def build(cls, corpus: Corpus) -> SearchIndex:
        """Split every article of `corpus` into passages, attribute them, and index them."""
        people = People.from_articles(corpus.articles)
        passages: list[Passage] = []
        statements: list[tuple[Statement, ...]] = []
        terms: list[list[str]] = []
        surface: dict[str, str] = {}  # each folded word of the corpus -> its index term (for typos)
        for article in corpus.articles:
            article_passages = split_article(article)
            attributed = attribute(article, article_passages, people)
            for passage, said in zip(article_passages, attributed, strict=True):
                pairs = analyse(passage.text)
                surface.update(pairs)
                passages.append(passage)
                statements.append(said)
                terms.append(passage_terms([term for _, term in pairs], said))
        return cls(corpus.articles, passages, statements, terms, people, surface)

    def __len__(self) -> int:
        return len(self.passages)

    def idf(self, term: str) -> float:
        """The term's idf; a term the corpus lacks gets the idf of a word in no passage at all."""
        known = self._engine.idf.get(term)
        if known is not None:
            return float(known)
        n = len(self.passages)
        return math.log((n + 0.5) / 0.5)

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for `terms` (a repeated term counts again)."""
        if not self.passages or not terms:
            return np.zeros(len(self.passages))
        return np.asarray(self._engine.get_scores(list(terms)), dtype=np.float64)

    def top(self, scores: np.ndarray, k: int, *, among: Iterable[int] | None = None) -> list[int]:
        """Indices of the `k` best positive scores, best first (ties: earlier passage first)."""
        candidates = np.fromiter(among, dtype=np.int64) if among is not None else np.flatnonzero(scores > 0)
        candidates = candidates[scores[candidates] > 0]
        order = np.lexsort((candidates, -scores[candidates]))
        return [int(i) for i in candidates[order[:k]]]

    def search(self, terms: Sequence[str], k: int = 10) -> list[Hit]:
        """The `k` best passages for `terms`."""
        scores = self.scores(terms)
        return [self.hit(i, float(scores[i]), terms) for i in self.top(scores, k)]

    def hit(self, i: int, score: float, terms: Iterable[str]) -> Hit:
        """Passage `i` as a Hit for `terms`."""
        return Hit(self.passages[i], score, self.matched(i, terms))

    def matched(self, i: int, terms: Iterable[str]) -> frozenset[str]:
        """Which of `terms` passage `i` contains."""
        return frozenset(t for t in terms if t in self._term_sets[i])

    def terms(self, i: int) -> list[str]:
        """The index terms of passage `i`."""
        return self._terms[i]

    def speaker_terms(self, i: int) -> frozenset[str]:
        """Index terms of the speakers of passage `i` (e.g. {"russia", "presid", "putin"})."""
        said = self.statements[i]
        return frozenset(t for s in said if speaks_for_passage(s) for t in tokenize(s.speaker.label))

    def statements_by(self, key: str) -> list[tuple[int, Statement]]:
        """(passage index, statement) for everything one speaker said, in corpus order."""
        return self._by_speaker.get(key, [])

    def knows(self, term: str) -> bool:
        """The term occurs in some passage."""
        return term in self._engine.idf

    def correct(self, word: str) -> list[str]:
        """Index terms for a misspelt `word`: two corpus words it joins ("longshot"), else the closest one."""
        if len(word) < 4 or not self._surface_words:
            return []
        for cut in range(3, len(word) - 2):
            left, right = word[:cut], word[cut:]
            if left in self._surface and right in self._surface:
                return [self._surface[left], self._surface[right]]
        best = process.extractOne(word, self._surface_words, scorer=fuzz.ratio, score_cutoff=80)
        return [self._surface[best[0]]] if best else []

    def passage_ids(self, doc_id: str) -> list[int]:
        """Passage indices of one article, in reading order."""
        return self._by_doc.get(doc_id, [])


def passage_terms(terms: list[str], statements: Sequence[Statement]) -> list[str]:
    """A passage's terms plus the name of a person it quotes but names only as "he" or an epithet."""
    present = set(terms)
    for statement in statements:
        if statement.kind != "voice" and statement.speaker.kind == "person":
            terms.extend(t for t in tokenize(statement.speaker.name) if t not in present)
            present.update(terms)
    return terms
