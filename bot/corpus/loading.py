"""Loading articles: every file of a corpus folder, or one file's bytes, as parsed articles."""

from __future__ import annotations

import functools
import logging
import os
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from bot.corpus.extraction import WEBPAGE_SUFFIXES, ExtractionCache, extracted
from bot.corpus.files import article_entries, file_digest, read_bytes, shown_name
from bot.corpus.models import Article, Corpus, FileRecord, Skipped
from bot.corpus.parsing import parse_article
from bot.errors import ArticleError
from bot.pdf import extract_pdf
from bot.webpage import extract_webpage

logger = logging.getLogger(__name__)


def load_corpus(
    folder: Path, *, cache: ExtractionCache | Path | None = None, clutter: Sequence[str] = ()
) -> Corpus:
    """Load every article under `folder`; unreadable files are skipped with one warning each.

    `cache`, a folder of Citebot's own, keeps what was extracted from web pages and PDFs by their bytes'
    hash, so that a page is extracted once however often the corpus is loaded.
    """
    articles: list[Article] = []
    skipped: list[Skipped] = []
    taken = time.time_ns()
    files: list[FileRecord] = []
    for doc_id, name in article_entries(folder, skipped):
        path = Path(name)
        try:
            stat = os.stat(name)  # before reading: a change while it is read shows as a new stat later
        except OSError:
            stat = None  # the read below says what is wrong
        try:
            data = read_bytes(path)
            if stat is not None:
                files.append(FileRecord(doc_id, stat.st_size, stat.st_mtime_ns, file_digest(data)))
            articles.append(
                article_from_bytes(data, doc_id, path.suffix.lower(), cache=cache, clutter=clutter)
            )
        except ArticleError as exc:
            skipped.append(Skipped(path=path, reason=str(exc)))
    for problem in skipped:
        logger.warning("skipped %s: %s", shown_name(problem.path, folder), problem.reason)
    return Corpus(
        articles=tuple(articles),
        skipped=tuple(skipped),
        stat_taken_ns=taken,
        files=tuple(files),
    )


def read_article(path: Path, doc_id: str) -> Article:
    """Read and parse one article file; raise ArticleError if it is not a readable article."""
    return article_from_bytes(read_bytes(path), doc_id, path.suffix.lower())


def article_from_bytes(
    data: bytes,
    doc_id: str,
    suffix: str,
    *,
    cache: ExtractionCache | Path | None = None,
    clutter: Sequence[str] = (),
) -> Article:
    """An article from a file's bytes: a saved web page, a PDF, Markdown, or plain text.

    `clutter`: whole lines to leave out (the domain file's; a trailing `*` matches any ending).
    """
    lines = clutter_pattern(tuple(clutter))
    if suffix == ".pdf":
        page = extracted(data, suffix, cache, extract_pdf)
        return replace(
            parse_article(page.text, doc_id, meta=page.meta, clutter=lines), page_starts=page.pages
        )
    if suffix in WEBPAGE_SUFFIXES:
        if not data.strip():
            raise ArticleError("empty file")
        if b"\x00" in data[:8192]:
            raise ArticleError("binary file, not text")
        page = extracted(data, suffix, cache, extract_webpage)
        return parse_article(page.text, doc_id, meta=page.meta, clutter=lines)
    return parse_article(decode_article(data), doc_id, markdown=suffix != ".txt", clutter=lines)


@functools.lru_cache(maxsize=16)
def clutter_pattern(lines: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a shelf's clutter lines: each whole, case aside; a trailing `*` matches any ending."""
    if not lines:
        return None
    parts = [
        re.escape(" ".join(line.rstrip("*").split())) + (".*" if line.endswith("*") else "") for line in lines
    ]
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE)


def decode_article(data: bytes) -> str:
    """Decode an article file's bytes, refusing empty, binary and non-UTF-8 files."""
    if not data.strip():
        raise ArticleError("empty file")
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (bad byte at offset {exc.start})") from exc
