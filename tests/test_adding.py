"""Growing the shelf from Slack, end to end: the real server, signed requests, a stand-in Web API that
also serves the pages to fetch and the files behind `url_private`.

The server runs with the test-only FETCH_ALLOW_PRIVATE switch, because the pages come from 127.0.0.1.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.pdf_kit import make_pdf
from tests.slack_kit import (
    BOT_TOKEN,
    FORM,
    ROOT,
    Server,
    StandIn,
    dm_event,
    event_callback,
    message_shortcut,
    post,
    sign,
    slash_command,
    start_server,
)

PAGE = (ROOT / "tests" / "pages" / "daily-example-peace-plan.html").read_bytes()
REPORT = make_pdf(
    [
        [
            "Harbour Safety Review",
            "The review found that the northern harbour needs new lights on the breakwater",
            "before the winter storms, and that the ferry pier must be rebuilt within two years.",
            "The port authority said it would pay for the lights from its reserve fund.",
        ]
    ],
    title="Harbour Safety Review",
    author="Port Authority of Lisbon",
)
NOTES = b"# Ferry notes\n\nThe island ferry will run every forty minutes from June, the operator announced.\n"


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    api = StandIn().start()
    api.served.update(
        {
            "/news/force.html": (200, {"content-type": "text/html; charset=utf-8"}, PAGE),
            "/reports/harbour.pdf": (200, {"content-type": "application/pdf"}, REPORT),
            "/files/T1/F1/notes.md": (200, {"content-type": "text/markdown"}, NOTES),
        }
    )
    yield api
    api.stop()


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("shelf") / "articles"
    shutil.copytree(ROOT / "tests" / "trade", folder)
    return folder


def _server(stand_in: StandIn, shelf: Path, state: Path, **env: str) -> Server:
    return start_server(
        stand_in,
        env={"CORPUS_DIR": str(shelf), "STATE_DIR": str(state), "FETCH_ALLOW_PRIVATE": "true", **env},
    )


@pytest.fixture(scope="module")
def server(stand_in: StandIn, shelf: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    running = _server(stand_in, shelf, tmp_path_factory.mktemp("state"))
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def fresh(stand_in: StandIn) -> None:
    stand_in.reset()


def shortcut(server: Server, text: str, files: list[dict[str, Any]] | None = None) -> None:
    body = message_shortcut(text, callback_id="add_article", files=files)
    assert post(server.port, body, FORM, sign(body)).status == 200


def dm(server: Server, event: dict[str, Any], event_id: str) -> None:
    body = event_callback(event, event_id)
    assert post(server.port, body, "application/json", sign(body)).status == 200


def reply_text(call_params: dict[str, Any]) -> str:
    return str(call_params.get("text", "")) + json.dumps(call_params.get("blocks", ""))


def ask(server: Server, question: str) -> dict[str, Any]:
    body = slash_command("/ask", question)
    return dict(json.loads(post(server.port, body, FORM, sign(body)).body))


def test_the_shortcut_adds_the_linked_page_and_it_can_be_asked_about(
    server: Server, stand_in: StandIn, shelf: Path
) -> None:
    link = f"{stand_in.root}/news/force.html"
    shortcut(server, f"Worth a read: <{link}|Europe readies a force>")
    [call] = stand_in.wait_for("chat.postEphemeral", timeout=20)
    text = reply_text(call.params)
    assert "Added to the shelf as 127-0-0-1-news-force.html" in text
    assert "Europe Readies a Ukraine Force" in text and "Jane Doe" in text and "2025-03-04" in text
    assert (shelf / "127-0-0-1-news-force.html").read_bytes() == PAGE
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:  # the watcher brings it into the index
        answer = json.dumps(ask(server, "How many troops would the reassurance force have?"))
        if "20,000 troops" in answer:
            break
        time.sleep(0.5)
    assert "20,000 troops" in answer and "127-0-0-1-news-force.html" in answer


def test_a_dm_with_a_link_adds_a_pdf_report(server: Server, stand_in: StandIn) -> None:
    dm(server, dm_event(f"add <{stand_in.root}/reports/harbour.pdf>"), "EvAdd1")
    [call] = stand_in.wait_for("chat.postMessage", timeout=20)
    text = reply_text(call.params)
    assert "Added to the shelf as 127-0-0-1-reports-harbour.pdf" in text
    assert "Harbour Safety Review" in text and "Port Authority of Lisbon" in text


def test_a_file_shared_in_the_dm_is_downloaded_with_the_bot_token(server: Server, stand_in: StandIn) -> None:
    files = [
        {
            "id": "F1",
            "name": "notes.md",
            "mimetype": "text/markdown",
            "size": len(NOTES),
            "url_private": f"{stand_in.root}/files/T1/F1/notes.md",
        }
    ]
    dm(server, {**dm_event(""), "subtype": "file_share", "files": files}, "EvAdd2")
    [call] = stand_in.wait_for("chat.postMessage", timeout=20)
    assert "Added to the shelf as notes.md" in reply_text(call.params)
    assert ("/files/T1/F1/notes.md", f"Bearer {BOT_TOKEN}") in stand_in.downloads
    time.sleep(0.5)  # the request's log line follows the post
    [line] = [line for line in server.log if "surface=dm" in line][-1:]
    assert "command=add" in line and "found=True" in line, line


def test_ask_add_answers_at_once_and_reports_through_the_response_url(
    server: Server, stand_in: StandIn, shelf: Path
) -> None:
    before = sorted(p.name for p in shelf.iterdir())
    link = f"{stand_in.root}/news/force.html"
    body = slash_command("/ask", f"add {link}", response_url=f"{stand_in.url}response")
    reply = post(server.port, body, FORM, sign(body))
    assert reply.status == 200 and reply.elapsed < 3 and "Adding" in reply.json()["text"]
    [call] = stand_in.wait_for("response", timeout=20)
    assert "Not added" in reply_text(call.params) and "already on the shelf" in reply_text(call.params)
    assert sorted(p.name for p in shelf.iterdir()) == before  # the same link twice is one article


def test_a_refused_link_leaves_the_shelf_as_it_was(server: Server, stand_in: StandIn, shelf: Path) -> None:
    before = sorted(p.name for p in shelf.iterdir())
    dm(server, dm_event("ftp://files.example.com/report.txt"), "EvAdd3")  # only a link, but not http(s)
    dm(server, dm_event(f"{stand_in.root}/nothing-here.html"), "EvAdd4")
    calls = stand_in.wait_for("chat.postMessage", count=2, timeout=20)
    texts = " ".join(reply_text(c.params) for c in calls)
    assert "answered 404" in texts
    assert sorted(p.name for p in shelf.iterdir()) == before


def test_only_adders_may_add(
    stand_in: StandIn, shelf: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    running = _server(
        stand_in, shelf, tmp_path_factory.mktemp("state-adders"), ADDERS="U0999", WATCH_CORPUS="false"
    )
    try:
        before = sorted(p.name for p in shelf.iterdir())
        dm(running, dm_event(f"add {stand_in.root}/reports/harbour.pdf"), "EvAdd5")
        [call] = stand_in.wait_for("chat.postMessage", timeout=20)
        assert "Only <@U0999> can add articles" in reply_text(call.params)
        assert sorted(p.name for p in shelf.iterdir()) == before
    finally:
        running.stop()


def test_a_file_is_downloaded_only_from_slack(server: Server, stand_in: StandIn) -> None:
    files = [{"id": "F2", "name": "notes.md", "size": 10, "url_private": "http://10.0.0.7/files/notes.md"}]
    dm(server, {**dm_event(""), "subtype": "file_share", "files": files}, "EvAdd6")
    [call] = stand_in.wait_for("chat.postMessage", timeout=20)
    assert "Not added" in reply_text(call.params) and "no download address in Slack" in reply_text(
        call.params
    )
    assert not any("10.0.0.7" in path for path, _ in stand_in.downloads)
