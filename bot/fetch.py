"""Fetch an article from a link, safely: what `add` does with a URL (from Slack or the command line).

Only http(s); the host must resolve to public addresses, checked before every request and again on the
connection actually made (a DNS answer that changes between the two is caught), and again after each
redirect (at most 5). At most 10 s and 10 MB. What comes back is classified as a web page, a PDF, plain
text or Markdown by its content type and by its first bytes. Every refusal is a FetchRefused with a
reason a person can act on. httpx does the HTTP; the address checks are ours, because no well-kept
client checks where a redirect leads.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import httpx

from bot.errors import CitebotError

MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 10.0
MAX_BYTES = 10 * 1024 * 1024
USER_AGENT = "Citebot/0.1 (adds the articles a team shares in Slack)"
_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
}


class FetchRefused(CitebotError):
    """A link that was not fetched, or fetched but is not an article file."""


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a link gave: the final address (after redirects), the bytes, and the kind of file they are."""

    url: str
    data: bytes
    suffix: str  # .html, .pdf, .txt or .md

    @property
    def name(self) -> str:
        """A file name for the corpus, from the address: `example.com-news-europe-force.html`."""
        parts = urlsplit(self.url)
        path = re.sub(r"\.(?:html?|pdf|txt|md|php|aspx?)$", "", parts.path.strip("/"), flags=re.I)
        stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname or 'page'} {path}").strip("-")[:120]
        return f"{stem or 'page'}{self.suffix}"


def fetch(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    transport: httpx.BaseTransport | None = None,
) -> Fetched:
    """GET `url` following at most 5 redirects; FetchRefused says why it was not fetched.

    `allow_private` lets a test fetch from a server on 127.0.0.1; never set it in production.
    """
    with httpx.Client(
        timeout=timeout, follow_redirects=False, trust_env=False, transport=transport
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            _check_address(url, allow_private)
            try:
                with client.stream("GET", url, headers={"User-Agent": USER_AGENT}) as response:
                    _check_peer(response, allow_private)
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise FetchRefused(
                            f"the site answered {response.status_code} {response.reason_phrase}"
                        )
                    data = _body(response, max_bytes)
                    return Fetched(str(response.url), data, _suffix(response, data))
            except httpx.TimeoutException:
                raise FetchRefused(f"the site took longer than {timeout:.0f} s") from None
            except httpx.HTTPError as exc:
                raise FetchRefused(f"could not fetch it ({type(exc).__name__})") from None
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


def _check_address(url: str, allow_private: bool) -> None:
    """Refuse anything but http(s) to a host that resolves only to public addresses."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchRefused(f"only http and https links can be added, not {parts.scheme or 'this'}")
    host = parts.hostname
    if not host:
        raise FetchRefused("the link has no host")
    if parts.username or parts.password:
        raise FetchRefused("links with a user name or password are not fetched")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        raise FetchRefused(f"no such host: {host}") from None
    for info in infos:
        _check_ip(str(info[4][0]), host, allow_private)


def _check_peer(response: httpx.Response, allow_private: bool) -> None:
    """The address the connection was really made to must be public too (DNS can change its mind)."""
    stream = response.extensions.get("network_stream")
    peer = stream.get_extra_info("server_addr") if stream is not None else None
    if isinstance(peer, tuple) and peer:
        _check_ip(str(peer[0]), response.url.host, allow_private)


def _check_ip(address: str, host: str, allow_private: bool) -> None:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    if not ip.is_global and not allow_private:
        raise FetchRefused(
            f"{host} is a private, local or reserved address ({ip}); only public sites are fetched"
        )


def _body(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"too large ({int(declared):,} bytes; the limit is {max_bytes:,})")
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        size += len(chunk)
        if size > max_bytes:
            raise FetchRefused(f"too large (more than {max_bytes:,} bytes)")
        chunks.append(chunk)
    return b"".join(chunks)


def _suffix(response: httpx.Response, data: bytes) -> str:
    """The kind of file: by its first bytes where they tell, else by the declared content type."""
    head = data[:1024].lstrip().lower()
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if head.startswith((b"<!doctype html", b"<html", b"<?xml")) or b"<head" in head or b"<body" in head:
        return ".html"
    declared = response.headers.get("content-type", "").split(";")[0].strip().lower()
    if declared in _TYPES and declared != "application/pdf":
        path = response.url.path.lower()
        return ".md" if declared == "text/plain" and path.endswith(".md") else _TYPES[declared]
    if not declared and b"\x00" not in data[:8192]:
        return ".txt"
    raise FetchRefused(
        f"not an article ({declared or 'unknown content'}; Citebot adds web pages, PDFs and text)"
    )
