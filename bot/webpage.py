"""Saved web pages: the article's text and metadata, without the page's menus, ads and comments.

trafilatura does the extraction (main text, and title, author, date, site name and canonical URL from
the page's metadata: Open Graph, JSON-LD, meta tags). What it returns is the article's text for
Citebot: quotes and their offsets refer to it, not to the HTML.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import trafilatura

from bot.errors import ArticleError

MIN_WORDS = 25  # fewer words than this after extraction: a page, not an article


@dataclass(frozen=True, slots=True)
class Webpage:
    """What a saved page holds: its article text (one paragraph per line) and what it says about itself."""

    text: str
    meta: dict[str, str]


def extract_webpage(data: bytes) -> Webpage:
    """Extract the article from a saved page's bytes (any declared encoding); ArticleError if there is none."""
    found = trafilatura.bare_extraction(
        data, with_metadata=True, include_comments=False, include_tables=False, favor_precision=True
    )
    document: dict[str, Any] = {} if found is None else found if isinstance(found, dict) else found.as_dict()
    text = str(document.get("text") or "").strip()
    if len(text.split()) < MIN_WORDS:
        raise ArticleError("not an article (no article text found in the page)")
    meta = {
        field: value.strip()
        for field, value in (
            ("title", document.get("title")),
            ("author", _authors(document.get("author"))),
            ("date", document.get("date")),
            ("outlet", document.get("sitename")),
            ("url", document.get("url")),
        )
        if isinstance(value, str) and value.strip()
    }
    return Webpage(text=text + "\n", meta=meta)


def _authors(value: str | None) -> str | None:
    """trafilatura joins several authors with "; "; we write them as a list in prose."""
    if not value:
        return None
    names = [name.strip() for name in value.split(";") if name.strip()]
    return ", ".join(names) or None
