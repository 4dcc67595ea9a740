"""What each article contributes to the index is cached: a rebuild with the cache equals one without it."""

from __future__ import annotations

import multiprocessing
import os
import shutil
from pathlib import Path

import numpy as np
import pytest

import bot.index.workers as workers
from bot.corpus import Article, load_corpus
from bot.domain import shipped_domain
from bot.index import SearchIndex, build_and_save, open_index
from bot.index.builder import IndexData, build
from bot.index.reading import Reading, ReadingCache, read
from bot.text import Analyzer
from tests.conftest import SEEDS

ARTICLES = Path(__file__).parent / "articles"

# Our own small articles: the second names in full the person the first names by surname only.
SURNAME_ONLY = """---
title: Ferry timetable cut
outlet: The Island Post
date: 2026-01-05
---
The ferry company will cut the winter timetable to two crossings a day.

"We cannot fill the boats in January," Okafor said.
"""
FULL_NAME = """---
title: Ferry company names new chief
outlet: The Island Post
date: 2026-02-10
---
The ferry company has named Chidi Okafor as its chief executive.

Chief executive Chidi Okafor said the company would buy a second boat.
"""


def same(one: IndexData, other: IndexData) -> None:
    """Every array and table of two indexes is equal."""
    for group in ("passages", "postings", "statements", "by_speaker"):
        left, right = getattr(one, group), getattr(other, group)
        for name in left.__dataclass_fields__:
            a, b = getattr(left, name), getattr(right, name)
            if isinstance(a, np.ndarray):
                assert np.array_equal(a, b), f"{group}.{name}"
            else:
                assert a == b, f"{group}.{name}"
    for name in ("articles", "vocabulary", "surface", "speakers", "people"):
        assert getattr(one, name) == getattr(other, name), name
    assert bytes(one.text) == bytes(other.text)


def corpus_of(folder: Path):  # type: ignore[no-untyped-def]
    return load_corpus(folder, clutter=shipped_domain().knowledge().clutter)


@pytest.mark.parametrize("folder", [SEEDS, ARTICLES], ids=["seeds", "own articles"])
def test_a_build_from_the_cache_equals_a_build_without_it(folder: Path, tmp_path: Path) -> None:
    knowledge = shipped_domain().knowledge()
    corpus = corpus_of(folder)
    fresh = build(corpus, knowledge)
    cold = build(corpus, knowledge, cache=ReadingCache(tmp_path, "v1"))
    warm = build(corpus, knowledge, cache=ReadingCache(tmp_path, "v1"))
    same(fresh, cold)
    same(fresh, warm)


def test_a_warm_rebuild_reads_again_only_the_new_article(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shelf, cache = tmp_path / "shelf", tmp_path / "cache"
    shutil.copytree(ARTICLES, shelf)
    knowledge = shipped_domain().knowledge()
    build(corpus_of(shelf), knowledge, cache=ReadingCache(cache, "v1"))
    (shelf / "ferry.md").write_text(SURNAME_ONLY, encoding="utf-8")
    read_again: list[str] = []
    original = workers.read
    monkeypatch.setattr(
        workers,
        "read",
        lambda article, analyzer: read_again.append(article.doc_id) or original(article, analyzer),
    )
    build(corpus_of(shelf), knowledge, cache=ReadingCache(cache, "v1"))
    assert read_again == ["ferry.md"]
    read_again.clear()
    build(corpus_of(shelf), knowledge, cache=ReadingCache(cache, "v2"))  # another code version or knowledge
    assert sorted(read_again) == sorted(a.doc_id for a in corpus_of(shelf).articles)


def test_an_article_whose_people_change_is_attributed_again(tmp_path: Path) -> None:
    shelf, cache = tmp_path / "shelf", tmp_path / "cache"
    shelf.mkdir()
    (shelf / "timetable.md").write_text(SURNAME_ONLY, encoding="utf-8")
    knowledge = shipped_domain().knowledge()
    before = build(corpus_of(shelf), knowledge, cache=ReadingCache(cache, "v1"))
    assert all(s.key != "chidi okafor" for s in before.speakers)
    (shelf / "chief.md").write_text(FULL_NAME, encoding="utf-8")
    warm = build(corpus_of(shelf), knowledge, cache=ReadingCache(cache, "v1"))
    same(build(corpus_of(shelf), knowledge), warm)
    # The first article's "Okafor said" is now Chidi Okafor's, as in a build from nothing.
    index = SearchIndex(warm)
    quoted_in = {index.doc_id(pid) for pid, _ in index.statements_by("p:chidi okafor")}
    assert quoted_in == {"timetable.md", "chief.md"}


def test_an_unreadable_cache_file_is_worked_out_again(tmp_path: Path) -> None:
    knowledge = shipped_domain().knowledge()
    corpus = corpus_of(ARTICLES)
    build(corpus, knowledge, cache=ReadingCache(tmp_path, "v1"))
    files = sorted(tmp_path.glob("??/*.json"))
    assert len(files) == len(corpus.articles)
    files[0].write_text("{not json", encoding="utf-8")
    files[1].write_text('{"paragraph": [1], "start": [0]}', encoding="utf-8")
    same(build(corpus, knowledge), build(corpus, knowledge, cache=ReadingCache(tmp_path, "v1")))


def test_the_saved_index_keeps_its_cache_and_prunes_what_no_article_uses(tmp_path: Path) -> None:
    shelf, index_dir = tmp_path / "shelf", tmp_path / "index"
    shutil.copytree(ARTICLES, shelf)
    open_index(shelf, index_dir)
    cached = lambda: sorted(p.name for p in (index_dir / "read").glob("??/*.json"))  # noqa: E731
    assert len(cached()) == len(corpus_of(shelf).articles)
    (shelf / "harbour.md").unlink()
    build_and_save(corpus_of(shelf), index_dir)
    assert len(cached()) == len(corpus_of(shelf).articles)
    assert list(shelf.glob(".*")) == []  # nothing written into the articles' folder


def test_a_build_on_two_cores_equals_a_build_on_one(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from benchmarks.synth import generate

    monkeypatch.setattr(workers, "MIN_PARALLEL_CHARS", 0)
    monkeypatch.setattr(workers, "BATCH_CHARS", 20_000)
    shelf = tmp_path / "shelf"
    shutil.copytree(ARTICLES, shelf)
    generate(shelf / "synthetic", 3_000, per_article=50)
    (shelf / "ferry.md").write_text(SURNAME_ONLY, encoding="utf-8")
    (shelf / "chief.md").write_text(FULL_NAME, encoding="utf-8")
    knowledge = shipped_domain().knowledge()
    corpus = corpus_of(shelf)
    with workers.Workers(corpus.articles, knowledge, 2) as pool:
        readings = pool.read(range(len(corpus.articles)))
        assert pool._pool is not None  # worker processes did the reading
    assert len(readings) == len(corpus.articles)
    same(build(corpus, knowledge, workers=1), build(corpus, knowledge, workers=2))


def _dies_in_a_worker(analyzer: Analyzer, articles: list[Article]) -> list[Reading]:
    """Reads articles, but kills the worker process it runs in (as the kernel's OOM killer would)."""
    if multiprocessing.parent_process() is not None:
        os._exit(1)
    return [read(article, analyzer) for article in articles]


def test_a_worker_that_dies_costs_time_not_the_build(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from benchmarks.synth import generate

    monkeypatch.setattr(workers, "MIN_PARALLEL_CHARS", 0)
    monkeypatch.setattr(workers, "BATCH_CHARS", 20_000)
    corpus = corpus_of(generate(tmp_path / "shelf", 2_000, per_article=50))
    knowledge = shipped_domain().knowledge()
    numbers = list(range(len(corpus.articles)))
    with workers.Workers(corpus.articles, knowledge, 2) as pool:
        done = {
            n: r
            for batch, found in pool._run(numbers, _dies_in_a_worker, ())
            for n, r in zip(batch, found, strict=True)
        }
    assert sorted(done) == numbers
    analyzer = Analyzer(knowledge.aliases)
    assert all(done[n].keys == read(corpus.articles[n], analyzer).keys for n in numbers)
    assert "a worker process stopped" in caplog.text
