"""What is on the shelf as the saved index stores it: what `add` checks a new article against.

Each segment keeps its articles' links and outlets and its passages' copy keys, and the manifest keeps
each article file's hash, so an add on a shelf of thousands of articles reads none of them. Files that
changed since the index was saved are left out here; the shelf reads them itself (`Shelf._catch_up`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bot.corpus import file_changes
from bot.domain import Knowledge
from bot.errors import IndexUnusable
from bot.index import store
from bot.shelf import Held


def shelf_held(index_folder: Path, corpus_dir: Path, knowledge: Knowledge) -> Held | None:
    """The shelf's articles as the index in `index_folder` holds them; None when there is no index this
    code built with `knowledge` (the shelf is then read from the folder)."""
    try:
        manifest = store.read_manifest(index_folder)
        manifest.usable(knowledge.fingerprint)
        changes = file_changes(corpus_dir, manifest.files, manifest.taken_ns)
        stale = set(changes.changed) | set(changes.removed)
        articles: list[tuple[str, str | None, str | None]] = []
        keys: list[np.ndarray] = []
        key_article: list[np.ndarray] = []
        for entry in manifest.segments:
            infos, segment_keys, segment_articles = store.load_shelf_records(index_folder, entry.name)
            gone = stale | set(entry.deleted)
            live = np.array([name not in gone for name, _, _ in infos], dtype=bool)
            number = np.full(len(infos), -1, dtype=np.int64)
            number[live] = np.arange(len(articles), len(articles) + int(live.sum()))
            articles += [info for info, keep in zip(infos, live.tolist(), strict=True) if keep]
            owner = number[segment_articles]
            keys.append(segment_keys[owner >= 0])
            key_article.append(owner[owner >= 0])
    except IndexUnusable:
        return None
    digests = {f.name: f.digest for f in manifest.files if f.name not in stale}
    return Held.of_arrays(
        articles,
        digests,
        np.concatenate(keys) if keys else np.zeros(0, np.uint64),
        np.concatenate(key_article) if key_article else np.zeros(0, np.int64),
    )
