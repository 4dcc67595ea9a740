"""Use cases on the shelf and its index: load it, build or merge it, add articles to it."""

from __future__ import annotations

import json
import logging
import re
import sys
import time
from contextlib import AbstractContextManager
from pathlib import Path

from bot.config import Settings
from bot.corpus import ExtractionCache, load_corpus, shown_name
from bot.domain import Domain, load_domain
from bot.hosts import build_lock, held_on_shelf, host_extractions, list_shelf
from bot.index import SearchIndex, build_and_save, by_meaning, merge_segments, open_index
from bot.index.workers import Progress
from bot.progress import indexing_progress
from bot.shelf import Shelf, shelf_files

logger = logging.getLogger("bot")


def load_index(settings: Settings, domain: Domain, *, wait: float | None = None) -> SearchIndex:
    """The corpus's index; given `wait` and with MEANING on, it ranks by meaning too, its vectors
    filling in behind it (waited for up to `wait` seconds)."""
    with indexing_progress() as progress, host_extractions(settings) as extracted:
        index = _open(settings, domain, progress, extracted)
    if settings.meaning and wait is not None:
        with indexing_progress("embedding passages", unit="passages") as progress:
            filler = by_meaning(index, settings.index_folder, wait=wait, report=progress if wait else None)
            if filler is not None:
                filler.report_to(None)  # the rest fill in quietly while questions are answered
    return index


def _open(
    settings: Settings, domain: Domain, progress: Progress, extracted: ExtractionCache | None
) -> SearchIndex:
    """The shelf's saved index, brought up to date (a new segment for what changed)."""
    return open_index(
        settings.corpus_dir,
        settings.index_folder,
        progress,
        knowledge=domain.knowledge(),
        extraction=extracted,
    )


def index_build_lock(settings: Settings) -> AbstractContextManager[None]:
    """One build at a time per index folder, across processes (a server rebuilding, `add`, `index`),
    and across hosts when they share a state database."""
    return build_lock(settings)


def index_command(
    settings: Settings, *, if_stale: bool = False, workers: int | None = None, merge: bool = False
) -> int:
    domain = load_domain(settings.domain_path)
    if merge:
        merges = merge_segments(settings.index_folder, settings.corpus_dir, domain.knowledge())
        print(f"Merged segments {merges} time(s), in {settings.index_folder}/")
        return 0
    if if_stale:
        index = load_index(settings, domain)
        print(
            f"Index current: {len(index.articles)} articles, {index.live_passages} passages, in {settings.index_folder}/"
        )
        print(meaning_line(index))
        return 0
    started = time.perf_counter()
    folder = settings.index_folder
    # Under the lock the folder is Citebot's, so its extraction cache can be used.
    with (
        indexing_progress("reading articles") as progress,
        index_build_lock(settings),
        host_extractions(settings) as extracted,
    ):
        corpus = load_corpus(settings.corpus_dir, cache=extracted, clutter=domain.clutter)
        index = build_and_save(corpus, folder, progress, domain.knowledge(), workers=workers)
    seconds = time.perf_counter() - started
    print(
        f"Loaded {len(corpus.articles)} articles, {index.live_passages} passages, from {settings.corpus_dir}/"
    )
    print(f"Index saved to {folder}/ in {seconds:.1f} s")
    print(meaning_line(index))
    list_shelf(settings)
    for article in corpus.articles:
        print(f"  {article.doc_id}: {article.title or '(no title)'}")
    print(f"Skipped {len(corpus.skipped)} files" + (":" if corpus.skipped else "."))
    for skipped in corpus.skipped:
        print(f"  {shown_name(skipped.path, settings.corpus_dir)}: {skipped.reason}")
    return 0


def meaning_line(index: SearchIndex) -> str:
    have, total = index.meaning_filled()
    if have >= total:
        return f"By meaning: all {total:,} passages have their vectors."
    return (
        f"By meaning: {have:,} of {total:,} passages have their vectors; the rest fill in while the bot "
        "runs (words answer meanwhile)."
    )


def add_command(settings: Settings, paths: list[str], *, as_json: bool) -> int:
    """Add articles, report each file, update the index; exit 1 if nothing was added."""
    domain = load_domain(settings.domain_path)
    links = [p for p in paths if is_link(p)]
    files = [Path(p) for p in paths if not is_link(p)]
    if not settings.corpus_dir.exists():
        print(
            f"citebot: creating the corpus folder {settings.corpus_dir} (it did not exist)", file=sys.stderr
        )
    with host_extractions(settings) as extracted:
        # The duplicate checks read what the index holds, not the shelf's files (see bot/index/holdings.py).
        held = held_on_shelf(settings, domain)
        shelf = Shelf(settings.corpus_dir, cache=extracted, clutter=domain.clutter, held=held)
        outcomes = [shelf.add(path) for path in shelf_files(files)]
        outcomes += [shelf.add_link(link, allow_private=settings.fetch_allow_private) for link in links]
        for outcome in outcomes:
            print(json.dumps(outcome.as_json(), ensure_ascii=False) if as_json else outcome.describe())
        added = [o for o in outcomes if o.doc_id is not None]
        if added:
            index = index_added(settings, domain, extracted)
    if added:
        if not as_json:
            print(
                f"Index updated: {len(index.articles)} articles, {index.live_passages} passages in {settings.corpus_dir}/"
            )
        list_shelf(settings)
    return 0 if added else 1


def index_added(settings: Settings, domain: Domain, extracted: ExtractionCache | None) -> SearchIndex:
    """The index after articles were added: only they are read, into a new segment."""
    with indexing_progress("reading articles") as progress:
        return _open(settings, domain, progress, extracted)


def is_link(text: str) -> bool:
    """An address rather than a path (any scheme: the fetcher refuses all but http and https)."""
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) is not None
