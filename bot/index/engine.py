"""Okapi BM25 over term postings, scored with the statistics of every live passage of every segment.

Variant: Okapi BM25 (k1=1.5, b=0.75) with the Robertson–Spärck Jones idf floored at zero, i.e.
rank-bm25's `BM25Okapi(epsilon=0)`, which the tests use as the reference. rank-bm25's default
epsilon=0.25 replaces the negative idf of a word found in more than half of all passages with
0.25 × the mean idf; in a small corpus about one war that floor (≈0.9 for "Ukraine") is *larger*
than the idf of a word found in 45% of passages (≈0.2), so the commonest word could outrank rarer,
more telling ones. With epsilon=0 the idf falls as a word gets commoner and a word in half the
passages or more weighs nothing, like a stop word.

A segment's postings keep each (term, passage) pair's term frequency and each passage's length, not a
finished weight: a weight depends on the document frequency, passage count and average length of the
whole index, which change when another segment is added or a passage is deleted. Scoring a query
computes its terms' weights over their postings only, so the cost is the length of those postings, not
the size of the corpus, and the arrays can be memory-mapped. A passage's score is the same arithmetic
whichever segment holds it, so an index in many segments ranks exactly as one rebuilt whole.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import numpy as np

K1 = 1.5
B = 0.75


@dataclass(frozen=True)
class Postings:
    """For each term id t of one segment, the passages that contain it and how often."""

    indptr: np.ndarray  # int64[terms + 1]: term t's postings are [indptr[t], indptr[t + 1])
    docs: np.ndarray  # int32[postings]: passage ids, ascending within a term
    tf: np.ndarray  # float32[postings]: how often the term occurs in the passage
    doc_len: np.ndarray  # int32[passages]: how many terms each passage has

    @classmethod
    def build(cls, term_ids: np.ndarray, doc_ids: np.ndarray, n_terms: int, n_docs: int) -> Postings:
        """Postings from one (term id, passage id) row per token occurrence."""
        doc_len = np.bincount(doc_ids, minlength=n_docs).astype(np.int32)
        pairs, tf = np.unique(term_ids.astype(np.int64) * max(n_docs, 1) + doc_ids, return_counts=True)
        terms = pairs // max(n_docs, 1)
        docs = (pairs % max(n_docs, 1)).astype(np.int32)
        del pairs
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(np.bincount(terms, minlength=n_terms), out=indptr[1:])
        return cls(indptr, docs, tf.astype(np.float32), doc_len)

    def norms(self, avgdl: float) -> np.ndarray:
        """k1 · (1 − b + b · len / avgdl) for each passage: the length part of every weight."""
        return (K1 * (1 - B + B * self.doc_len / avgdl)).astype(np.float32)

    def add_scores(self, scores: np.ndarray, term: int, factor: float, norms: np.ndarray) -> None:
        """Add `factor` · tf / (tf + norm) for each passage containing `term` to `scores`."""
        start, end = int(self.indptr[term]), int(self.indptr[term + 1])
        docs = self.docs[start:end]
        kernel = _compiled_add() if end - start >= COMPILED_FROM else None
        if kernel is not None:
            kernel(scores, docs, self.tf[start:end], norms, factor)
            return
        tf = self.tf[start:end].astype(np.float64)
        scores[docs] += factor * (tf / (tf + norms[docs]))

    def docs_of(self, term: int) -> np.ndarray:
        """The passages that contain `term`, ascending."""
        return self.docs[int(self.indptr[term]) : int(self.indptr[term + 1])]

    def contains(self, term: int, doc: int) -> bool:
        """Term `term` occurs in passage `doc`."""
        docs = self.docs_of(term)
        at = int(np.searchsorted(docs, doc))
        return at < len(docs) and int(docs[at]) == doc

    def present(self, term: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """For each passage range [starts[i], ends[i]): does term `term` occur in it? (vectorised)"""
        docs = self.docs_of(term)
        return np.searchsorted(docs, starts) < np.searchsorted(docs, ends)

    def df(self, term: int) -> int:
        """How many passages contain `term` (deleted ones included)."""
        return int(self.indptr[term + 1] - self.indptr[term])


# Postings this long are scored by a compiled loop (numba): one pass instead of numpy's five (a cast, a
# gather, a division, a product, a scatter), about three times faster on a common word at a million
# passages. Shorter ones stay in numpy, so a small shelf's process never spends the second compiling.
COMPILED_FROM = 20_000


@cache
def _compiled_add() -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray, float], None] | None:
    """The compiled form of `Postings.add_scores`'s arithmetic, or None (numba missing or unloadable:
    numpy does the same, slower). Each operation is numpy's, in the same order and precision, so both
    give the same scores to the last bit."""
    try:
        from numba import njit
    except Exception:
        return None

    @njit(nogil=True, cache=False)
    def add(scores: np.ndarray, docs: np.ndarray, tf: np.ndarray, norms: np.ndarray, factor: float) -> None:
        for i in range(docs.shape[0]):
            doc = docs[i]
            count = np.float64(tf[i])
            scores[doc] += factor * (count / (count + np.float64(norms[doc])))

    return add


def warm() -> None:
    """Compile the scoring loop now (a second or so), not on the first question a large shelf is asked."""
    kernel = _compiled_add()
    if kernel is not None:
        kernel(np.zeros(1), np.zeros(1, np.int32), np.ones(1, np.float32), np.ones(1, np.float32), 1.0)


def idf(df: int, n_docs: int) -> float:
    """Robertson–Spärck Jones idf of a term in `df` of `n_docs` passages, floored at zero (epsilon=0)."""
    value = math.log(n_docs - df + 0.5) - math.log(df + 0.5)
    return value if value > 0 else 0.0


def weight_factor(idf_value: float, count: int) -> float:
    """What a term's tf / (tf + norm) is multiplied by: its idf, k1 + 1, and how often the query has it."""
    return idf_value * (K1 + 1) * count


def top(scores: np.ndarray, k: int, order: Callable[[np.ndarray], np.ndarray] | None = None) -> list[int]:
    """Indices of the `k` best positive scores, best first; equal scores by `order` (of an array of
    indices, their places in corpus order; default: the indices themselves)."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        values = scores[candidates]
        kth = np.partition(values, len(values) - k)[len(values) - k]
        better = candidates[values > kth]
        tied = candidates[values == kth]
        if order is not None:
            tied = tied[np.argsort(order(tied), kind="stable")]
        candidates = np.concatenate([better, tied[: k - len(better)]])
    rank = candidates if order is None else order(candidates)
    sorted_at = np.lexsort((rank, -scores[candidates]))
    return [int(i) for i in candidates[sorted_at]]
