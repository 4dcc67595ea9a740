"""Bring a saved index up to date by writing a segment for what changed, and merge small segments.

An update leaves every unchanged article where it is. The articles added or changed go into one new
segment; their earlier versions, and removed articles, are marked deleted in their segments. The
result is the index a full build would give (the same passages, statements and BM25 scores), because
what an article contributes depends on no other article, with two exceptions that are checked:
- the people of the shelf: attribution resolves names against everyone the shelf names. The people
  are worked out again from every live article's names; an older article whose attribution rested on
  a lookup that now finds someone else is indexed again, in the new segment;
- copies: a sentence already indexed from an earlier article is left out of a later one. When a
  changed article shares a sentence with an article outside the update, only a full build can say
  which keeps it, and `update` returns None.
Merging folds segments together by building one segment from their live articles, with the shelf's
current people (and each article's cached reading, so it costs little).
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from bot.attribution import People, article_names, lookups_hold, people_of
from bot.copies import article_keys
from bot.corpus import (
    Article,
    ArticleInfo,
    Corpus,
    ExtractionCache,
    FileChanges,
    article_from_bytes,
    file_digest,
    read_bytes,
)
from bot.domain import Knowledge
from bot.errors import ArticleError
from bot.index import store
from bot.index.builder import ArticleRecords, IndexData, build
from bot.index.reading import ReadingCache
from bot.index.workers import Progress

logger = logging.getLogger(__name__)

SEGMENTS_PER_TIER = 10  # Lucene's tiered policy: this many segments of one size class are merged
TIER_FACTOR = 10  # a size class holds segments within this factor of each other's live passages
EXPUNGE_SHARE = 0.5  # a segment with this share of its passages deleted is rewritten


@dataclass(frozen=True)
class _Saved:
    """A segment of the current index, with its deletions and records."""

    name: str
    data: IndexData
    deleted: frozenset[str]
    records: ArticleRecords


@dataclass(frozen=True)
class Reader:
    """How to read an article file of the corpus: the folder, the extraction cache, clutter lines."""

    corpus_dir: Path
    extraction_cache: ExtractionCache | Path | None
    clutter: tuple[str, ...]

    def article(self, name: str, digest: str | None = None) -> Article:
        """The article in file `name`; ArticleError if unreadable, or no longer the bytes of `digest`."""
        path = self.corpus_dir / name
        data = read_bytes(path)
        if digest is not None and file_digest(data) != digest:
            raise ArticleError("changed while the index was updated")
        return article_from_bytes(
            data, name, path.suffix.lower(), cache=self.extraction_cache, clutter=self.clutter
        )


def update(
    folder: Path,
    manifest: store.Manifest,
    changes: FileChanges,
    reader: Reader,
    knowledge: Knowledge,
    progress: Progress | None = None,
    cache: ReadingCache | None = None,
) -> store.Manifest | None:
    """Write a segment with the changed articles and return the manifest that makes it current (not yet
    written); None when only a full build gives the right index."""
    saved = _saved(folder, manifest)
    leaving = set(changes.changed) | set(changes.removed)
    fresh: list[Article] = []
    for name in changes.changed:
        try:
            fresh.append(reader.article(name))
        except (ArticleError, OSError) as exc:
            logger.warning("skipped %s: %s", name, exc)
    staying = _live(saved, leaving)
    if _shares_sentences(
        [article_keys(a) for a in fresh], _keys_of(saved, leaving), _keys_of(saved, staying)
    ):
        return None
    people = _people(saved, staying, fresh, knowledge)
    stale = _stale(saved, staying, people)
    if stale:
        others = staying - stale
        if _shares_sentences([], _keys_of(saved, stale), _keys_of(saved, others)):
            return None
        recorded = {f.name: f.digest for f in changes.files}
        try:
            fresh += [reader.article(name, recorded.get(name)) for name in sorted(stale)]
        except (ArticleError, OSError):
            return None
        leaving |= stale
    data = build(Corpus(articles=tuple(fresh), skipped=()), knowledge, progress, cache, people=people)
    name = store.save_segment(data, folder)
    segments = [
        store.SegmentEntry(
            name=s.name, deleted=sorted(s.deleted | {a.doc_id for a in s.data.articles} & leaving)
        )
        for s in saved
    ]
    return manifest.model_copy(
        update={
            "id": store.new_id(),
            "segments": [*segments, store.SegmentEntry(name=name)],
            "files": list(changes.files),
            "taken_ns": changes.taken_ns,
        }
    )


def merge_plan(sizes: list[tuple[int, int]]) -> list[int]:
    """Which segments to merge (positions in the manifest), given each one's (passages, live
    passages); [] when none need to be. Tiered like Lucene's policy: when a size class holds
    SEGMENTS_PER_TIER segments, its smallest are merged; a segment mostly deleted is rewritten."""
    for at, (total, live) in enumerate(sizes):
        if total and (total - live) >= EXPUNGE_SHARE * total:
            return [at]
    tiers: dict[int, list[int]] = {}
    for at, (_, live) in enumerate(sizes):
        tiers.setdefault(int(math.log(max(live, 1), TIER_FACTOR)), []).append(at)
    for tier in sorted(tiers):
        members = tiers[tier]
        if len(members) >= SEGMENTS_PER_TIER:
            return sorted(sorted(members, key=lambda at: sizes[at][1])[:SEGMENTS_PER_TIER])
    return []


def merge(
    folder: Path,
    manifest: store.Manifest,
    chosen: list[int],
    reader: Reader,
    knowledge: Knowledge,
    cache: ReadingCache | None = None,
) -> store.Manifest | None:
    """Build one segment from the live articles of the `chosen` segments and return the manifest with it
    in their place (not yet written); None if an article file no longer holds what was indexed."""
    saved = _saved(folder, manifest)
    entries = [saved[at] for at in chosen]
    recorded = {f.name: f.digest for f in manifest.files}
    people = People(saved[-1].data.people, knowledge.epithets)
    try:
        articles = [
            reader.article(a.doc_id, recorded.get(a.doc_id))
            for s in entries
            for a in s.data.articles
            if a.doc_id not in s.deleted
        ]
    except (ArticleError, OSError) as exc:
        logger.info("segments not merged: %s", exc)
        return None
    data = build(Corpus(articles=tuple(articles), skipped=()), knowledge, None, cache, people=people)
    name = store.save_segment(data, folder)
    kept = [store.SegmentEntry(name=s.name, deleted=sorted(s.deleted)) for at, s in enumerate(saved)]
    merged = store.SegmentEntry(name=name)
    at = chosen[-1] if len(saved) - 1 in chosen else chosen[0]  # the newest segment's people stay last
    segments = [merged if i == at else entry for i, entry in enumerate(kept) if i == at or i not in chosen]
    return manifest.model_copy(update={"id": store.new_id(), "segments": segments})


# -- internals ----------------------------------------------------------------------------------


def _saved(folder: Path, manifest: store.Manifest) -> list[_Saved]:
    return [
        _Saved(
            entry.name,
            store.load_segment(folder, entry.name),
            frozenset(entry.deleted),
            store.load_records(folder, entry.name),
        )
        for entry in manifest.segments
    ]


def _live(saved: list[_Saved], leaving: set[str]) -> set[str]:
    return {
        a.doc_id
        for s in saved
        for a in s.data.articles
        if a.doc_id not in s.deleted and a.doc_id not in leaving
    }


def _keys_of(saved: list[_Saved], doc_ids: set[str]) -> np.ndarray:
    """The copy keys of the passages of these live articles."""
    parts = []
    for s in saved:
        wanted = np.array(
            [a.doc_id in doc_ids and a.doc_id not in s.deleted for a in s.data.articles], dtype=bool
        )
        if wanted.any():
            parts.append(s.records.keys[wanted[s.records.key_article]])
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.uint64)


def _shares_sentences(fresh: list[np.ndarray], leaving: np.ndarray, staying: np.ndarray) -> bool:
    """A changed article shares a sentence with one that stays: which keeps it depends on both."""
    changed = np.concatenate([*fresh, leaving]) if fresh or len(leaving) else np.zeros(0, np.uint64)
    # The few changed keys are looked for in the shelf's many (numpy compares each in one pass), rather
    # than the shelf's keys sorted to look them up (a second at a million passages).
    return bool(len(changed)) and bool(np.isin(staying, changed).any())


def _people(saved: list[_Saved], staying: set[str], fresh: list[Article], knowledge: Knowledge) -> People:
    """The people the shelf names, gathered in corpus order (articles oldest first), as a full build."""
    named: list[tuple[tuple[bool, str, str], list[tuple[str, str | None]]]] = [
        (_order(a), s.records.names[n])
        for s in saved
        for n, a in enumerate(s.data.articles)
        if a.doc_id in staying and a.doc_id not in s.deleted
    ]
    named += [(_order(a), article_names(a)) for a in fresh]
    named.sort(key=lambda item: item[0])
    return people_of((names for _, names in named), knowledge.epithets)


def _stale(saved: list[_Saved], staying: set[str], people: People) -> set[str]:
    """Articles that stay but whose attribution no longer holds with `people`."""
    before = saved[-1].data.people if saved else []
    if list(people) == before:
        return set()
    return {
        a.doc_id
        for s in saved
        for n, a in enumerate(s.data.articles)
        if a.doc_id in staying
        and a.doc_id not in s.deleted
        and not lookups_hold(s.records.lookups[n], people)
    }


def _order(article: ArticleInfo) -> tuple[bool, str, str]:
    return (article.date is None, article.date or "", article.doc_id)
