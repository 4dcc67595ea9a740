"""PDF reports and papers: their text and metadata, with pypdf.

A PDF's lines are cut where the page ran out of width; they are joined back into paragraphs (a line
that ends a sentence, or is followed by an empty line, ends a paragraph; a word broken with a hyphen
at a line's end is rejoined). Pages are kept apart: a paragraph never runs across a page break. What
comes out is the article's text for Citebot, as for a web page: quotes and their offsets refer to it.
"""

from __future__ import annotations

import io
import logging
import re

from pypdf import PdfReader
from pypdf.errors import PdfReadError

from bot.errors import ArticleError
from bot.webpage import MIN_WORDS, Webpage

_SENTENCE_END = re.compile(r"[.!?:;\"”’)]$")
_PAGE_NUMBER = re.compile(r"^(?:page\s+)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?$", re.IGNORECASE)


def extract_pdf(data: bytes) -> Webpage:
    """The text (one paragraph per line, pages apart) and title/author of a PDF; ArticleError if none."""
    logging.getLogger("pypdf").setLevel(logging.ERROR)  # its warnings about odd files are not ours
    try:
        reader = PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise ArticleError("the PDF is encrypted")
        pages = [page.extract_text() or "" for page in reader.pages]
        info = reader.metadata
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise ArticleError(f"not a readable PDF ({type(exc).__name__})") from None
    paragraphs: list[str] = []
    starts: list[int] = []  # where each page begins in the text
    offset = 0
    for page in pages:
        starts.append(offset)
        for paragraph in _paragraphs(page):
            paragraphs.append(paragraph)
            offset += len(paragraph) + 2  # paragraphs are joined by a blank line
    if sum(len(p.split()) for p in paragraphs) < MIN_WORDS:
        raise ArticleError("no text in the PDF (a scan needs OCR first)")
    meta: dict[str, str] = {}
    title = (info.title if info else None) or ""
    author = (info.author if info else None) or ""
    if _useful(title):
        meta["title"] = " ".join(title.split())
    if _useful(author):
        meta["author"] = " ".join(author.split())
    return Webpage(text="\n\n".join(paragraphs) + "\n", meta=meta, pages=tuple(starts))


def _useful(value: str) -> bool:
    """Metadata worth keeping: not empty, not a file name or a tool's default."""
    value = value.strip()
    return bool(value) and not re.search(r"\.(?:docx?|pdf|indd|tex)$|^untitled|^microsoft", value, re.I)


def _paragraphs(page: str) -> list[str]:
    """A page's lines joined into paragraphs."""
    lines = [" ".join(raw.split()) for raw in page.splitlines()]
    width = max((len(line) for line in lines), default=0)
    paragraphs: list[str] = []
    current = ""
    for number, line in enumerate(lines):
        if not line or _PAGE_NUMBER.match(line):
            if current:
                paragraphs.append(current)
            current = ""
            continue
        if current.endswith("-") and line[:1].islower():
            current = current[:-1] + line  # a word broken at the line's end
        else:
            current = f"{current} {line}" if current else line
        following = lines[number + 1] if number + 1 < len(lines) else ""
        short = len(line) < 0.6 * width
        # A short line ends its paragraph when it ends a sentence, or is a heading before a new one.
        if short and (_SENTENCE_END.search(line) or following[:1].isupper()):
            paragraphs.append(current)
            current = ""
    if current:
        paragraphs.append(current)
    return paragraphs
