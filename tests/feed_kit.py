"""A news site on 127.0.0.1 for feed tests: its pages, its feeds, and what it was asked.

Pages are served with an ETag; a request that sends it back (If-None-Match) gets 304 Not Modified, as
a well-kept feed server answers a conditional GET. The stories are our own."""

from __future__ import annotations

import hashlib
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import NamedTuple

STORIES = {
    "ferry": (
        "Island ferry to run three crossings a day",
        "Mara Lindqvist",
        "2026-11-02",
        [
            "The island ferry will run three crossings a day from November, the port authority said on Monday.",
            "Marta Hagen, who chairs the island council, said the morning boat was the one residents needed "
            "most, because it reaches the mainland before the schools open.",
            "The operator said fuel costs had risen by a fifth since spring.",
        ],
    ),
    "bridge": (
        "Bridge repairs close the coastal road for a month",
        "Tomas Berg",
        "2026-11-03",
        [
            "Repairs to the old bridge will close the coastal road for a month from Friday, engineers said.",
            "Lorries will be sent along the valley road, which adds forty minutes to the drive to the port.",
            "Anja Holm, the county engineer, said the bridge's steel frame had rusted faster than expected.",
        ],
    ),
    "harbour": (
        "Harbour fees for lorries rise in spring",
        "Mara Lindqvist",
        "2026-11-04",
        [
            "Fees for lorries at the harbour will rise in spring, two months earlier than planned.",
            "Haulage firms said the rise would be passed on to the island's shops within weeks.",
            "The harbour board said the money would pay for a second ramp at the ferry terminal.",
        ],
    ),
}


def story_page(key: str, site: str = "Coast Herald") -> bytes:
    title, author, date, paragraphs = STORIES[key]
    body = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        f"<!doctype html><html><head><title>{title} | {site}</title>"
        f'<meta property="og:site_name" content="{site}"><meta name="author" content="{author}">'
        f'<meta property="article:published_time" content="{date}T08:00:00Z"></head>'
        f'<body><nav><a href="/">Home</a> <a href="/news">News</a></nav><article><h1>{title}</h1>'
        f'<p class="byline">By {author}</p>{body}</article><footer>© {site}</footer></body></html>'
    ).encode()


def front_page(links: list[tuple[str, str]]) -> bytes:
    """A section front: headlines, each a link, and nothing else."""
    items = "".join(f'<li><h2><a href="{href}">{text}</a></h2></li>' for href, text in links)
    return (
        "<!doctype html><html><head><title>News | Coast Herald</title></head><body>"
        f"<main><h1>News</h1><ul>{items}</ul></main></body></html>"
    ).encode()


def rss(base: str, entries: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f"<item><title>{title}</title><link>{base}{path}</link><guid>{base}{path}</guid></item>"
        for path, title in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Coast Herald</title>'
        f"<link>{base}/</link><description>News</description>{items}</channel></rss>"
    ).encode()


def atom(base: str, entries: list[tuple[str, str]]) -> bytes:
    items = "".join(
        f'<entry><title>{title}</title><link href="{path}"/><id>{base}{path}</id>'
        "<updated>2026-11-02T08:00:00Z</updated></entry>"
        for path, title in entries
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" '
        f'xml:base="{base}/"><title>Coast Herald</title><id>{base}/</id>'
        f"<updated>2026-11-02T08:00:00Z</updated>{items}</feed>"
    ).encode()


class Request(NamedTuple):
    path: str
    status: int


class FeedSite:
    """Serves `pages` (path -> (content type, bytes)); `requests` lists what was asked and answered."""

    def __init__(self) -> None:
        self.pages: dict[str, tuple[str, bytes]] = {}
        self.requests: list[Request] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                found = site.pages.get(self.path)
                if found is None:
                    site.requests.append(Request(self.path, 404))
                    self.send_error(404)
                    return
                kind, data = found
                etag = '"' + hashlib.sha256(data).hexdigest()[:16] + '"'
                if self.headers.get("If-None-Match") == etag:
                    site.requests.append(Request(self.path, 304))
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.end_headers()
                    return
                site.requests.append(Request(self.path, 200))
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("ETag", etag)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def statuses(self, path: str) -> list[int]:
        return [r.status for r in self.requests if r.path == path]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
