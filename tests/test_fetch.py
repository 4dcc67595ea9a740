"""Fetching a link to add: only public http(s) sites, bounded in redirects, time and size; every kind
of article file recognised. Pages come from a real HTTP server on 127.0.0.1, allowed only through
the explicit test-only switch."""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.__main__ import main
from bot.errors import FetchRefused
from bot.fetch import MAX_REDIRECTS, fetch
from tests.pdf_kit import make_pdf
from tests.slack_kit import ROOT, StandIn, clean_environ

PAGE = (ROOT / "tests" / "pages" / "daily-example-peace-plan.html").read_bytes()
REPORT = make_pdf(
    [
        [
            "Harbour Safety Review",
            "The review found that the northern harbour needs new lights on the breakwater before the",
            "winter storms, and that the ferry pier must be rebuilt within two years at the latest.",
        ]
    ],
    title="Harbour Safety Review",
    author="Port Authority",
)


@pytest.fixture(scope="module")
def site() -> Iterator[StandIn]:
    server = StandIn().start()
    server.served.update(
        {
            "/news/force.html": (200, {"content-type": "text/html; charset=utf-8"}, PAGE),
            "/report": (200, {"content-type": "application/octet-stream"}, REPORT),
            "/notes.md": (200, {"content-type": "text/plain"}, b"# Notes\n\nThe ferry runs at noon.\n"),
            "/moved": (302, {"location": "/news/force.html"}, b""),
            "/photo.png": (200, {"content-type": "image/png"}, b"\x89PNG\r\n\x1a\n\x00\x00"),
            "/huge": (200, {"content-type": "text/html", "content-length": str(11 * 1024 * 1024)}, b""),
            "/gone": (404, {}, b"not here"),
        }
    )
    for hop in range(MAX_REDIRECTS + 1):
        server.served[f"/loop{hop}"] = (302, {"location": f"/loop{hop + 1}"}, b"")
    yield server
    server.stop()


def test_pages_pdfs_and_text_are_fetched_and_recognised(site: StandIn) -> None:
    page = fetch(f"{site.root}/news/force.html", allow_private=True)
    assert (page.suffix, page.data) == (".html", PAGE) and page.name == "127-0-0-1-news-force.html"
    assert fetch(f"{site.root}/report", allow_private=True).suffix == ".pdf"  # sniffed, not declared
    assert fetch(f"{site.root}/notes.md", allow_private=True).suffix == ".md"
    moved = fetch(f"{site.root}/moved", allow_private=True)
    assert moved.url.endswith("/news/force.html") and moved.data == PAGE


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("/photo.png", "not an article (image/png"),
        ("/huge", "too large"),
        ("/gone", "answered 404"),
        ("/loop0", f"more than {MAX_REDIRECTS} redirects"),
    ],
)
def test_what_is_not_an_article_or_too_much_is_refused(site: StandIn, path: str, reason: str) -> None:
    with pytest.raises(FetchRefused, match=re.escape(reason)):
        fetch(f"{site.root}{path}", allow_private=True)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1/",
        "http://localhost/admin",
        "http://10.0.0.7/",
        "http://169.254.169.254/latest/meta-data/",  # a cloud's metadata service
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
    ],
)
def test_private_and_local_addresses_are_refused_by_default(url: str) -> None:
    with pytest.raises(FetchRefused, match="private, local or reserved"):
        fetch(url)


def test_the_local_test_server_itself_is_refused_without_the_switch(site: StandIn) -> None:
    before = len(site.downloads)
    with pytest.raises(FetchRefused, match="private, local or reserved"):
        fetch(f"{site.root}/news/force.html")
    assert len(site.downloads) == before  # refused before any request was sent


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("ftp://example.com/a.txt", "only http and https"),
        ("file:///etc/passwd", "only http and https"),
        ("http://user:secret@example.com/", "user name or password"),
        ("https://no-such-host.invalid/", "no such host"),
    ],
)
def test_other_links_are_refused_with_a_reason(url: str, reason: str) -> None:
    with pytest.raises(FetchRefused, match=reason):
        fetch(url)


def test_a_redirect_into_a_private_address_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """A public site (DNS stands in: no internet here) that redirects to the machine's own address."""
    real = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "public.example":
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80))]
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    asked: list[str] = []

    def site(request: httpx.Request) -> httpx.Response:
        asked.append(str(request.url))
        return httpx.Response(302, headers={"location": "http://127.0.0.1:8080/internal"})

    with pytest.raises(FetchRefused, match="private, local or reserved"):
        fetch("http://public.example/story", transport=httpx.MockTransport(site))
    assert asked == ["http://public.example/story"]  # the private address was never asked


def test_add_takes_links_on_the_command_line(
    site: StandIn, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "articles"
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setenv("FETCH_ALLOW_PRIVATE", "true")
    assert main(["add", "--json", "--corpus", str(corpus), f"{site.root}/report", "ftp://x.example/a"]) == 0
    added, refused = (json.loads(line) for line in capsys.readouterr().out.splitlines())
    assert (
        added["added"]
        and added["title"] == "Harbour Safety Review"
        and added["doc_id"] == "127-0-0-1-report.pdf"
    )
    assert not refused["added"] and "only http and https" in refused["refused"]
    assert sorted(p.name for p in corpus.iterdir()) == ["127-0-0-1-report.pdf"]


def test_the_console_adds_a_link_as_a_dm_would_and_answers_from_it(site: StandIn, tmp_path: Path) -> None:
    corpus = tmp_path / "articles"
    shutil.copytree(ROOT / "tests" / "trade", corpus)
    env = {**clean_environ(), "CORPUS_DIR": str(corpus), "STATE_DIR": str(tmp_path / "state")}
    env["FETCH_ALLOW_PRIVATE"] = "true"
    lines = f"add {site.root}/report\n/ask What must be rebuilt within two years?\nquit\n"
    result = subprocess.run(
        [sys.executable, "-m", "bot"],
        input=lines,
        text=True,
        capture_output=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Added to the shelf as 127-0-0-1-report.pdf" in result.stdout
    assert "ferry pier must be rebuilt" in result.stdout and "page 1" in result.stdout
