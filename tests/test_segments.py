"""An index kept up to date in segments ranks and answers exactly as one rebuilt whole.

The articles are our own, written for these tests: a harbour town's council, a port strike, people
named in full in one article and by surname in another.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.answers import answer
from bot.config import default_index_folder
from bot.corpus import file_changes, load_corpus
from bot.domain import shipped_domain
from bot.index import IndexWriter, SearchIndex, merge_segments, open_index, store
from bot.index.update import SEGMENTS_PER_TIER
from tests.conftest import OWN_ARTICLES

QUERIES = [
    "harbour council vote",
    "strike at the port",
    "what did Obiora say",
    "ferry timetable winter",
    "budget for the new quay",
    "dockworkers wages",
    "mayor",
]
QUESTIONS = [
    "/whosaid Obiora",
    "/whosaid the quay will be finished",
    "/ask what did the council decide about the ferry?",
    "/ask who spoke about wages?",
]

ARTICLES = {
    "quay.md": """---
title: Council backs a new quay
date: 2026-03-02
---

The harbour council voted on Tuesday to build a new quay for the ferries.

"The quay will be finished before the winter timetable starts," said Mayor Ines Lindqvist.

The budget for the new quay is four million, the council's papers show.
""",
    "strike.md": """---
title: Dockworkers walk out over wages
date: 2026-03-05
---

Dockworkers at the port began a strike over wages on Monday.

"We have waited three years for a fair offer," said union leader Chidi Obiora.

The port authority said the ferry timetable would not change during the strike.
""",
    "talks.md": """---
title: Port talks resume
date: 2026-03-09
---

Talks between the union and the port authority resumed on Friday.

Obiora said the union would accept a phased rise in wages if the quay work went ahead.

Lindqvist told reporters the council hoped the strike would end within a week.
""",
}


def _write(folder: Path, name: str, text: str) -> None:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    earlier = time.time() - 3600  # out of the clock tick in which a file's time is not trusted
    os.utime(path, (earlier, earlier))


def _compare(corpus: Path, index: SearchIndex) -> None:
    """`index` ranks every query and answers every question as a full build of `corpus` does."""
    whole = SearchIndex.build(load_corpus(corpus))
    assert index.articles == whole.articles
    assert index.live_passages == whole.live_passages == len(whole)  # what /healthz and the CLI report
    for query in QUERIES:
        terms = whole.analyzer.tokenize(query)
        ours, theirs = index.search(terms, 10), whole.search(terms, 10)
        assert [(h.passage, h.matched) for h in ours] == [(h.passage, h.matched) for h in theirs], query
        assert [h.score for h in ours] == pytest.approx([h.score for h in theirs], rel=1e-6), query
        for term in terms:
            assert index.idf(term) == pytest.approx(whole.idf(term), rel=1e-12)
    for question in QUESTIONS:
        assert answer(question, index).model_dump() == answer(question, whole).model_dump(), question
    assert list(index.people) == list(whole.people)
    for key in whole.speakers:
        ours = [(index.passage(p), s) for p, s in index.statements_by(key)]
        assert ours == [(whole.passage(p), s) for p, s in whole.statements_by(key)], key


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted(OWN_ARTICLES.glob("*.md"))[:3]:
        shutil.copy(path, corpus / path.name)
        os.utime(corpus / path.name, (time.time() - 3600,) * 2)
    _write(corpus, "quay.md", ARTICLES["quay.md"])
    return corpus


def test_adds_changes_and_removals_rank_as_a_full_build(shelf: Path) -> None:
    index = open_index(shelf)
    assert len(index.segments) == 1
    _write(shelf, "strike.md", ARTICLES["strike.md"])  # added
    index = open_index(shelf, previous=index)
    assert len(index.segments) == 2
    _compare(shelf, index)
    _write(shelf, "quay.md", ARTICLES["quay.md"].replace("four million", "five million"))  # changed
    index = open_index(shelf, previous=index)
    assert len(index.segments) == 3 and index.live_passages < len(index)  # the old version is deleted
    _compare(shelf, index)
    (shelf / sorted(OWN_ARTICLES.glob("*.md"))[0].name).unlink()  # removed
    index = open_index(shelf, previous=index)
    _compare(shelf, index)
    [best] = index.search(index.analyzer.tokenize("budget quay million"), 1)
    assert "five million" in best.passage.text  # the new version is quoted, never the deleted one


def test_a_new_full_name_reattributes_an_older_article_by_surname(shelf: Path) -> None:
    # "Obiora said" in an older article resolves to Chidi Obiora only once an article names him in full.
    _write(shelf, "talks.md", ARTICLES["talks.md"].replace("2026-03-09", "2026-03-01"))
    index = open_index(shelf)
    _write(shelf, "strike.md", ARTICLES["strike.md"])
    index = open_index(shelf, previous=index)
    assert len(index.segments) == 2
    assert "talks.md" in index.segments[0].deleted  # indexed again, with the new people
    _compare(shelf, index)
    said = {index.doc_id(p) for p, _ in index.statements_by("p:chidi obiora")}
    assert said == {"talks.md", "strike.md"}


def test_an_article_sharing_a_sentence_is_indexed_with_a_full_build(
    shelf: Path, caplog: pytest.LogCaptureFixture
) -> None:
    index = open_index(shelf)
    copied = ARTICLES["strike.md"].replace(
        "The port authority",
        "The harbour council voted on Tuesday to build a new quay for the ferries. The port",
    )
    _write(shelf, "copy.md", copied)
    with caplog.at_level(logging.WARNING, logger="bot.index"):
        index = open_index(shelf, previous=index)
    assert "shares sentences" in caplog.text and len(index.segments) == 1
    _compare(shelf, index)


def test_many_small_segments_are_merged_and_rank_the_same(shelf: Path) -> None:
    index = open_index(shelf)
    for number in range(SEGMENTS_PER_TIER + 1):
        _write(
            shelf,
            f"note-{number:02}.md",
            f"# Harbour note {number}\n\nThe ferry number {number} sailed late "
            f"on day {number} of the strike, said deckhand Tomas Lind{number}.\n",
        )
        index = open_index(shelf, previous=index)
    assert len(index.segments) == SEGMENTS_PER_TIER + 2
    _compare(shelf, index)
    assert merge_segments(default_folder := default_index_folder(shelf), shelf) >= 1
    merged = open_index(shelf)
    assert len(merged.segments) < len(index.segments)
    assert sorted(p.name for p in default_folder.glob("seg-*")) == sorted(s.name for s in merged.segments)
    _compare(shelf, merged)


def test_kill_9_during_updates_and_merges_leaves_a_usable_index_and_no_debris(tmp_path: Path) -> None:
    from benchmarks.synth import generate
    from bot.index import mapped
    from bot.index.store import read_manifest
    from tests.slack_kit import clean_environ
    from tests.test_cli import run

    corpus = generate(tmp_path / "shelf", 20_000)
    for path in corpus.iterdir():
        os.utime(path, (time.time() - 3600,) * 2)
    folder = default_index_folder(corpus)
    assert run("index", "--corpus", str(corpus)).returncode == 0

    def late_article(number: int) -> None:
        extra = generate(tmp_path / f"late-{number}", 60, seed=100 + number)
        for path in extra.iterdir():
            _write(corpus, f"late-{number}-{path.name}", path.read_text(encoding="utf-8"))

    def killed(flag: str, delay: float) -> None:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "index", flag, "--corpus", str(corpus)],
            env=clean_environ(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.wait()
        manifest = read_manifest(folder)  # whatever the moment: a whole manifest naming whole segments
        assert len(mapped(folder, manifest)) > 0

    # Killed before, during and after the work (start-up takes about half a second).
    for number, delay in enumerate((0.4, 0.7, 0.8, 0.9, 1.0, 1.3)):
        late_article(number)
        killed("--if-stale", delay)
    # What the killed runs left undone becomes one segment (of one batch or of several, by how far they
    # got: it depends on the machine's speed), so that the runs below make a tier of equal segments.
    assert run("index", "--if-stale", "--corpus", str(corpus)).returncode == 0
    for number in range(6, 6 + SEGMENTS_PER_TIER):  # enough small segments for a merge to be due
        late_article(number)
        assert run("index", "--if-stale", "--corpus", str(corpus)).returncode == 0
    assert open_index(corpus).merge_due()
    for delay in (0.5, 0.9, 1.0, 1.1, 1.2):
        killed("--merge", delay)
    assert run("index", "--merge", "--corpus", str(corpus)).returncode == 0
    index = open_index(corpus)
    assert not index.merge_due()
    names = {p.name for p in folder.iterdir()}
    assert not any(name.startswith(".staging-") for name in names)
    assert {n for n in names if n.startswith("seg-")} == {s.name for s in index.segments}
    whole = SearchIndex.build(load_corpus(corpus))
    for query in ("the of harbour", "ka lo mi", "str pl gr"):
        terms = whole.analyzer.tokenize(query)
        ours, theirs = index.search(terms, 10), whole.search(terms, 10)
        assert [h.passage for h in ours] == [h.passage for h in theirs]
        assert [h.score for h in ours] == pytest.approx([h.score for h in theirs], rel=1e-6)


def test_the_writer_commits_each_change_as_one_new_manifest(shelf: Path) -> None:
    # IndexWriter is the one writer: an add is a new segment and deletion marks, committed by one new
    # manifest that readers then map; a change only a full build can settle is left unwritten.
    folder = default_index_folder(shelf)
    open_index(shelf)
    knowledge = shipped_domain().knowledge()
    before = store.read_manifest(folder)
    _write(shelf, "strike.md", ARTICLES["strike.md"])
    _write(shelf, "quay.md", ARTICLES["quay.md"].replace("four million", "five million"))
    changes = file_changes(shelf, before.files, before.taken_ns)
    with IndexWriter(folder, knowledge, shelf) as writer:
        after = writer.add(before, changes)
    assert after is not None and store.read_manifest(folder) == after and after.id != before.id
    assert [s.name for s in after.segments[:-1]] == [s.name for s in before.segments]
    assert after.segments[0].deleted == ["quay.md"]  # the earlier version, marked deleted in its segment
    _compare(shelf, open_index(shelf))
    _write(shelf, "copy.md", ARTICLES["talks.md"] + "\n" + ARTICLES["strike.md"].split("---")[-1])
    latest = store.read_manifest(folder)
    with IndexWriter(folder, knowledge, shelf) as writer:  # shares sentences with strike.md
        assert writer.add(latest, file_changes(shelf, latest.files, latest.taken_ns)) is None
    assert store.read_manifest(folder) == latest  # nothing committed
