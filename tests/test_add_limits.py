"""Adding is bounded and safe against a hostile newcomer: a site that drips its page, a flood of adds,
DNS that changes its answer, addresses dressed up as public ones, links out of the folder, the same
story added four times at once. Sites are real HTTP servers on 127.0.0.1 started here."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpcore
import pytest

from bot.adds import AddQueue
from bot.errors import FetchRefused
from bot.fetch import fetch
from bot.shelf import Shelf, add_to_corpus
from tests.slack_kit import (
    FORM,
    ROOT,
    Drip,
    StandIn,
    clean_environ,
    post,
    sign,
    slash_command,
    start_server,
)

STORY = (
    "# Harbour lights\n\nThe port authority said on Monday that the northern harbour needs new lights "
    "on the breakwater before the winter storms arrive.\n\nThe ferry pier must be rebuilt within two "
    "years, the authority's engineer told the council.\n"
)


@pytest.fixture
def drip() -> Iterator[Drip]:
    site = Drip()
    yield site
    site.stop()


def test_a_fetch_has_a_deadline_in_all_not_only_per_read(drip: Drip) -> None:
    started = time.monotonic()
    with pytest.raises(FetchRefused, match="longer than 3 s in all"):
        fetch(drip.url, allow_private=True, timeout=10, deadline=3)
    assert time.monotonic() - started < 5  # each read came within 1 s; only the total stops it


def test_adds_from_a_dripping_site_never_hold_up_answers(drip: Drip, tmp_path: Path) -> None:
    """Six people add a link that drips; questions asked meanwhile are answered within Slack's 3 s."""
    api = StandIn().start()
    corpus = tmp_path / "articles"
    shutil.copytree(ROOT / "tests" / "trade", corpus)
    (corpus / "harbour.md").write_text(STORY, encoding="utf-8")
    before = sorted(corpus.iterdir())
    server = start_server(
        api,
        env={"CORPUS_DIR": str(corpus), "STATE_DIR": str(tmp_path / "state"), "FETCH_ALLOW_PRIVATE": "true"},
    )
    try:
        respond = f"{api.root}/commands/T0001/1/added"
        for person in range(6):
            body = slash_command(
                "/ask", f"add {drip.url}?n={person}", user_id=f"U00{person}", response_url=respond
            )
            assert post(server.port, body, FORM, sign(body)).status == 200
        time.sleep(1.0)  # the fetches are under way
        for _ in range(5):
            body = slash_command("/ask", "What must be rebuilt within two years?")
            reply = post(server.port, body, FORM, sign(body))
            assert reply.status == 200 and "ferry pier" in reply.json()["text"]
            assert reply.elapsed < 3.0, f"an answer waited {reply.elapsed:.1f} s behind the adds"
        # The same person's fourth add at once is refused at once, with a reason.
        for n in range(4):
            body = slash_command("/ask", f"add {drip.url}?again={n}", user_id="U0100", response_url=respond)
            post(server.port, body, FORM, sign(body))
        refused = api.wait_for("added", 1, timeout=5)
        assert "adds under way" in json.dumps(refused[0].params)
    finally:
        server.stop()
        api.stop()
    assert sorted(corpus.iterdir()) == before


def test_a_name_that_resolves_again_elsewhere_is_connected_to_the_checked_address(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """DNS rebinding: the first answer is public, any later one is this machine. The connection must
    go to the address that was checked (no internet here: the connect itself is stopped, and the test
    server on 127.0.0.1 must never see a request)."""
    api = StandIn().start()
    port = int(api.server.server_address[1])  # type: ignore[union-attr]
    answers = iter([("93.184.216.34", port)])
    real = socket.getaddrinfo

    def resolve(host: str, *args: Any, **kwargs: Any) -> Any:
        if host == "rebind.example":
            address = next(answers, ("127.0.0.1", port))
            return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", address)]
        return real(host, *args, **kwargs)

    connected: list[str] = []

    async def no_internet(self: object, host: str, *args: Any, **kwargs: Any) -> Any:
        connected.append(host)
        raise httpcore.ConnectError("no route (test)")

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    monkeypatch.setattr(httpcore.AnyIOBackend, "connect_tcp", no_internet)
    try:
        with pytest.raises(FetchRefused, match="could not fetch it"):
            fetch(f"http://rebind.example:{port}/article?secret-action=delete")
    finally:
        api.stop()
    assert connected == ["93.184.216.34"]
    assert api.downloads == []


@pytest.mark.parametrize(
    "url",
    [
        "http://[::127.0.0.1]/",  # IPv4-compatible IPv6
        "http://[64:ff9b::7f00:1]/",  # NAT64 of 127.0.0.1
        "http://[2002:7f00:1::]/",  # 6to4 of 127.0.0.1
        "http://[2001:0:4136:e378:8000:63bf:80ff:fffe]/",  # Teredo of 127.0.0.1
        "http://224.0.0.1/",  # multicast
        "http://[ff02::1]/",
        "http://100.64.0.1/",  # carrier-grade NAT
    ],
)
def test_addresses_dressed_as_public_are_refused(url: str) -> None:
    with pytest.raises(FetchRefused, match="private, local or reserved"):
        fetch(url)


def test_text_served_as_a_web_page_is_read_as_text(tmp_path: Path) -> None:
    api = StandIn().start()
    api.served["/notes"] = (200, {"content-type": "text/html"}, STORY.replace("# ", "").encode())
    try:
        fetched = fetch(f"{api.root}/notes", allow_private=True)
    finally:
        api.stop()
    assert fetched.suffix == ".txt"


def _run_bot(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {**clean_environ(), "STATE_DIR": str(cwd / "state")}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_links_out_of_the_corpus_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text("The vault code is written on the inside of the cupboard door.\n")
    (outside / "folder" / "hidden.md").write_text(
        "The spare key lies under the third flower pot by the gate.\n"
    )
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "harbour.md").write_text(STORY, encoding="utf-8")
    (corpus / "x.txt").symlink_to(outside / "secret.txt")
    (corpus / "linked").symlink_to(outside / "folder")
    (corpus / "inner").mkdir()
    (corpus / "inner" / "again.md").symlink_to(corpus / "harbour.md")  # a link inside: allowed
    result = _run_bot("ask", "--corpus", str(corpus), "/ask Where is the vault code written?", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "cupboard" not in result.stdout
    assert result.stderr.count("a link out of the corpus folder") == 2
    flower = _run_bot("ask", "--corpus", str(corpus), "/ask Where does the spare key lie?", cwd=tmp_path)
    assert "flower pot" not in flower.stdout


def test_adding_a_folder_copies_no_link_out_of_it(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("The vault code is written on the inside of the cupboard door, said the guard.\n")
    folder = tmp_path / "to-add"
    folder.mkdir()
    (folder / "harbour.md").write_text(STORY, encoding="utf-8")
    (folder / "x.txt").symlink_to(secret)
    shelf = tmp_path / "articles"
    outcomes = add_to_corpus([folder], shelf)
    assert [o.doc_id for o in outcomes] == ["harbour.md"]
    assert sorted(p.name for p in shelf.iterdir()) == ["harbour.md"]


def test_adds_of_one_story_at_once_add_it_once(tmp_path: Path) -> None:
    """Four adders (processes, workers) that read the shelf at the same moment, then each add the same
    story under another name: one copy lands, the others are refused as the same file."""
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "other.md").write_text(
        "# Other\n\nThe council met on Tuesday to discuss the new budget plan.\n"
    )
    adders = [Shelf(corpus) for _ in range(4)]  # each has read the shelf before any of them writes
    outcomes = [
        shelf.add_data(STORY.encode(), f"copy-{n}.md", f"copy-{n}.md") for n, shelf in enumerate(adders)
    ]
    assert [o.doc_id for o in outcomes] == ["copy-0.md", None, None, None]
    assert all("already on the shelf as copy-0.md" in (o.refused or "") for o in outcomes[1:])
    assert sorted(p.name for p in corpus.iterdir()) == ["copy-0.md", "other.md"]


def test_adding_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    result = _run_bot("add", "--corpus", str(tmp_path / "articles"), str(fifo), cwd=tmp_path)
    assert "not a regular file" in result.stdout + result.stderr
    assert not (tmp_path / "articles" / "pipe.txt").exists()


# -- every add path reads the shelf as the index does ----------------------------------------------

CLUTTER = ["Harbour desk notes are compiled*"]
HARBOUR = (
    "The ferry line will run three crossings a day from November.\n\n"
    "Fees for lorries rise in spring, two months earlier than planned.\n\n"
    "The harbour handled more passengers last year than the year before.\n\n"
    "Residents of the island want a morning boat kept in the timetable.\n"
)
HARBOUR_COPY = HARBOUR + "\nHarbour desk notes are compiled by the night editor on Fridays.\n"


def test_adds_from_slack_read_the_shelf_with_the_domains_clutter_lines(tmp_path: Path) -> None:
    # The copy differs from the shelf's story only by a clutter line: read as the index reads it (the
    # line left out), it is the story saved again and refused; read without the domain's clutter, a
    # fifth of it is new, so it is kept (noted as the same story).
    for clutter, same in ((CLUTTER, True), ((), False)):
        shelf = tmp_path / f"shelf-{same}"
        shelf.mkdir()
        (shelf / "harbour.md").write_text(HARBOUR, encoding="utf-8")
        queue = AddQueue(shelf, clutter=clutter)
        try:
            outcome = asyncio.run(queue.to_shelf(HARBOUR_COPY.encode(), "copy.md", "copy.md"))
        finally:
            queue.close()
        assert (outcome.refused is not None) is same, outcome
        if same:
            assert "duplicate of harbour.md" in str(outcome.refused)
