"""The index's life: open the saved index of a corpus, update it with a new segment for what changed,
merge segments, or build and save a whole new one when there is none or it cannot be updated.
"""

from __future__ import annotations

import logging
from pathlib import Path

from bot.config import default_index_folder
from bot.corpus import Corpus, ExtractionCache, FileChanges, file_changes, load_corpus
from bot.domain import Knowledge
from bot.errors import IndexUnusable
from bot.index import meaning, store
from bot.index.builder import build
from bot.index.searcher import SearchIndex, mapped, shelf_knowledge
from bot.index.workers import Progress
from bot.index.writer import IndexWriter
from bot.meaning import load as load_model

logger = logging.getLogger(__name__)


def open_index(
    corpus_dir: Path,
    index_dir: Path | None = None,
    progress: Progress | None = None,
    *,
    save: bool = True,
    knowledge: Knowledge | None = None,
    previous: SearchIndex | None = None,
    extraction: ExtractionCache | None = None,
) -> SearchIndex:
    """The corpus's saved index, brought up to date if the corpus changed; a new one if there is none.

    `index_dir` defaults to the index folder in the corpus's default state folder. A folder Citebot
    must not write into (see `store.check_folder`) raises CitebotError. `knowledge` is the shelf's aliases
    and epithets (default: the shipped domain file's); an index built with other knowledge is rebuilt.
    A change to a few articles writes one new segment (`update`); `previous`, an index of the same
    folder already open, lends the segments it has mapped. With `save=False` nothing is written: a
    stale index is rebuilt in memory. `extraction` is where pages' extractions are remembered
    (default: the index folder's own `extracted/`).
    """
    knowledge = shelf_knowledge(knowledge)
    folder = index_dir if index_dir is not None else default_index_folder(corpus_dir)
    store.check_folder(folder, corpus_dir)
    try:
        return _current(folder, corpus_dir, knowledge, previous)
    except _Stale as stale:
        reason = str(stale)
    if not save:
        return SearchIndex.build(load_corpus(corpus_dir, clutter=knowledge.clutter), progress, knowledge)
    try:
        with IndexWriter(folder, knowledge, corpus_dir, extraction) as writer:
            try:  # another process may have brought it up to date while we waited for the lock
                return _current(folder, corpus_dir, knowledge, previous)
            except _Stale as stale:
                reason = str(stale)
                if stale.manifest is not None and stale.changes is not None:
                    updated = writer.add(stale.manifest, stale.changes, progress)
                    if updated is not None:
                        index = mapped(folder, updated, previous)
                        index.corpus_stat = tuple((f.name, f.size, f.mtime_ns) for f in stale.changes.files)
                        return index
                    reason = "a changed article shares sentences with another"
            if reason == "no saved index":
                logger.info("no saved index in %s; building one", folder)
            else:
                logger.warning("saved index in %s rebuilt whole (%s)", folder, reason)
            corpus = load_corpus(corpus_dir, cache=writer.extraction, clutter=knowledge.clutter)
            return build_and_save(corpus, folder, progress, knowledge)
    except OSError as exc:  # the lock's folder cannot be written: build in memory
        logger.warning("could not save the index to %s (%s); it will be rebuilt next time", folder, exc)
        return SearchIndex.build(load_corpus(corpus_dir, clutter=knowledge.clutter), progress, knowledge)


def current_index(
    corpus_dir: Path, index_dir: Path, knowledge: Knowledge, previous: SearchIndex | None = None
) -> SearchIndex | None:
    """The saved index if it is already the corpus's as it is now (another process, such as `add`,
    brought it up to date), else None; nothing is built or written."""
    try:
        return _current(index_dir, corpus_dir, knowledge, previous)
    except _Stale:
        return None


class _Stale(Exception):
    """The saved index is not the corpus's: why, and (when it can be updated) how it differs."""

    def __init__(
        self, reason: str, manifest: store.Manifest | None = None, changes: FileChanges | None = None
    ) -> None:
        super().__init__(reason)
        self.manifest = manifest
        self.changes = changes


def _current(
    folder: Path, corpus_dir: Path, knowledge: Knowledge, previous: SearchIndex | None
) -> SearchIndex:
    """The saved index if it is the corpus's as it is now; _Stale otherwise."""
    for _ in range(3):  # a writer may replace segments between reading the manifest and mapping them
        try:
            manifest = store.read_manifest(folder)
            manifest.usable(knowledge.fingerprint)
        except IndexUnusable as exc:
            raise _Stale(str(exc)) from None
        changes = file_changes(corpus_dir, manifest.files, manifest.taken_ns)
        if changes.changed or changes.removed:
            raise _Stale("the corpus has changed since it was built", manifest, changes)
        try:
            index = mapped(folder, manifest, previous)
        except IndexUnusable as exc:
            if store.read_manifest(folder).id != manifest.id:
                continue
            raise _Stale(str(exc)) from None
        index.corpus_stat = tuple((f.name, f.size, f.mtime_ns) for f in changes.files)
        return index
    raise _Stale("replaced while it was being read")


def saved_index(folder: Path) -> SearchIndex | None:
    """The index saved in `folder` as it is, without looking at the corpus; None if there is none."""
    try:
        return mapped(folder, store.read_manifest(folder))
    except IndexUnusable:
        return None


def merge_segments(
    folder: Path, corpus_dir: Path, knowledge: Knowledge | None = None, *, until_done: bool = True
) -> int:
    """Merge the index's segments as the tiered policy asks (`update.merge_plan`), holding the build
    lock for each merge; how many merges were made. Answers go on from the old segments meanwhile."""
    knowledge = shelf_knowledge(knowledge)
    merges = 0
    if not store.owned(folder):
        return merges
    while True:
        with IndexWriter(folder, knowledge, corpus_dir) as writer:
            if not writer.merge_once():
                return merges
            merges += 1
        if not until_done:
            return merges


def build_and_save(
    corpus: Corpus,
    folder: Path | None,
    progress: Progress | None = None,
    knowledge: Knowledge | None = None,
    *,
    workers: int | None = None,
) -> SearchIndex:
    """Index `corpus` whole and save it to `folder` as one segment (a failure to save only costs the
    next start). Call it holding `store.building(folder)`.

    What each article contributed is kept in `folder` too, so that the next build, after an article is
    added or changed, works out again only what changed."""
    knowledge = shelf_knowledge(knowledge)
    if folder is None:
        index = SearchIndex(build(corpus, knowledge, progress, None, workers))
    else:
        writer = IndexWriter(folder, knowledge, held=True)
        data, manifest = writer.rebuild(corpus, progress, workers)
        index = mapped(folder, manifest) if manifest is not None else SearchIndex(data)
    index.corpus_stat = tuple((f.name, f.size, f.mtime_ns) for f in corpus.files)
    return index


def by_meaning(
    index: SearchIndex, folder: Path, *, wait: float = 0.0, report: Progress | None = None
) -> meaning.Filler | None:
    """Rank `index` by meaning as well as words: load the model and fill the saved index's vectors in a
    background thread, waiting up to `wait` seconds for them; None when the model cannot be loaded.
    An index that is not saved gets its vectors now."""
    model = load_model()
    if model is None:
        return None
    index.meaning_model = model
    meaning.warm()  # compile the scan and run the model once: the first question is as fast as the rest
    model.query("warm up")
    if not store.owned(folder) or not (folder / store.POINTER).is_file():
        meaning.embed_in_memory(index.segments, model)
        return None
    filler = meaning.Filler(folder, model, lambda: index.segments, report).start()
    if wait > 0:
        filler.wait(wait)
    return filler
