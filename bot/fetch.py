"""Fetch an article from a link, safely: what `add` does with a URL (from Slack or the command line).

Only http(s); the host must resolve to public addresses, and the connection is made to an address that
was checked, never to a second DNS answer (a name that resolves to a public address for the check and
to a private one for the connection is DNS rebinding). The same after each redirect (at most 5).
Each read may take 10 s and the whole fetch 30 s (a server that drips a few bytes every few seconds
is cut off), and at most 10 MB. What comes back is classified as a web page, a PDF, plain text or
Markdown by its content type and by its first bytes. Every refusal is a FetchRefused with a reason a
person can act on. httpx does the HTTP; the address checks are ours, because no well-kept client
checks where a redirect leads or pins the address it checked.
"""

from __future__ import annotations

import asyncio
import ipaddress
import re
import socket
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpcore
import httpx

from bot.errors import FetchRefused

MAX_REDIRECTS = 5
TIMEOUT_SECONDS = 10.0  # connecting, and each read
DEADLINE_SECONDS = 30.0  # the whole fetch, redirects included
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
# IPv6 prefixes that carry an IPv4 address in their last 32 bits (NAT64, RFC 6052 and RFC 8215).
_NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")  # deprecated "::a.b.c.d" addresses


@dataclass(frozen=True, slots=True)
class Fetched:
    """What a link gave: the final address (after redirects), the bytes, and the kind of file they are."""

    url: str
    data: bytes
    suffix: str  # .html, .pdf, .txt or .md ("" for a feed, which is not classified)
    status: int = 200  # 304: not modified since the validators sent (a feed's conditional GET), no bytes
    etag: str | None = None
    last_modified: str | None = None

    @property
    def name(self) -> str:
        """A file name for the corpus, from the address: `example.com-news-europe-force.html`."""
        parts = urlsplit(self.url)
        path = re.sub(r"\.(?:html?|pdf|txt|md|php|aspx?)$", "", parts.path.strip("/"), flags=re.I)
        stem = re.sub(r"[^A-Za-z0-9]+", "-", f"{parts.hostname or 'page'} {path}").strip("-")[:120]
        return f"{stem or 'page'}{self.suffix}"


def fetch(url: str, **options: Any) -> Fetched:
    """`fetch_async(url, **options)` for code without an event loop (the command line, a worker thread)."""
    return asyncio.run(fetch_async(url, **options))


async def fetch_async(
    url: str,
    *,
    allow_private: bool = False,
    timeout: float = TIMEOUT_SECONDS,
    deadline: float = DEADLINE_SECONDS,
    max_bytes: int = MAX_BYTES,
    transport: httpx.AsyncBaseTransport | None = None,
    feed: Validators | None = None,
) -> Fetched:
    """GET `url` following at most 5 redirects, within `deadline` seconds in all; FetchRefused says why not.

    `allow_private` lets a test fetch from a server on 127.0.0.1; never set it in production.
    `transport` replaces the network (tests); the addresses are still checked before each request.
    `feed`: fetch a feed, not an article: its bytes are not classified, and the validators of the last
    fetch are sent (a conditional GET: an unchanged feed answers 304 with no body).
    """
    backend = PinnedBackend()
    try:
        async with asyncio.timeout(deadline):
            return await _follow(
                url, allow_private, timeout, max_bytes, transport or backend.transport(), backend, feed
            )
    except TimeoutError:
        raise FetchRefused(f"the site took longer than {deadline:.0f} s in all") from None


async def _follow(
    url: str,
    allow_private: bool,
    timeout: float,
    max_bytes: int,
    transport: httpx.AsyncBaseTransport,
    backend: PinnedBackend,
    feed: Validators | None = None,
) -> Fetched:
    headers = {"User-Agent": USER_AGENT}
    if feed is not None:
        headers |= {"Accept": FEED_TYPES} | feed.headers()
    async with httpx.AsyncClient(
        timeout=timeout, follow_redirects=False, trust_env=False, transport=transport
    ) as client:
        for _ in range(MAX_REDIRECTS + 1):
            backend.pin(url, await asyncio.to_thread(_checked_addresses, url, allow_private))
            try:
                async with client.stream("GET", url, headers=headers) as response:
                    if response.is_redirect and "location" in response.headers:
                        url = urljoin(url, response.headers["location"])
                        continue
                    if response.status_code >= 400:
                        raise FetchRefused(
                            f"the site answered {response.status_code} {response.reason_phrase}"
                        )
                    etag, modified = response.headers.get("etag"), response.headers.get("last-modified")
                    if feed is not None and response.status_code == 304:
                        return Fetched(str(response.url), b"", "", 304, etag or feed.etag, modified)
                    data = await _body(response, max_bytes)
                    if feed is not None:
                        return Fetched(str(response.url), data, "", response.status_code, etag, modified)
                    return Fetched(str(response.url), data, _suffix(response, data))
            except httpx.TimeoutException:
                raise FetchRefused(f"the site took longer than {timeout:.0f} s to answer") from None
            except httpx.HTTPError as exc:
                raise FetchRefused(f"could not fetch it ({type(exc).__name__})") from None
    raise FetchRefused(f"more than {MAX_REDIRECTS} redirects")


FEED_TYPES = (
    "application/rss+xml, application/atom+xml, application/feed+json, application/json;q=0.9, "
    "application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5"
)


@dataclass(frozen=True, slots=True)
class Validators:
    """What the last fetch of a feed said about its version, sent back so an unchanged feed costs a 304."""

    etag: str | None = None
    last_modified: str | None = None

    def headers(self) -> dict[str, str]:
        sent = {"If-None-Match": self.etag} if self.etag else {}
        return sent | ({"If-Modified-Since": self.last_modified} if self.last_modified else {})


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """httpcore's network, connecting each host only to the addresses `fetch` checked for it."""

    def __init__(self) -> None:
        self._inner = httpcore.AnyIOBackend()
        self._addresses: dict[str, list[str]] = {}

    def pin(self, url: str, addresses: list[str]) -> None:
        """Connections to `url`'s host go to these addresses, and no others."""
        self._addresses[httpx.URL(url).raw_host.decode("ascii").lower()] = addresses

    def transport(self) -> httpx.AsyncHTTPTransport:
        """An httpx transport over this network. httpx takes no network backend as an argument, so its
        connection pool is replaced by one built with the same TLS settings (httpx's own defaults)."""
        transport = httpx.AsyncHTTPTransport(trust_env=False)
        transport._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(trust_env=False), network_backend=self
        )
        return transport

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Any = None,
    ) -> httpcore.AsyncNetworkStream:
        addresses = self._addresses.get(host.lower())
        if not addresses:
            raise httpcore.ConnectError(f"{host} was not checked before connecting")
        failure: Exception = httpcore.ConnectError(f"cannot connect to {host}")
        for address in addresses:
            try:
                return await self._inner.connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc
        raise failure

    async def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Any = None
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("unix sockets are never fetched")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _checked_addresses(url: str, allow_private: bool) -> list[str]:
    """The addresses `url`'s host resolves to, all public (else FetchRefused); only http(s)."""
    parts = urlsplit(url)
    if parts.scheme not in {"http", "https"}:
        raise FetchRefused(f"only http and https links can be added, not {parts.scheme or 'this'}")
    try:
        host = parts.hostname
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        raise FetchRefused("the link's address is malformed") from None
    if not host:
        raise FetchRefused("the link has no host")
    if parts.username or parts.password:
        raise FetchRefused("links with a user name or password are not fetched")
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, ValueError, UnicodeError):
        raise FetchRefused(f"no such host: {host}") from None
    addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
    for address in addresses:
        _check_ip(address, host, allow_private)
    return addresses


def _check_ip(address: str, host: str, allow_private: bool) -> None:
    if allow_private:
        return
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if not is_public(ip):
        raise FetchRefused(
            f"{host} is a private, local or reserved address ({ip}); only public sites are fetched"
        )


def is_public(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """A unicast address on the public internet; an IPv6 address that carries an IPv4 address (mapped,
    NAT64, 6to4, Teredo) only if that one is public too."""
    if isinstance(ip, ipaddress.IPv6Address):
        if ip in _IPV4_COMPATIBLE:  # "::a.b.c.d", "::1" and "::" among them
            return False
        embedded = _embedded(ip)
        if embedded is not None:
            return is_public(embedded)
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_link_local or ip.is_unspecified)


def _embedded(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip.teredo is not None:
        return ip.teredo[1]
    if any(ip in network for network in _NAT64):
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


async def _body(response: httpx.Response, max_bytes: int) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise FetchRefused(f"too large ({int(declared):,} bytes; the limit is {max_bytes:,})")
    chunks, size = [], 0
    async for chunk in response.aiter_bytes():
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
    if _TYPES.get(declared) == ".html" and b"<" not in head and b"\x00" not in data[:8192]:
        return ".txt"  # plain text served as a web page (a misconfigured server): read as the text it is
    if declared in _TYPES and declared != "application/pdf":
        path = response.url.path.lower()
        return ".md" if declared == "text/plain" and path.endswith(".md") else _TYPES[declared]
    if not declared and b"\x00" not in data[:8192]:
        return ".txt"
    raise FetchRefused(
        f"not an article ({declared or 'unknown content'}; Citebot adds web pages, PDFs and text)"
    )
