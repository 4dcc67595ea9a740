"""/ask by words and meaning: candidates from both, their evidence, one fused score, and whether any of
them answers at all.

Candidates are the best passages by BM25 and the closest in meaning (the index's stored vectors), so a
question that shares few words with its answer still finds it. Each is judged on:

- words: BM25 over all passages, as a z-score (how far above the shelf's usual score for the question);
- meaning: cosine similarity of the sentence to the question, as a z-score too, and of the sentences
  either side (a sentence often answers a question its neighbour sets up);
- coverage: the share of the question's idf weight in the sentence and in its paragraph;
- kind: the sentence holds what the question asks for (a name, a date, a place, a number).

Z-scores make a question's words and meaning comparable whatever their scale. Whether anything answers
is decided by a small logistic model over the best candidate's evidence, absolute (its similarity) and
relative (how far above the shelf's usual similarity), and over how much of the question the shelf
knows at all; a candidate that holds most of the question's words answers whatever the model says. The weights,
the model and its threshold are data (`fusion.json`), written by `scripts/tune_ask.py` from both QA
development sets, whose figures tuned on one half and scored on the other are in the README.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from pydantic import BaseModel

from bot.answers.asks_for import Kind, asks_for, holds
from bot.index import SearchIndex

CANDIDATES = 40  # from words, and as many from meaning
NEARBY = 1  # sentences either side whose meaning counts for a candidate
SAMPLE = 65_536  # passages the shelf's mean and spread are estimated from


@dataclass(frozen=True)
class Weights:
    """How much each piece of evidence counts in the fused score."""

    words: float = 0.25
    meaning: float = 1.5
    nearby: float = 0.3
    sentence: float = 0.5
    paragraph: float = 2.0
    kind: float = 0.8


class Answerable(BaseModel):
    """Whether the best candidate answers at all: a logistic model over some of its evidence."""

    features: list[str]
    mean: list[float]
    scale: list[float]
    coef: list[float]
    intercept: float
    threshold: float  # on the model's log-odds

    def says_yes(self, e: Evidence) -> bool:
        x = (np.array([getattr(e, f) for f in self.features]) - self.mean) / np.array(self.scale)
        return float(x @ np.array(self.coef)) + self.intercept >= self.threshold


class WordsAlone(BaseModel):
    """Words that answer without meaning's say: the sentence holds this share of the question's idf
    weight, and its paragraph that share (the rule /ask used before it knew meaning)."""

    sentence: float
    paragraph: float

    def says_yes(self, e: Evidence) -> bool:
        return e.sentence >= self.sentence and e.paragraph >= self.paragraph


class Tuned(BaseModel):
    """What scripts/tune_ask.py found on the development sets (bot/answers/fusion.json)."""

    ranking: dict[str, float]
    answerable: Answerable  # over all the evidence
    by_meaning: Answerable  # over meaning alone: for a question none of whose words the shelf holds
    words_alone: WordsAlone  # enough words answer whatever the model says

    @property
    def weights(self) -> Weights:
        return Weights(**self.ranking)


# Only evidence whose scale does not grow with the shelf: a z-score or an idf reads higher on 9,000
# passages than on 100, so a model fitted on the development sets would misjudge a small shelf.
ANSWERABLE_FEATURES = ("similarity", "lift", "sentence", "paragraph", "missing")
MEANING_FEATURES = ("similarity", "lift")
TUNED_FILE = "fusion.json"


@cache
def tuned() -> Tuned:
    """The shipped weights and answerability model."""
    text = resources.files("bot.answers").joinpath(TUNED_FILE).read_text(encoding="utf-8")
    return Tuned.model_validate_json(text)


@dataclass(frozen=True, slots=True)
class Evidence:
    """What speaks for one candidate passage."""

    pid: int
    words: float  # z-score of its BM25 score among all passages
    meaning: float  # z-score of its similarity to the question
    similarity: float  # cosine similarity to the question (absolute)
    lift: float  # … less the shelf's mean similarity to it (a question in another language is far from all)
    nearby: float  # z-score of the best similarity among the sentences either side
    sentence: float  # share of the question's idf weight in the sentence
    paragraph: float  # … in its paragraph
    kind: float  # 1 if it holds the kind of answer asked for
    missing: float  # share of the question's terms that no passage of the shelf holds
    rarest: float  # idf of the question's rarest term that the shelf holds


def _z(values: np.ndarray) -> tuple[float, float]:
    """Mean and spread of the finite values (spread never 0), from an even sample of at most
    SAMPLE of them: as good an estimate, and a millisecond instead of tens at a million passages."""
    sample = values[:: max(1, len(values) // SAMPLE)]
    finite = sample[np.isfinite(sample)]
    if not finite.size:
        return 0.0, 1.0
    spread = float(finite.std())
    return float(finite.mean()), spread if spread > 1e-6 else 1.0


def evidence(index: SearchIndex, question: str, terms: Sequence[str], vector: np.ndarray) -> list[Evidence]:
    """The candidates for `question` (its query `terms`, its meaning `vector`) and their evidence."""
    words = index.scores(terms)
    close = index.meaning_scores(vector)
    pool = list(dict.fromkeys([*index.top(words, CANDIDATES), *_closest(close, CANDIDATES)]))
    if not pool:
        return []
    words_mean, words_spread = _z(words)
    close_mean, close_spread = _z(close)
    kind: Kind | None = asks_for(question)
    distinct = set(terms)
    known = [t for t in distinct if index.df(t) > 0]
    missing = 1.0 - len(known) / len(distinct) if distinct else 0.0
    rarest = max((index.idf(t) for t in known), default=0.0)
    paragraph_of = [index.paragraph_of(p) for p in pool]
    sentences = index.coverage_of_ranges([range(p, p + 1) for p in pool], terms)
    paragraphs = index.coverage_of_ranges(paragraph_of, terms)
    found = []
    for number, pid in enumerate(pool):
        similarity = float(close[pid])
        if not np.isfinite(similarity):
            similarity = close_mean  # not embedded yet: as close as the shelf's usual passage
        around = [float(close[p]) for p in paragraph_of[number] if p != pid and abs(p - pid) <= NEARBY]
        around = [a for a in around if np.isfinite(a)]
        found.append(
            Evidence(
                pid=pid,
                words=(float(words[pid]) - words_mean) / words_spread,
                meaning=(similarity - close_mean) / close_spread,
                similarity=similarity,
                lift=similarity - close_mean,
                nearby=((max(around) - close_mean) / close_spread) if around else 0.0,
                sentence=float(sentences[number]),
                paragraph=float(paragraphs[number]),
                kind=1.0 if holds(kind, index.passage_text(pid)) else 0.0,
                missing=missing,
                rarest=rarest,
            )
        )
    return found


def _closest(close: np.ndarray, k: int) -> list[int]:
    """The k passages closest in meaning (NaN, no vector, sorts last and is dropped)."""
    k = min(k, len(close))
    if not k:
        return []
    best = np.argpartition(-close, k - 1)[:k]
    best = best[np.isfinite(close[best])]
    return [int(p) for p in best[np.argsort(-close[best], kind="stable")]]


def score(e: Evidence, w: Weights | None = None) -> float:
    """One fused score: higher is a better answer."""
    w = w if w is not None else tuned().weights
    return (
        w.words * e.words
        + w.meaning * e.meaning
        + w.nearby * e.nearby
        + w.sentence * e.sentence
        + w.paragraph * e.paragraph
        + w.kind * e.kind
    )


def answers(e: Evidence) -> bool:
    """The candidate is close enough, in meaning and words, to answer at all. A question none of whose
    words the shelf holds (asked in another language, or in other words) is judged on meaning alone:
    the absence of words that the shelf cannot have is no evidence against it."""
    fitted = tuned()
    model = fitted.by_meaning if e.missing >= 1.0 else fitted.answerable
    return model.says_yes(e) or fitted.words_alone.says_yes(e)
