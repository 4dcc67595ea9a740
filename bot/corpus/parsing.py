"""An article's text read as lines: front matter, title, byline, outlet, and the paragraphs worth
quoting as offsets into the text. Boilerplate lines (menus, breadcrumbs, subscribe prompts, cut
markers, trailers) are left out of the paragraphs, never edited."""

from __future__ import annotations

import datetime as dt
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import yaml

from bot.corpus.models import Article
from bot.errors import ArticleError
from bot.wordlists import wordlists

logger = logging.getLogger(__name__)


# A run of capitalised words: a person's name ("Naila Huseynova", "Bence Németh").
_NAME = r"[A-ZÀ-Þ][\w'’.-]*(?:\s+(?:(?:van|von|de|der|da|di|al|bin|le|la)\s+)?[A-ZÀ-Þ][\w'’.-]*){1,3}"


_BYLINE = re.compile(rf"^By\s+(?P<name>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*(?:[|,–—-].*)?$")


_BIO = re.compile(rf"^(?P<name>{_NAME})\s+(?:is|was|has been|writes)\s+(?P<role>(?:a|an|the|[A-Z]).*?)\.?$")


_BIO_WORDS = re.compile(
    r"\b(?:director|fellow|editor|correspondent|journalist|reporter|analyst|professor|writer|author|"
    r"columnist|contributor|researcher|founder|head|expert|lecturer|chair|president)\b",
    re.IGNORECASE,
)


# Markers after which the file goes on with a list of other stories.
_TRAILER = re.compile(r"^(?:previously|related|see also|read also|more on this|more from \w+):?$", re.I)


_TRAILER_MAX_LINES = 4


_MENU_SEPARATORS = re.compile(r"\s[|›»>/·•]\s")


MENU_ITEM_WORDS = 6  # a menu's items are a few words each


_DISCOVER_MORE = re.compile(r"^Discover more from\s+(?P<outlet>.+?)(?:\s+[|–—-]\s+.*)?$", re.IGNORECASE)


_COPYRIGHT = re.compile(r"^(?:©|copyright)\s*(?:\d{4}\s*)?(?P<outlet>[^.,|]+?)\.?(?:\s+all rights.*)?$", re.I)


_ORIGINALLY = re.compile(r"originally (?:published|appeared) (?:on|in|by)\s+(?P<outlet>[A-Z][\w.&' -]+?)[.,]")


# An outlet naming itself in the text: "Example.com reports, citing officials".
_SELF_REPORTS = re.compile(r"\b(?P<outlet>[A-Z][\w-]*\.[A-Za-z]{2,})\s+(?:reports|reported|has learned)\b")


_URL_LINE = re.compile(r"^(?:source|url|link|canonical):\s*(?P<url>https?://\S+)$", re.IGNORECASE)


_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*$")


_MD_PREFIX = re.compile(r"^(?:[-*+]\s+|\d{1,3}[.)]\s+|>\s*)")


_SENTENCE_END = re.compile(r"[.!?…:;,\"”’)]$")


_FRONT_MATTER_KEYS = {
    "title": ("title", "headline"),
    "outlet": ("outlet", "site", "site_name", "publication", "publisher", "source"),
    "author": ("author", "authors", "byline"),
    "date": ("date", "published", "published_at", "pubdate"),
    "url": ("url", "link", "canonical_url", "canonical"),
}


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str
    after_blank: bool = False


def _is_menu(text: str) -> bool:
    """A line of links ("World | Europe | Politics"): two separators or more, and every item short. A
    paragraph that happens to hold separators (a dateline merged into the opening) is not one."""
    items = _MENU_SEPARATORS.split(text)
    return len(items) >= 3 and all(len(item.split()) <= MENU_ITEM_WORDS for item in items)


def parse_article(
    text: str,
    doc_id: str,
    *,
    markdown: bool = False,
    meta: dict[str, str] | None = None,
    clutter: re.Pattern[str] | None = None,
) -> Article:
    """Split a decoded article into metadata and quotable paragraphs; `meta` (from a page) wins.

    `clutter` matches lines a shelf's domain file lists as furniture (an outlet's own promotions).
    """
    body_start = 1 if text.startswith("\ufeff") else 0
    front, body_start = _front_matter(text, body_start, doc_id)
    meta = front | (meta or {})
    lines = list(_lines(text, body_start))
    if not lines:
        raise ArticleError("no text after the front matter")

    title = meta.get("title")
    if markdown:
        lines, heading = _drop_markdown_headings(lines)
        title = title or heading
    if title is None:
        title, lines = _take_title(lines)

    outlet = meta.get("outlet")
    author = meta.get("author")
    author_role = None
    url = meta.get("url")
    kept: list[_Line | None] = []  # None marks a dropped line, which also ends a paragraph
    junk = wordlists().junk  # site furniture (wordlists.toml)
    for i, line in enumerate(_cut_trailer(lines)):
        near_edge = i < 5 or i >= len(lines) - 3
        if line.after_blank:
            kept.append(None)  # a blank line ends a paragraph
        if (title and _is_title_copy(line.text, title)) or _is_menu(line.text):
            kept.append(None)
        elif (m := _DISCOVER_MORE.match(line.text)) is not None:
            outlet = outlet or m["outlet"].strip()
            kept.append(None)
        elif (m := _URL_LINE.match(line.text)) is not None:
            url = url or m["url"]
            kept.append(None)
        elif (m := _COPYRIGHT.match(line.text)) is not None and len(line.text) < 120:
            outlet = outlet or _clean_outlet(m["outlet"])
            kept.append(None)
        elif junk.match(line.text) or (
            clutter is not None and clutter.fullmatch(" ".join(line.text.split()))
        ):
            kept.append(None)
        elif near_edge and len(line.text) <= 80 and (m := _BYLINE.match(line.text)) is not None:
            author = author or m["name"].strip()
            kept.append(None)
        elif i >= len(lines) - 2 and _is_bio(line.text):
            bio = _BIO.match(line.text)
            assert bio is not None
            if author is None or author == bio["name"]:
                author, author_role = bio["name"], bio["role"]
            kept.append(None)
        else:
            kept.append(line)

    paragraphs = _paragraphs(kept, markdown=markdown)
    if not paragraphs:
        raise ArticleError("no article text (only boilerplate)")
    if outlet is None:
        outlet = _outlet_named_in_text(text, paragraphs)
    return Article(
        doc_id=doc_id,
        text=text,
        paragraphs=tuple(paragraphs),
        title=title,
        outlet=outlet,
        author=author,
        author_role=author_role,
        date=meta.get("date"),
        url=url,
    )


def _front_matter(text: str, start: int, doc_id: str) -> tuple[dict[str, str], int]:
    """YAML front matter between `---` lines at the top; returns the fields we use and where the body starts.

    Front matter that is not valid YAML, or not a mapping, gives no fields, but it is still front
    matter: the body starts after it, so its lines are never quoted as the article's words.
    """
    match = re.match(r"---[ \t]*\r?\n(?P<yaml>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", text[start:], re.S)
    if match is None:
        return {}, start
    body_start = start + match.end()
    try:
        data = yaml.safe_load(match["yaml"])
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        logger.warning("%s: front matter is not valid YAML%s; its fields are ignored", doc_id, line)
        return {}, body_start
    if isinstance(data, str):  # plain text between two rules: the article's own words, not front matter
        return {}, start
    if not isinstance(data, dict):
        logger.warning("%s: front matter is not a list of fields; it is ignored", doc_id)
        return {}, body_start
    lowered = {str(k).lower(): v for k, v in data.items()}
    meta: dict[str, str] = {}
    for field, keys in _FRONT_MATTER_KEYS.items():
        for key in keys:
            value = _front_matter_value(lowered.get(key))
            if value:
                meta[field] = value
                break
    return meta, body_start


def _front_matter_value(value: Any) -> str | None:
    if isinstance(value, list):
        parts = [str(v).strip() for v in value if str(v).strip()]
        return ", ".join(parts) or None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, dict):
        return None
    return str(value).strip() or None


def _lines(text: str, start: int) -> Iterator[_Line]:
    """Each non-blank line from `start`, trimmed, with its offsets and whether a blank line precedes it."""
    blank = False
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text[start:]):
        raw = match.group().rstrip("\r\n")
        stripped = raw.strip()
        if not stripped:
            blank = True
            if match.end() == len(text) - start:
                return
            continue
        begin = start + match.start() + len(raw) - len(raw.lstrip())
        yield _Line(begin, begin + len(stripped), stripped, after_blank=blank)
        blank = False


def _drop_markdown_headings(lines: list[_Line]) -> tuple[list[_Line], str | None]:
    """Markdown headings are not sentences; the first level-1 heading is a title."""
    title = None
    kept = []
    for line in lines:
        match = _MD_HEADING.match(line.text)
        if match is None:
            kept.append(line)
        elif title is None and len(match["hashes"]) == 1:
            title = match["text"]
    return kept, title


def _take_title(lines: list[_Line]) -> tuple[str | None, list[_Line]]:
    """Find the title line: a heading repeated near the top, or a first line that reads as a headline."""
    top = [line.text for line in lines[:8]]
    for text in top:
        if top.count(text) >= 2 and _looks_like_title(text):
            return text, lines
    first = lines[0].text
    if len(lines) > 2 and first.endswith(";") and _looks_like_title(first[:-1].rstrip()):
        return first[:-1].rstrip(), lines[1:]  # "Headline; " above its deck line, as news archives print it
    if len(lines) > 1 and (_looks_like_title(first) or _sentence_case_headline(first, lines[1:])):
        return first, lines[1:]
    return None, lines


HEADLINE_WORDS = 18  # a first line this short, one sentence, alone above a body, is a headline


def _sentence_case_headline(text: str, rest: list[_Line]) -> bool:
    """ "After a big loss, Clinton looks for pace to quicken." above the article: a headline written as a
    sentence. One sentence of at most HEADLINE_WORDS words, with at least two paragraphs below it,
    the first of them longer than it (a one-line lede is followed by more of the same)."""
    words = text.split()
    if not 2 <= len(words) <= HEADLINE_WORDS or not text.endswith((".", "!", "?")) or len(rest) < 2:
        return False
    if re.search(r"[.!?][\"'”’]?\s+[A-Z]", text[:-1]):  # more than one sentence (or an abbreviation)
        return False
    body = next(
        (line.text for line in rest if len(line.text.split()) >= 4), ""
    )  # past "ABSTRACT." and the like
    return len(body.split()) > len(words)


def _looks_like_title(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 30 or len(text) > 200:
        return False
    if len(words) == 1:  # "Oxygen", "Warsaw": a one-word title is a name, with no sentence punctuation
        return text[:1].isalpha() and text[-1:].isalnum()
    if not text.endswith("."):
        return not text.endswith((",", ";", ":"))
    # A headline may end with an abbreviation ("… Without U.S."); it is then mostly capitalised.
    capitalised = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return capitalised / len(words) >= 0.6


def _is_title_copy(text: str, title: str) -> bool:
    """The title again, or a breadcrumb trail that ends with it."""
    squashed, squashed_title = " ".join(text.split()).lower(), " ".join(title.split()).lower()
    return squashed == squashed_title or (
        squashed.endswith(squashed_title) and len(squashed) - len(squashed_title) < 120
    )


def _cut_trailer(lines: list[_Line]) -> list[_Line]:
    """Drop a closing "Previously:" / "Related:" list of other stories."""
    for i in range(max(0, len(lines) - _TRAILER_MAX_LINES - 1), len(lines)):
        if _TRAILER.match(lines[i].text):
            return lines[:i]
    return lines


def _is_bio(text: str) -> bool:
    return len(text) <= 400 and _BIO.match(text) is not None and _BIO_WORDS.search(text) is not None


def _clean_outlet(name: str) -> str | None:
    name = name.strip(" .-|")
    return name or None


def _paragraphs(kept: list[_Line | None], *, markdown: bool) -> list[tuple[int, int]]:
    """Group kept lines into paragraphs: one per line, unless a block is hard-wrapped text."""
    paragraphs: list[tuple[int, int]] = []
    block: list[_Line] = []
    for line in [*kept, None]:
        if line is not None:
            block.append(line)
            continue
        if block:
            paragraphs.extend(_block_paragraphs(block, markdown=markdown))
        block = []
    return [p for p in paragraphs if p[1] > p[0]]


def _block_paragraphs(block: list[_Line], *, markdown: bool) -> list[tuple[int, int]]:
    spans = []
    for line in block:
        start = line.start
        if markdown and (prefix := _MD_PREFIX.match(line.text)) is not None:
            start += prefix.end()
        spans.append((start, line.end))
    listed = markdown and any(_MD_PREFIX.match(line.text) for line in block)
    if not listed and _hard_wrapped(block):
        return [(spans[0][0], spans[-1][1])]
    return spans


def _hard_wrapped(block: list[_Line]) -> bool:
    """Lines broken at a fixed width: short, nearly equal in length, and mostly not ending a sentence."""
    if len(block) < 2:
        return False
    inner = block[:-1]
    widest = max(len(line.text) for line in inner)
    if widest > 100:
        return False
    # A wrapped line ends near the wrap width; lines of any length are one-line paragraphs.
    if any(len(line.text) < 0.7 * widest for line in inner):
        return False
    open_ends = sum(1 for line in inner if not _SENTENCE_END.search(line.text))
    return open_ends * 2 >= len(inner)


def _outlet_named_in_text(text: str, paragraphs: list[tuple[int, int]]) -> str | None:
    for start, end in paragraphs:
        paragraph = text[start:end]
        match = _SELF_REPORTS.search(paragraph) or _ORIGINALLY.search(paragraph)
        if match is not None:
            return match["outlet"].strip()
    return None
