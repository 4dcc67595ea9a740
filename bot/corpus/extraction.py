"""Text out of saved web pages and PDFs, remembered by the bytes' hash in a cache of Citebot's own."""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from bot.errors import ArticleError
from bot.webpage import Webpage

logger = logging.getLogger(__name__)


WEBPAGE_SUFFIXES = (".html", ".htm")


@functools.cache
def _extractor_version() -> str:
    """Changes whenever the extraction code or trafilatura/pypdf change: part of every cache key."""
    digest = hashlib.blake2b(digest_size=8)
    for module in ("webpage.py", "pdf.py"):
        digest.update((Path(__file__).parent.parent / module).read_bytes())
    for package in ("trafilatura", "pypdf"):
        digest.update(importlib.metadata.version(package).encode())
    return digest.hexdigest()


class ExtractionCache(Protocol):
    """Where what was extracted from pages and PDFs is remembered, by a key made of the bytes' hash:
    a folder of Citebot's own (FolderCache), or the state several hosts share (bot/shared)."""

    def get(self, key: str) -> str | None:
        """The record kept under `key`, if any."""
        ...

    def put(self, key: str, record: str) -> None:
        """Keep `record` under `key`; a failure only costs extracting again."""
        ...


@dataclass(frozen=True, slots=True)
class FolderCache:
    """Extraction records as files in a folder of Citebot's own (the index folder's `extracted/`)."""

    folder: Path

    def get(self, key: str) -> str | None:
        try:
            return (self.folder / key[:2] / f"{key}.json").read_text(encoding="utf-8")
        except OSError:
            return None

    def put(self, key: str, record: str) -> None:
        path = self.folder / key[:2] / f"{key}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            staging.write_text(record, encoding="utf-8")
            os.replace(staging, path)  # our own cache file: replacing it is ours to do
        except OSError as exc:
            logger.debug("could not cache an extraction in %s (%s)", self.folder, exc)


def extracted(
    data: bytes, suffix: str, cache: ExtractionCache | Path | None, extract: Callable[[bytes], Webpage]
) -> Webpage:
    """`extract(data)`, remembered in `cache` by the bytes' hash (refusals too, as an error text)."""
    if cache is None:
        return extract(data)
    store = FolderCache(cache) if isinstance(cache, Path) else cache
    key = hashlib.blake2b(data, digest_size=20, key=_extractor_version().encode()).hexdigest() + suffix
    try:
        known = json.loads(store.get(key) or "")
        if "refused" in known:
            raise ArticleError(str(known["refused"]))
        return Webpage(
            text=str(known["text"]),
            meta={str(k): str(v) for k, v in known["meta"].items()},
            pages=tuple(int(n) for n in known.get("pages", ())),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # not cached yet, or unreadable: extract again
    try:
        page = extract(data)
        record: dict[str, object] = {"text": page.text, "meta": page.meta, "pages": list(page.pages)}
    except ArticleError as exc:
        record = {"refused": str(exc)}
        page = None
    store.put(key, json.dumps(record, ensure_ascii=False))
    if page is None:
        raise ArticleError(str(record["refused"]))
    return page
