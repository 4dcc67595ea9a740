"""One measurement per process, so that each engine's memory is its own: `python -m benchmarks.tasks TASK …`.

Each task prints one JSON object on its last line of output.
"""

from __future__ import annotations

import json
import sys
import time
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from benchmarks.synth import queries
from bot.domain import shipped_domain
from bot.index import open_index
from bot.text import Analyzer


def _percentiles(samples_ms: list[float]) -> dict[str, float]:
    values = np.array(samples_ms)
    return {"p50_ms": float(np.percentile(values, 50)), "p99_ms": float(np.percentile(values, 99))}


def _rss_mb() -> float:
    return psutil.Process().memory_info().rss / 2**20


def _passage_terms(corpus: Path) -> list[list[str]]:
    """Every passage's index terms, exactly as Citebot indexed them."""
    index = open_index(corpus)
    return [index.terms(i) for i in range(len(index))]


@cache
def _analyzer() -> Analyzer:
    """Questions read as the index reads articles: with the shipped domain file's aliases."""
    return Analyzer(shipped_domain().aliases)


def citebot(corpus: Path, count: int) -> dict[str, Any]:
    """Open the saved index and time BM25 scoring and top-10 for each query."""
    started = time.perf_counter()
    index = open_index(corpus)
    load_s = time.perf_counter() - started
    samples = []
    tops = []
    for text in queries(count):
        terms = index.analyzer.tokenize_query(text)
        started = time.perf_counter()
        top = index.top(index.scores(terms), 10)
        samples.append((time.perf_counter() - started) * 1000)
        tops.append(top)
    return {"load_s": load_s, "rss_mb": _rss_mb(), "tops": tops, **_percentiles(samples)}


def rank_bm25(corpus: Path, count: int) -> dict[str, Any]:
    """rank-bm25's BM25Okapi(epsilon=0) over the same passages and terms."""
    from rank_bm25 import BM25Okapi

    terms = _passage_terms(corpus)
    baseline = _rss_mb()
    started = time.perf_counter()
    engine = BM25Okapi(terms, k1=1.5, b=0.75, epsilon=0.0)
    build_s = time.perf_counter() - started
    samples, tops = [], []
    for text in queries(count):
        query = _analyzer().tokenize_query(text)
        started = time.perf_counter()
        scores = engine.get_scores(query)
        top = [int(i) for i in np.argsort(-scores, kind="stable")[:10] if scores[i] > 0]
        samples.append((time.perf_counter() - started) * 1000)
        tops.append(top)
    return {
        "build_s": build_s,
        "rss_mb": _rss_mb(),
        "engine_mb": _rss_mb() - baseline,
        "tops": tops,
        **_percentiles(samples),
    }


def bm25s_engine(corpus: Path, count: int) -> dict[str, Any]:
    """bm25s (Robertson idf floored at 0, the same ranking) over the same passages and terms."""
    import bm25s

    terms = _passage_terms(corpus)
    baseline = _rss_mb()
    started = time.perf_counter()
    engine = bm25s.BM25(k1=1.5, b=0.75, method="robertson")
    engine.index(terms, show_progress=False)
    build_s = time.perf_counter() - started
    samples = []
    for text in queries(count):
        query = [t for t in _analyzer().tokenize_query(text) if t in engine.vocab_dict]
        started = time.perf_counter()
        if query:
            engine.retrieve([query], k=10, show_progress=False, n_threads=1)
        samples.append((time.perf_counter() - started) * 1000)
    return {
        "build_s": build_s,
        "rss_mb": _rss_mb(),
        "engine_mb": _rss_mb() - baseline,
        **_percentiles(samples),
    }


TASKS = {"citebot": citebot, "rank-bm25": rank_bm25, "bm25s": bm25s_engine}

if __name__ == "__main__":
    task, folder, n = sys.argv[1], Path(sys.argv[2]), int(sys.argv[3])
    print(json.dumps(TASKS[task](folder, n)))
