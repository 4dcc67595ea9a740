"""Saved web pages: the article's text and metadata, without the page's menus, ads and comments.

trafilatura does the extraction (main text, and title, author, date, site name and canonical URL from
the page's metadata: Open Graph, JSON-LD, meta tags). What it returns is the article's text for
Citebot: quotes and their offsets refer to it, not to the HTML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import trafilatura
from trafilatura.utils import load_html

from bot.errors import ArticleError

MIN_WORDS = 25  # fewer words than this after extraction: a page, not an article
RECALL_SHARE = 0.5  # precision's text shorter than this share of recall's: it lost the story
# Half the extracted words or more in lines that are each a link's whole text: headlines linking to
# stories (a section front, a list of headlines), not a story. An article's own links are words inside
# its sentences, never a whole paragraph (link density, as Readability judges a page's blocks).
MAX_LINKED_SHARE = 0.5


@dataclass(frozen=True, slots=True)
class Webpage:
    """What a saved page holds: its article text (one paragraph per line) and what it says about itself."""

    text: str
    meta: dict[str, str]
    pages: tuple[int, ...] = ()  # for a PDF: where each page begins in `text`


def extract_webpage(data: bytes) -> Webpage:
    """Extract the article from a saved page's bytes (any declared encoding); ArticleError if there is none."""
    document = _extract(data, favor="precision")
    text = str(document.get("text") or "").strip()
    # Precision can keep too little (a reprint notice for the whole story, a page of sections): when it
    # keeps less than half of what recall finds, take recall's text. On the pages development set this
    # kept precision at 0.98 and raised recall from 0.93 to 0.94 (always recall: 0.98 / 0.96).
    wider = _extract(data, favor="recall")
    wider_text = str(wider.get("text") or "").strip()
    if word_count(text) < RECALL_SHARE * word_count(wider_text):
        document, text = wider, wider_text
    if word_count(text) < MIN_WORDS:
        raise ArticleError("not an article (no article text found in the page)")
    if linked_share(text, data) >= MAX_LINKED_SHARE:
        raise ArticleError("not an article (a list of links: a section front or a list of headlines)")
    page = _head_facts(data)
    outlet = _outlet(page.get("site_name")) or _outlet(_str(document.get("sitename")))
    meta = {
        field: " ".join(value.split())
        for field, value in (
            ("title", _title(page, _str(document.get("title")), outlet or "")),
            (
                "author",
                _best_author(
                    _author(_authors(document.get("author"))),
                    _author(page.get("author"))
                    or _author(page.get("byline"))
                    or _author(page.get("ld_author")),
                ),
            ),
            # The publisher's declared date of publication (schema.org's first, as Readability reads
            # it, then Open Graph's) beats htmldate's guess, which may be when the page was updated.
            ("date", page.get("ld_published") or page.get("published") or document.get("date")),
            ("outlet", outlet),
            # The parser may have moved <link rel=canonical> and og:url into the body: read them anywhere.
            # Then where Citebot fetched it from (the mark it left), then trafilatura's guess.
            ("url", page.get("canonical") or page.get("og_url") or saved_from(data) or document.get("url")),
        )
        if isinstance(value, str) and value.strip()
    }
    return Webpage(text=text + "\n", meta=meta)


# The "mark of the web" browsers write at the top of a saved page: `<!-- saved from url=(0023)https://… -->`.
_SAVED_FROM = re.compile(rb"<!--\s*saved from url=\(\d{4}\)(https?://[^\s>]+?)\s*-->")


def saved_from(data: bytes) -> str | None:
    """The address a saved page says it was saved from (its mark of the web), if it says."""
    match = _SAVED_FROM.search(data[:2048])
    return match[1].decode("ascii", "replace") if match else None


def mark_saved_from(data: bytes, url: str) -> bytes:
    """The page with a mark of the web naming `url` at its top, as a browser saves a page, so that the
    address is cited when the page names none itself; unchanged (byte for byte) when the page names its
    address (canonical link, og:url) or has a mark, or `url` is not ASCII."""
    if saved_from(data) is not None or not url.isascii() or "--" in url:
        return data
    facts = _head_facts(data)
    if facts.get("canonical") or facts.get("og_url"):
        return data
    return f"<!-- saved from url=({len(url):04d}){url} -->\n".encode("ascii") + data


def linked_share(text: str, data: bytes) -> float:
    """The share of `text`'s words (extracted from the page `data`) in lines that are a link's whole text."""
    root: Any = load_html(data)
    if root is None:
        return 0.0
    anchors = {" ".join(str(a.text_content()).split()) for a in root.iter("a")}
    anchors.discard("")
    lines = [" ".join(line.split()) for line in text.splitlines() if line.strip()]
    total = sum(word_count(line) for line in lines)
    linked = sum(word_count(line) for line in lines if line in anchors)
    return linked / total if total else 0.0


def _str(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


# " | ", " - ", " – ", " — ", " :: ", " · ", " » ", " « ", " / " between a headline and a site's name.
_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|::|·|»|«|/)\s+")
_DOMAIN = re.compile(r"^(?:www\.)?[\w-]+(?:\.[\w-]+)+$", re.IGNORECASE)


MAX_HEADINGS = 30  # of the page's first h1 and h2 headings, one may be the headline its <title> holds


def _head_facts(data: bytes) -> dict[str, str]:
    """The page's <title>, Open Graph title, site name and URL, and canonical link, wherever they are."""
    root: Any = load_html(data)  # trafilatura's reader: it decodes the page as the extraction does
    if root is None:
        return {}
    facts: dict[str, str] = {}
    titles = [str(t.text_content()) for t in root.iter("title") if t.text_content().strip()]
    if titles:
        facts["title"] = titles[0]
    for element in root.iter("meta"):
        key = str(element.get("property") or element.get("name") or "").lower()
        value = str(element.get("content") or "").strip()
        name = {
            "og:title": "og_title",
            "twitter:title": "twitter_title",
            "og:site_name": "site_name",
            "og:url": "og_url",
            "author": "author",
            "article:author": "author",
            "og:article:author": "author",
            "dc.creator": "author",
            "article:published_time": "published",
            "og:article:published_time": "published",
        }.get(key)
        if name == "published":
            value = _iso_day(value)
        if name and value and name not in facts:
            facts[name] = value
    headings = [" ".join(str(h.text_content()).split()).casefold() for h in root.iter("h1", "h2")]
    facts["headings"] = "\n".join(h for h in headings[:MAX_HEADINGS] if h)
    for element in root.iter():
        classes = str(element.get("class") or "").lower()
        if "byline" in classes or "by-line" in classes:
            text = " ".join(str(element.text_content()).split())
            if 2 <= len(text) <= 80:  # a byline, not a block that holds one
                facts.setdefault("byline", text)
                break
    for element in root.iter("script"):
        if str(element.get("type") or "").strip().lower() == "application/ld+json":
            data = _json_ld(str(element.text_content()))
            names = _linked_data_authors(data)
            if names:
                facts.setdefault("ld_author", ", ".join(names))
            published = _linked_data_published(data)
            if published:
                facts.setdefault("ld_published", published)
    for element in root.iter("link"):
        if "canonical" in (element.get("rel") or "").lower().split() and element.get("href", "").startswith(
            "http"
        ):
            facts.setdefault("canonical", element.get("href", "").strip())
    return facts


def _title(page: dict[str, str], extracted: str, site: str) -> str:
    """The headline: the page's <title> without the site's name, else its Open Graph title, else trafilatura's.

    A "Headline | Section | Site" title keeps its longest part when that is a real headline (three words
    or more); a title that is only the site's name is never the article's title.
    """

    def is_site(text: str) -> bool:
        folded = " ".join(text.lower().split())
        return bool(folded) and (
            folded == " ".join(site.lower().split()) or _DOMAIN.match(folded) is not None
        )

    raw = " ".join(page.get("title", "").split())
    parts = [part for part in _TITLE_SEPARATOR.split(raw) if part and not is_site(part)]
    # The part the page itself shows as a heading is the headline; else the longest part.
    headings = set(page.get("headings", "").split("\n")) - {""}
    shown = [part for part in parts if len(part.split()) >= 3 and part.casefold() in headings]
    longest = max(shown or parts, key=lambda part: len(part.split()), default="")
    cleaned = longest if len(parts) > 1 and len(longest.split()) >= 3 else " - ".join(parts)
    if cleaned.endswith(("…", "...")) and page.get("og_title"):
        cleaned = ""  # a <title> cut short: the Open Graph title is whole
    for candidate in (cleaned, page.get("og_title", ""), page.get("twitter_title", ""), extracted):
        if candidate.strip() and not is_site(candidate):
            return candidate
    return extracted


# "By Jane Doe", "Analysis by Jane Doe", "Par …", "Von …", "Por …": the name follows.
_BY = re.compile(
    r"^(?:(?:analysis|opinion|commentary|reporting|story|text|words)\s+)?(?:by|par|von|por|di|door)\s+", re.I
)
# "Jane Doe is a reporter …", "Jane Doe, CNN Editor-at-large", "Jane Doe | Staff writer": the role goes.
_ROLE = re.compile(
    r"\s+(?:is|was)\s+(?:a|an|the)\s+.*$|\s*[,|]\s+(?=\S*[A-Za-z]).*?(?:editor|reporter|writer|correspondent|columnist|contributor|staff|producer|analyst)\b.*$",
    re.I,
)


def _json_ld(text: str) -> Any:
    """A schema.org JSON-LD block's data, or None. Pages wrap the block in CDATA or comment markers, or
    end it with a semicolon."""
    text = re.sub(r"^\s*(?:<!\[CDATA\[|<!--)|(?:\]\]>|-->)\s*$", "", text.strip()).strip().rstrip(";")
    try:
        return json.loads(text)
    except ValueError:
        return None


_ISO_DAY = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})(?:$|[T\s])")


def _iso_day(value: str) -> str:
    """The day of an ISO 8601 date or time ("2020-07-10T14:15:42+00:00" -> "2020-07-10"), else ""."""
    match = _ISO_DAY.match(value)
    return match.group(1) if match else ""


def _linked_data_published(data: Any) -> str:
    """The day a schema.org JSON-LD block says its article was first published, else ""."""
    stack: list[Any] = [data]
    while stack:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            value = item.get("datePublished")
            if isinstance(value, str) and _iso_day(value):
                return _iso_day(value)
            stack.extend(v for k, v in item.items() if k == "@graph" or isinstance(v, dict | list))
    return ""


def _linked_data_authors(data: Any) -> list[str]:
    """The people a schema.org JSON-LD block names as an article's author (not organisations)."""
    names: list[str] = []
    stack: list[Any] = [data]
    while stack and len(names) < 10:
        item = stack.pop(0)
        if isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, dict):
            if "author" in item:
                authors = item["author"] if isinstance(item["author"], list) else [item["author"]]
                for author in authors:
                    if isinstance(author, str):
                        names.append(author)
                    elif isinstance(author, dict) and "person" in str(author.get("@type", "")).lower():
                        names.append(str(author.get("name") or ""))
                if names:
                    break
            stack.extend(v for k, v in item.items() if k == "@graph" or isinstance(v, dict | list))
    return [" ".join(name.split()) for name in names if name.strip()]


def _author(value: str | None) -> str | None:
    """A byline reduced to the names: no "By", no role, no address; None for anything that names no one."""
    if not value:
        return None
    text = " ".join(value.split())
    if re.match(r"^(?:https?://|www\.)", text) or ("@" in text and " " not in text):
        return None
    text = _ROLE.sub("", _BY.sub("", text)).strip(" ,;|-")
    # A name has a letter and at least two of them: a label such as "Username" or "作者" may still pass.
    return text if len(text) >= 2 and any(ch.isalpha() for ch in text) else None


_COPYRIGHT = re.compile(r"^(?:copyright|©|\(c\))\s*(?:©\s*)?(?:\d{4}(?:\s*[-–]\s*\d{4})?)?\s*", re.IGNORECASE)


def _outlet(value: str | None) -> str | None:
    """A site's name: not an address, and without a copyright notice around it ("Copyright 2014 X" is X)."""
    if not value or re.match(r"^(?:https?://|www\.)", value.strip(), re.IGNORECASE):
        return None
    name = _COPYRIGHT.sub("", " ".join(value.split())).strip(" .,;|-")
    return name if name and not name.isdigit() and any(ch.isalpha() for ch in name) else None


def _best_author(extracted: str | None, declared: str | None) -> str | None:
    """The byline trafilatura found in the page, unless it is one word (a label such as "Author") and
    the page declares an author elsewhere (its metadata, or an element marked as the byline)."""
    if extracted and declared and extracted != declared and len(extracted.split()) == 1:
        return declared
    return extracted or declared


def _extract(data: bytes, *, favor: str) -> dict[str, Any]:
    # Tables kept: some articles are laid out in them, and a table's cells are text to quote too.
    found = trafilatura.bare_extraction(
        data,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=favor == "precision",
        favor_recall=favor == "recall",
    )
    return {} if found is None else found if isinstance(found, dict) else found.as_dict()


_CJK_RUN = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]+")
_WORD = re.compile(r"[^\W_]+")


def word_count(text: str) -> int:
    """Words in any script: Chinese and Japanese, written without spaces, count one word per two characters."""
    words = 0
    for run in _CJK_RUN.findall(text):
        words += max(1, len(run) // 2)
    return words + len(_WORD.findall(_CJK_RUN.sub(" ", text)))


def _authors(value: str | None) -> str | None:
    """trafilatura joins several authors with "; "; we write them as a list in prose."""
    if not value:
        return None
    names = [name.strip() for name in value.split(";") if name.strip()]
    return ", ".join(names) or None
