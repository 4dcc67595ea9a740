"""Read a feed: RSS and Atom (feedparser), JSON Feed, and a site's sitemap or news sitemap.

What comes out is each entry's link (absolute, http or https), with its title and date where the feed
gives them, in the feed's order. What is not a feed is a FeedError with a reason a person can act on.
feedparser reads RSS and Atom in every version and dialect; JSON Feed is JSON a few lines read, and a
sitemap is XML read with the standard library's parser (which neither fetches nor expands entities
beyond expat's limits), because feedparser reads neither.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from bot.errors import CitebotError

SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
NEWS = "{http://www.google.com/schemas/sitemap-news/0.9}"


class FeedError(CitebotError):
    """What was fetched is not a feed Citebot can read."""


@dataclass(frozen=True, slots=True)
class Entry:
    """One entry of a feed: where its article is, and what the feed says of it."""

    link: str
    title: str | None = None
    published: str | None = None  # as the feed gives it


def read_feed(data: bytes, url: str) -> list[Entry]:
    """The entries of the feed in `data`, fetched from `url` (relative links are read against it)."""
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        entries = _json_feed(data)
    elif b"<urlset" in data[:2048] or b"<sitemapindex" in data[:2048]:
        entries = _sitemap(data)
    else:
        entries = _rss_or_atom(data)
    seen: set[str] = set()
    kept = []
    for entry in entries:
        link = urljoin(url, entry.link.strip())
        if urlsplit(link).scheme in {"http", "https"} and link not in seen:
            seen.add(link)
            kept.append(Entry(link, entry.title, entry.published))
    return kept


def _rss_or_atom(data: bytes) -> list[Entry]:
    import feedparser  # imported here: only a feed poll needs it

    parsed = feedparser.parse(data)
    if not parsed.get("version"):
        problem = parsed.get("bozo_exception")
        raise FeedError(f"not a feed (RSS, Atom, JSON Feed or sitemap){f': {problem}' if problem else ''}")
    return [
        Entry(str(item.get("link")), item.get("title"), item.get("published") or item.get("updated"))
        for item in parsed.entries
        if item.get("link")
    ]


def _json_feed(data: bytes) -> list[Entry]:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        raise FeedError("not a feed: JSON that cannot be read") from None
    if not isinstance(document, dict) or "jsonfeed.org" not in str(document.get("version", "")):
        raise FeedError("not a feed: JSON, but not a JSON Feed (no jsonfeed.org version)")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError("not a feed: a JSON Feed without items")
    entries = []
    for item in items:
        if not isinstance(item, dict):
            continue
        link = item.get("url") or item.get("external_url")
        if isinstance(link, str) and link:
            title, published = item.get("title"), item.get("date_published")
            entries.append(
                Entry(
                    link,
                    title if isinstance(title, str) else None,
                    published if isinstance(published, str) else None,
                )
            )
    return entries


def _sitemap(data: bytes) -> list[Entry]:
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as exc:
        raise FeedError(f"not a feed: a sitemap that cannot be read ({exc})") from None
    if root.tag == f"{SITEMAP}sitemapindex":
        raise FeedError("a sitemap index (a list of sitemaps): follow one of its sitemaps instead")
    entries = []
    for node in root.iter(f"{SITEMAP}url"):
        link = node.findtext(f"{SITEMAP}loc")
        if not link:
            continue
        news = node.find(f"{NEWS}news")
        title = news.findtext(f"{NEWS}title") if news is not None else None
        published = news.findtext(f"{NEWS}publication_date") if news is not None else None
        entries.append(Entry(link, title, published or node.findtext(f"{SITEMAP}lastmod")))
    return entries
