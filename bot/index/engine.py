"""Okapi BM25 over term postings, each (term, passage) score computed once when the index is built.

Variant: Okapi BM25 (k1=1.5, b=0.75) with the Robertson–Spärck Jones idf floored at zero, i.e.
rank-bm25's `BM25Okapi(epsilon=0)`, which the tests use as the reference. rank-bm25's default
epsilon=0.25 replaces the negative idf of a word found in more than half of all passages with
0.25 × the mean idf; in a small corpus about one war that floor (≈0.9 for "Ukraine") is *larger*
than the idf of a word found in 45% of passages (≈0.2), so the commonest word could outrank rarer,
more telling ones. With epsilon=0 the idf falls as a word gets commoner and a word in half the
passages or more weighs nothing, like a stop word.

Scoring a query adds the precomputed weights of its terms' postings into one array: the cost is the
length of those postings, not the size of the corpus, and the arrays can be memory-mapped.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

K1 = 1.5
B = 0.75
WEIGHT_BLOCK = 1 << 22  # postings weighed at a time while building


@dataclass(frozen=True)
class Postings:
    """For each term id t, the passages that contain it and its BM25 weight in each."""

    indptr: np.ndarray  # int64[terms + 1]: term t's postings are [indptr[t], indptr[t + 1])
    docs: np.ndarray  # int32[postings]: passage ids, ascending within a term
    weights: np.ndarray  # float32[postings]: idf(t) · tf·(k1+1) / (tf + k1·(1 − b + b·len/avglen))
    idf: np.ndarray  # float64[terms]
    n_docs: int

    @classmethod
    def build(cls, term_ids: np.ndarray, doc_ids: np.ndarray, n_terms: int, n_docs: int) -> Postings:
        """Postings from one (term id, passage id) row per token occurrence."""
        doc_len = np.bincount(doc_ids, minlength=n_docs).astype(np.float64)
        pairs, tf = np.unique(term_ids.astype(np.int64) * max(n_docs, 1) + doc_ids, return_counts=True)
        terms = pairs // max(n_docs, 1)
        docs = (pairs % max(n_docs, 1)).astype(np.int32)
        df = np.bincount(terms, minlength=n_terms)
        with np.errstate(divide="ignore", invalid="ignore"):
            idf = np.log(n_docs - df + 0.5) - np.log(df + 0.5)
        idf[~(idf > 0)] = 0.0  # rank-bm25 with epsilon=0: a negative idf becomes 0
        avgdl = doc_len.sum() / n_docs if n_docs else 1.0
        del pairs
        # In blocks: at ten million passages the expression's float64 temporaries, whole, would take
        # several gigabytes. The arithmetic is the same, element by element.
        weights = np.empty(len(terms), dtype=np.float32)
        for start in range(0, len(terms), WEIGHT_BLOCK):
            block = slice(start, start + WEIGHT_BLOCK)
            t = tf[block].astype(np.float64)
            norm = K1 * (1 - B + B * doc_len[docs[block]] / avgdl)
            weights[block] = idf[terms[block]] * (t * (K1 + 1) / (t + norm))
        indptr = np.zeros(n_terms + 1, dtype=np.int64)
        np.cumsum(df, out=indptr[1:])
        return cls(indptr, docs, weights, idf, n_docs)

    def scores(self, term_counts: Iterable[tuple[int, int]]) -> np.ndarray:
        """BM25 score of every passage for a query given as (term id, times it occurs in the query)."""
        scores = np.zeros(self.n_docs, dtype=np.float64)
        for term, count in term_counts:
            if self.idf[term] <= 0:
                continue
            start, end = int(self.indptr[term]), int(self.indptr[term + 1])
            weights = self.weights[start:end]
            scores[self.docs[start:end]] += weights if count == 1 else weights * count
        return scores

    def contains(self, term: int, doc: int) -> bool:
        """Term `term` occurs in passage `doc`."""
        start, end = int(self.indptr[term]), int(self.indptr[term + 1])
        at = start + int(np.searchsorted(self.docs[start:end], doc))
        return at < end and int(self.docs[at]) == doc

    def present(self, term: int, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
        """For each passage range [starts[i], ends[i]): does term `term` occur in it? (vectorised)"""
        docs = self.docs[int(self.indptr[term]) : int(self.indptr[term + 1])]
        return np.searchsorted(docs, starts) < np.searchsorted(docs, ends)

    def df(self, term: int) -> int:
        """How many passages contain `term`."""
        return int(self.indptr[term + 1] - self.indptr[term])


def top(scores: np.ndarray, k: int) -> list[int]:
    """Indices of the `k` best positive scores, best first; equal scores in index order."""
    candidates = np.flatnonzero(scores > 0)
    if len(candidates) > k:
        values = scores[candidates]
        kth = np.partition(values, len(values) - k)[len(values) - k]
        better = candidates[values > kth]
        tied = candidates[values == kth][: k - len(better)]  # candidates are in index order
        candidates = np.concatenate([better, tied])
    order = np.lexsort((candidates, -scores[candidates]))
    return [int(i) for i in candidates[order]]
