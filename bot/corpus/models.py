"""What loading a corpus gives: articles and what is known of them, skipped files, the files as read."""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass, fields
from pathlib import Path
from typing import NamedTuple


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What is known about an article, without its text: enough to cite it."""

    doc_id: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    author_role: str | None = None
    date: str | None = None
    url: str | None = None
    also_in: tuple[str, ...] = ()  # doc_ids of other copies of the same story (saved twice, syndicated)
    page_starts: tuple[int, ...] = ()  # a PDF's pages: where each begins in the text (offsets, ascending)

    def page_at(self, offset: int) -> int | None:
        """The page (1-based) that the text at `offset` is on, for a PDF; None for other articles."""
        return bisect.bisect_right(self.page_starts, offset) if self.page_starts else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Article(ArticleInfo):
    """One article: what is known about it, its text as decoded, and the kept paragraphs as offsets."""

    text: str
    paragraphs: tuple[tuple[int, int], ...]

    def paragraph_text(self, number: int) -> str:
        """Text of paragraph `number` (1-based)."""
        start, end = self.paragraphs[number - 1]
        return self.text[start:end]

    @property
    def info(self) -> ArticleInfo:
        """The article's metadata, without its text."""
        return ArticleInfo(**{field.name: getattr(self, field.name) for field in fields(ArticleInfo)})


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not loaded, and why."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class Corpus:
    """What `load_corpus` found: the articles, the files it skipped, and each file as it was read."""

    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]
    stat_taken_ns: int = 0  # when the files began to be read …
    files: tuple[FileRecord, ...] = ()  # … and each readable article file as it was read

    @property
    def fingerprint(self) -> str:
        """A hash of the files' names and bytes (through their hashes): it changes exactly when they do."""
        digest = hashlib.blake2b(digest_size=20)
        for record in self.files:
            digest.update(
                f"{len(record.name)}:{record.name}:{record.digest};".encode("utf-8", "surrogatepass")
            )
        return digest.hexdigest()


class FileRecord(NamedTuple):
    """An article file as read: its name in the corpus, size, modification time and bytes' hash."""

    name: str
    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True, slots=True)
class FileChanges:
    """How the corpus's files differ from recorded ones: the files now, and which names are new or
    changed (`changed`) or gone (`removed`)."""

    files: tuple[FileRecord, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    taken_ns: int  # when the files were looked at
