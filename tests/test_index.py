"""index: BM25 equal to the rank-bm25 reference, and a saved index that is used only when current."""

from __future__ import annotations

import json
import logging
import math
import os
import time
from pathlib import Path

import numpy as np
import pytest
from rank_bm25 import BM25Okapi

import bot.corpus.files
import bot.corpus.loading
import bot.index
from benchmarks.synth import generate, queries
from bot.config import default_index_folder
from bot.corpus import Corpus, load_corpus, parse_article
from bot.index import SearchIndex, open_index
from bot.index.store import POINTER
from bot.text import tokenize_query
from tests.conftest import SEEDS


def tiny_index(paragraphs: list[str]) -> SearchIndex:
    text = "\n".join(paragraphs) + "\n"
    return SearchIndex.build(Corpus(articles=(parse_article(text, "tiny.txt"),), skipped=()))


def reference(index: SearchIndex) -> BM25Okapi:
    """rank-bm25 over exactly the same passages and terms, with the same variant."""
    return BM25Okapi([index.terms(i) for i in range(len(index))], k1=1.5, b=0.75, epsilon=0.0)


def assert_same_ranking(index: SearchIndex, ref: BM25Okapi, query: list[str], k: int = 10) -> None:
    ours = index.scores(query)
    theirs = ref.get_scores(query)
    assert np.allclose(ours, theirs, rtol=1e-6, atol=1e-12)
    top = index.top(ours, k)
    expected = [int(i) for i in np.argsort(-theirs, kind="stable")[:k] if theirs[i] > 0]
    assert len(top) == len(expected)
    # Same scores rank by rank, and the same passages wherever a score is not tied with another.
    assert np.allclose(ours[top], theirs[expected], rtol=1e-6)
    for rank, pid in enumerate(expected):
        ties = np.isclose(theirs, theirs[pid], rtol=1e-6).sum()
        if ties == 1:
            assert top[rank] == pid


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
    # Why we chose epsilon=0: with rank-bm25's default floor the commonest word wins.
    index = tiny_index(common_word_corpus())
    default = BM25Okapi([index.terms(i) for i in range(len(index))])
    assert default.idf["ukraine"] > default.idf["troop"]
    scores = default.get_scores(["ukraine", "troop"])
    assert index.passage_text(int(np.argmax(scores))).startswith("Ukraine ukraine ukraine")


SEED_QUERIES = [
    "troops ceasefire",
    "Putin NATO neutral",
    "Zelensky security guarantees",
    "troops troops Ukraine",  # a repeated term counts twice, as in rank-bm25
    "zzz",
    "Ukraine",
]


@pytest.mark.parametrize("query", SEED_QUERIES)
def test_seed_scores_and_top10_equal_rank_bm25(seed_index: SearchIndex, query: str) -> None:
    assert_same_ranking(seed_index, reference(seed_index), tokenize_query(query))


@pytest.fixture(scope="module")
def synthetic_index(tmp_path_factory: pytest.TempPathFactory) -> SearchIndex:
    folder = generate(tmp_path_factory.mktemp("synthetic") / "corpus", 10_000)
    return SearchIndex.build(load_corpus(folder))


def test_synthetic_10k_scores_and_top10_equal_rank_bm25(synthetic_index: SearchIndex) -> None:
    assert len(synthetic_index) == 10_000
    ref = reference(synthetic_index)
    for query in queries(25):
        assert_same_ranking(synthetic_index, ref, tokenize_query(query))


def test_unknown_terms_get_the_largest_idf(seed_index: SearchIndex) -> None:
    n = len(seed_index)
    assert seed_index.idf("qwertyuiop") == pytest.approx(math.log((n + 0.5) / 0.5))
    assert seed_index.idf("qwertyuiop") > seed_index.idf("nemeth")


def test_search_is_best_first_and_reports_matched_terms(seed_index: SearchIndex) -> None:
    hits = seed_index.search(tokenize_query("long shot Németh"), k=5)
    assert hits[0].passage.text.startswith("As things stand, the chance of this force")
    assert hits[0].matched == {"long", "shot", "nemeth"}
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_top_breaks_ties_by_passage_order() -> None:
    index = tiny_index(
        ["Alpha one.", "Beta two.", "Alpha three.", "Gamma four.", "Alpha five.", "Delta six.", "Zeta."]
    )
    scores = index.scores(["alpha"])
    assert scores[0] == scores[2] == scores[4] > 0
    assert index.top(scores, 2) == [0, 2]


def test_empty_query_scores_nothing(seed_index: SearchIndex) -> None:
    assert seed_index.search([], k=3) == []


def test_pronoun_speaker_is_searchable(seed_index: SearchIndex) -> None:
    hits = seed_index.search(tokenize_query("Putin readiness negotiate preconditions"), k=1)
    assert hits[0].passage.text.startswith("He expressed Russia’s readiness to negotiate")


# -- the saved index ----------------------------------------------------------------------------


@pytest.fixture
def corpus_copy(tmp_path: Path, seeds_dir: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in seeds_dir.glob("*.txt"):
        (folder / path.name).write_bytes(path.read_bytes())
    return folder


def current_segments(corpus: Path) -> list[Path]:
    """The folders of the index segments now in use for `corpus` (default index folder)."""
    folder = default_index_folder(corpus)
    return [folder / s["name"] for s in json.loads((folder / POINTER).read_text("utf-8"))["segments"]]


def test_saved_index_answers_like_a_fresh_one(corpus_copy: Path, seed_index: SearchIndex) -> None:
    open_index(corpus_copy)
    loaded = open_index(corpus_copy)
    assert isinstance(loaded.segments[0].data.postings.docs, np.memmap)  # mapped, not read into memory
    assert len(loaded) == len(seed_index)
    for query in SEED_QUERIES:
        terms = tokenize_query(query)
        assert np.array_equal(loaded.scores(terms), seed_index.scores(terms))
    for pid in range(len(loaded)):
        assert loaded.passage(pid) == seed_index.passage(pid)
        assert loaded.statements_of(pid) == seed_index.statements_of(pid)


def test_a_current_index_is_loaded_not_rebuilt(corpus_copy: Path, caplog: pytest.LogCaptureFixture) -> None:
    open_index(corpus_copy)
    manifest = default_index_folder(corpus_copy) / POINTER
    stamp = manifest.stat().st_mtime_ns
    with caplog.at_level(logging.INFO, logger="bot.index"):
        open_index(corpus_copy)
    assert manifest.stat().st_mtime_ns == stamp
    assert not caplog.records


def test_a_changed_corpus_is_updated_with_a_new_segment(
    corpus_copy: Path, caplog: pytest.LogCaptureFixture
) -> None:
    open_index(corpus_copy)
    [first] = current_segments(corpus_copy)
    (corpus_copy / "new.txt").write_text(
        "Penguin Plan\nPenguins deploy to Antarctica, officials say.\n", "utf-8"
    )
    with caplog.at_level(logging.INFO, logger="bot.index"):
        index = open_index(corpus_copy)
    assert "new.txt" in index.articles
    assert "1 new or changed" in caplog.text
    assert current_segments(corpus_copy)[0] == first and len(current_segments(corpus_copy)) == 2


def test_a_touched_but_unchanged_file_does_not_rebuild(corpus_copy: Path) -> None:
    open_index(corpus_copy)
    stamp = (default_index_folder(corpus_copy) / POINTER).stat().st_mtime_ns
    path = next(corpus_copy.glob("*.txt"))
    path.write_bytes(path.read_bytes())  # new timestamp, same content
    open_index(corpus_copy)
    assert (default_index_folder(corpus_copy) / POINTER).stat().st_mtime_ns == stamp


@pytest.mark.parametrize("damage", ["truncate-array", "garble-json", "delete-text", "bad-manifest"])
def test_a_corrupt_index_is_rebuilt_with_a_warning(
    corpus_copy: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    open_index(corpus_copy)
    [folder] = current_segments(corpus_copy)
    if damage == "truncate-array":
        path = folder / "postings.docs.npy"
        path.write_bytes(path.read_bytes()[:200])
    elif damage == "garble-json":
        (folder / "vocabulary.json").write_text("[1, 2", "utf-8")
    elif damage == "delete-text":
        (folder / "text.bin").unlink()
    else:
        (folder / "manifest.json").write_text("{not json", "utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        index = open_index(corpus_copy)
    assert "rebuilt whole" in caplog.text
    assert len(index) > 100
    assert open_index(corpus_copy).fingerprint == index.fingerprint  # and the rebuilt one was saved


def test_index_dir_setting_puts_it_elsewhere(corpus_copy: Path, tmp_path: Path) -> None:
    elsewhere = tmp_path / "somewhere" / "index"
    open_index(corpus_copy, elsewhere)
    assert (elsewhere / POINTER).exists() and not default_index_folder(corpus_copy).exists()
    assert sorted(p.name for p in corpus_copy.iterdir()) == sorted(p.name for p in SEEDS.glob("*.txt"))


def test_an_unwritable_index_folder_only_costs_a_warning(
    corpus_copy: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder", "utf-8")
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        index = open_index(corpus_copy, blocker / "index")
    assert len(index) > 100 and "could not save" in caplog.text


def count_reads(monkeypatch: pytest.MonkeyPatch, read: list[Path]) -> None:
    """Note every article file read from now on (the folder's change check and loading both read)."""
    original = bot.corpus.files.read_bytes
    for module in (bot.corpus.files, bot.corpus.loading):
        monkeypatch.setattr(module, "read_bytes", lambda path: read.append(path) or original(path))


def test_an_unchanged_corpus_is_opened_without_reading_its_files_again(
    corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    an_hour_ago = time.time() - 3600
    for path in corpus_copy.iterdir():
        os.utime(path, (an_hour_ago, an_hour_ago))
    open_index(corpus_copy)
    hashed: list[Path] = []
    count_reads(monkeypatch, hashed)
    open_index(corpus_copy)
    assert hashed == []  # names, sizes and times as when it was built: current without hashing
    first = sorted(corpus_copy.iterdir())[0]
    first.write_text(first.read_text(encoding="utf-8") + "\nOne more sentence.\n", encoding="utf-8")
    index = open_index(corpus_copy)  # changed: compared byte for byte, and updated
    assert set(hashed) == {first} and any(
        "One more sentence." in index.passage_text(i) for i in range(len(index))
    )


def test_a_file_changed_just_before_the_build_read_it_is_compared_byte_for_byte(
    corpus_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    open_index(corpus_copy)  # the seeds were copied just now: their times are within a clock tick
    hashed: list[Path] = []
    count_reads(monkeypatch, hashed)
    open_index(corpus_copy)
    assert hashed


def test_the_compiled_scoring_loop_gives_numpys_scores_to_the_last_bit() -> None:
    from bot.index import engine

    if engine._compiled_add() is None:
        pytest.skip("numba is not loadable here")
    rng = np.random.default_rng(7)
    n_docs, n_terms = 5_000, 40
    term_ids = rng.integers(0, n_terms, 60_000)
    doc_ids = rng.integers(0, n_docs, 60_000)
    postings = engine.Postings.build(term_ids, doc_ids, n_terms, n_docs)
    norms = postings.norms(float(postings.doc_len.mean()))
    both = []
    for threshold in (10**9, 0):  # numpy for every term, then the compiled loop for every term
        engine.COMPILED_FROM, saved = threshold, engine.COMPILED_FROM
        try:
            scores = np.zeros(n_docs)
            for term in range(n_terms):
                postings.add_scores(scores, term, engine.weight_factor(1.3 + term / 7, 1 + term % 2), norms)
        finally:
            engine.COMPILED_FROM = saved
        both.append(scores)
    assert np.count_nonzero(both[0]) > n_docs // 2
    assert np.array_equal(both[0], both[1])


def test_a_large_shelf_is_scored_by_the_compiled_loop_and_ranks_as_rank_bm25(
    synthetic_index: SearchIndex, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The synthetic 10k shelf's postings are short of COMPILED_FROM; lowered, every term goes through
    the compiled loop, and the ranking still equals the reference's."""
    from bot.index import engine

    if engine._compiled_add() is None:
        pytest.skip("numba is not loadable here")
    monkeypatch.setattr(engine, "COMPILED_FROM", 1)
    test_synthetic_10k_scores_and_top10_equal_rank_bm25(synthetic_index)
