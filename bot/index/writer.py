"""The one writer of an index folder: a new segment for what changed, a whole new index, merges.

`IndexWriter` holds the folder's build lock while it is open (`with IndexWriter(...) as writer:`; a
caller that already holds it, the CLI under the hosts' lock, says `held=True`). Each change it makes
is committed by writing a new manifest in one rename (`store.write_manifest`), so a reader, or a
writer killed half-way, only ever sees the previous manifest or the next one.

A passage's postings, start to end: `builder.build` makes the arrays, `store.save_segment` writes them
as a segment, `lifecycle.mapped` memory-maps each segment the manifest names, and `searcher` scores
them through `engine`.
"""

from __future__ import annotations

import contextlib
import logging
from pathlib import Path
from types import TracebackType

from bot.corpus import Corpus, ExtractionCache, FileChanges
from bot.domain import Knowledge
from bot.errors import IndexUnusable
from bot.index import meaning, store, update
from bot.index.builder import IndexData, build
from bot.index.reading import ReadingCache
from bot.index.searcher import mapped
from bot.index.workers import Progress

logger = logging.getLogger(__name__)


def extraction_cache(index_folder: Path) -> Path | None:
    """Where what was extracted from pages and PDFs is kept: in the index folder, once Citebot owns it."""
    return index_folder / "extracted" if store.owned(index_folder) else None


def reading_cache(index_folder: Path, knowledge: Knowledge) -> ReadingCache | None:
    """Where what each article contributes to the index is kept: in the index folder, once Citebot owns it."""
    if not store.owned(index_folder):
        return None
    return ReadingCache(index_folder / "read", f"{store.code_version()}:{knowledge.fingerprint}")


class IndexWriter:
    """Adds, deletes (as a new segment and deletion marks), rebuilds and merges the index in `folder`,
    read with `knowledge`. `corpus_dir`, the articles' folder, is needed to add and merge (they read
    articles by name); `rebuild` is given its corpus. `extraction` is where pages' extractions are
    remembered (default: the folder's own `extracted/`)."""

    def __init__(
        self,
        folder: Path,
        knowledge: Knowledge,
        corpus_dir: Path | None = None,
        extraction: ExtractionCache | Path | None = None,
        *,
        held: bool = False,
    ) -> None:
        self.folder = folder
        self.corpus_dir = corpus_dir
        self.knowledge = knowledge
        self._extraction = extraction
        self._held = held
        self._lock = contextlib.ExitStack()

    def __enter__(self) -> IndexWriter:
        if not self._held:
            self._lock.enter_context(store.building(self.folder))
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        self._lock.close()

    @property
    def extraction(self) -> ExtractionCache | Path | None:
        return self._extraction if self._extraction is not None else extraction_cache(self.folder)

    def _reader(self) -> update.Reader:
        if self.corpus_dir is None:
            raise ValueError("IndexWriter needs corpus_dir to add or merge")
        return update.Reader(self.corpus_dir, self.extraction, self.knowledge.clutter)

    def add(
        self, manifest: store.Manifest, changes: FileChanges, progress: Progress | None = None
    ) -> store.Manifest | None:
        """Index the articles added or changed since `manifest` as one new segment, mark their earlier
        versions and removed articles deleted, and commit; None (nothing written) when only a full build
        can say what the index is (a changed article shares sentences with another)."""
        reader = self._reader()
        cache = reading_cache(self.folder, self.knowledge)
        updated = update.update(self.folder, manifest, changes, reader, self.knowledge, progress, cache)
        if updated is None:
            return None
        store.write_manifest(self.folder, updated)
        logger.info(
            "index in %s updated: %d new or changed and %d removed article files, in a new segment",
            self.folder,
            len(changes.changed),
            len(changes.removed),
        )
        return updated

    def rebuild(
        self, corpus: Corpus, progress: Progress | None = None, workers: int | None = None
    ) -> tuple[IndexData, store.Manifest | None]:
        """Index `corpus` whole as one segment and commit it; the manifest is None when it could not be
        saved (that only costs the next start). The vectors of passages already embedded are kept."""
        cache = reading_cache(self.folder, self.knowledge)
        data = build(corpus, self.knowledge, progress, cache, workers)
        manifest = None
        try:
            manifest = store.save(
                data,
                self.folder,
                corpus.files,
                corpus.stat_taken_ns,
                lambda name, replaced: meaning.carry_over(self.folder, replaced, name),
            )
        except OSError as exc:
            logger.warning(
                "could not save the index to %s (%s); it will be rebuilt next time", self.folder, exc
            )
        if cache is not None:
            cache.prune()
        return data, manifest

    def merge_once(self) -> bool:
        """Merge the segments the tiered policy picks (`update.merge_plan`) into one and commit; False
        when no merge is due or the index cannot be merged now."""
        try:
            manifest = store.read_manifest(self.folder)
            manifest.usable(self.knowledge.fingerprint)
            sizes = mapped(self.folder, manifest).segment_sizes()
        except IndexUnusable:
            return False
        chosen = update.merge_plan(sizes)
        if not chosen:
            return False
        reader = self._reader()
        cache = reading_cache(self.folder, self.knowledge)
        merged = update.merge(self.folder, manifest, chosen, reader, self.knowledge, cache)
        if merged is None:
            return False
        old = {entry.name for entry in manifest.segments}
        for entry in merged.segments:
            if entry.name not in old:  # the merged segment: its passages keep their vectors
                meaning.carry_over(self.folder, old - {e.name for e in merged.segments}, entry.name)
        store.write_manifest(self.folder, merged)
        return True
