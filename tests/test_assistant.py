"""The assistant side panel, feedback buttons, the usage report and the Home tab, end to end: the real
server (two workers, so a click may reach the worker that did not answer), signed requests, and a
stand-in Web API on 127.0.0.1."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from tests.slack_kit import (
    FORM,
    JSON,
    ROOT,
    Call,
    Server,
    StandIn,
    clean_environ,
    dm_event,
    event_callback,
    feedback_click,
    home_opened,
    post,
    sign,
    slash_command,
    start_server,
    thread_started,
)

SEED_TEXTS = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "seeds").iterdir()) if p.is_file()]


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    api = StandIn().start()
    yield api
    api.stop()


@pytest.fixture(scope="module")
def events_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("state") / "events.sqlite3"


@pytest.fixture(scope="module")
def server(stand_in: StandIn, events_db: Path) -> Iterator[Server]:
    env = {"EVENTS_DB": str(events_db), "LOG_QUERIES": "true"}
    running = start_server(stand_in, "--workers", "2", env=env)
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def fresh_stand_in(stand_in: StandIn) -> None:
    stand_in.reset()
    stand_in.extra.pop("conversations.replies", None)


_event_ids = iter(range(1, 10_000))


def send(server: Server, event: dict[str, Any]) -> None:
    body = event_callback(event, f"EvPanel{next(_event_ids)}{time.time_ns()}")
    reply = post(server.port, body, JSON, sign(body))
    assert reply.status == 200 and reply.elapsed < 3.0


def in_thread(stand_in: StandIn, thread_ts: str, count: int = 1) -> list[Call]:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        posted = [c for c in stand_in.ok_calls("chat.postMessage") if c.params.get("thread_ts") == thread_ts]
        if len(posted) >= count:
            return posted
        time.sleep(0.02)
    raise AssertionError(f"no answer in thread {thread_ts}: {stand_in.calls}")


def quotes(blocks: list[dict[str, Any]]) -> list[str]:
    """The quoted text of an answer's blocks (the `>` lines), unescaped."""
    found = []
    for block in blocks:
        text = block.get("text", {}).get("text", "") if block["type"] == "section" else ""
        lines = [line[1:] for line in text.splitlines() if line.startswith(">")]
        if lines:
            plain = "\n".join(lines).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
            found.append(plain)
    return found


def assert_verbatim(blocks: list[dict[str, Any]]) -> None:
    said = quotes(blocks)
    assert said, blocks
    for quote in said:
        for piece in quote.removesuffix(" …").split(" … "):
            assert any(piece in text for text in SEED_TEXTS), piece


def report(events_db: Path, *args: str) -> dict[str, Any]:
    env = {**clean_environ(), "EVENTS_DB": str(events_db), "CORPUS_DIR": str(ROOT / "seeds")}
    done = subprocess.run(
        [sys.executable, "-m", "bot", "report", "--json", *args],
        env=env,
        cwd=ROOT / "tests",
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    data: dict[str, Any] = json.loads(done.stdout)
    return data


# -- the side panel ---------------------------------------------------------------------------------


def test_a_new_thread_gets_a_greeting_and_prompts_from_the_shelf(server: Server, stand_in: StandIn) -> None:
    send(server, thread_started(thread_ts="200.1"))
    [call] = stand_in.wait_for("assistant.threads.setSuggestedPrompts")
    prompts = call.params["prompts"]
    assert 3 <= len(prompts) <= 4
    assert call.params["thread_ts"] == "200.1" and call.params["channel_id"] == "D0001"
    text = json.dumps(prompts, ensure_ascii=False)
    # Built from this shelf: a topic command of the domain file, a person the seeds quote, a seed's title.
    assert "/troops" in text
    assert "Volodymyr Zelenskyy" in text
    assert "Europe Hatches Plans for Ukraine" in text
    [greeting] = in_thread(stand_in, "200.1")
    assert "5 articles" in greeting.params["text"]


def test_a_prompt_that_names_an_article_is_answered_from_it(server: Server, stand_in: StandIn) -> None:
    send(server, thread_started(thread_ts="201.1"))
    [call] = stand_in.wait_for("assistant.threads.setSuggestedPrompts")
    newest = next(p for p in call.params["prompts"] if p["title"].startswith("Newest"))
    stand_in.reset()
    send(server, dm_event(newest["message"], ts="201.2", thread_ts="201.1"))
    [answer] = in_thread(stand_in, "201.1")
    assert "Europe Hatches Plans for Ukraine Peacekeepers Without U.S." in json.dumps(
        answer.params["blocks"], ensure_ascii=False
    )


def test_a_question_in_the_thread_gets_status_answer_and_title(server: Server, stand_in: StandIn) -> None:
    send(server, dm_event("how many troops would Europe send to Ukraine?", ts="300.2", thread_ts="300.1"))
    [answer] = in_thread(stand_in, "300.1")
    assert_verbatim(answer.params["blocks"])
    [status] = stand_in.wait_for("assistant.threads.setStatus")
    assert status.params["thread_ts"] == "300.1" and status.params["status"]
    order = [c.method for c in stand_in.calls]
    assert order.index("assistant.threads.setStatus") < order.index("chat.postMessage")
    deadline = time.monotonic() + 10
    while not titles(stand_in, "300.1") and time.monotonic() < deadline:
        time.sleep(0.02)
    [title] = titles(stand_in, "300.1")  # this thread's only: an earlier test's call may come late
    assert title.params["title"] == "how many troops would Europe send to Ukraine?"
    feedback = [b for b in answer.params["blocks"] if b["type"] == "context_actions"]
    assert feedback and feedback[0]["elements"][0]["action_id"] == "feedback"


def titles(stand_in: StandIn, thread_ts: str) -> list[Call]:
    """The titles set on one thread."""
    return [
        c for c in stand_in.all_calls("assistant.threads.setTitle") if c.params.get("thread_ts") == thread_ts
    ]


def thread_history(stand_in: StandIn, thread_ts: str, earlier: str) -> None:
    """What conversations.replies returns: the bot's greeting, then the user's earlier question."""
    stand_in.extra["conversations.replies"] = {
        "messages": [
            {"type": "message", "bot_id": "BCITEBOT1", "text": "Hi!", "ts": thread_ts},
            {"type": "message", "user": "U0001", "text": earlier, "ts": f"{thread_ts}1"},
        ]
    }


def test_a_follow_up_is_answered_with_the_earlier_question(server: Server, stand_in: StandIn) -> None:
    thread_history(stand_in, "400.1", "Which European troops would go to Ukraine?")
    send(server, dm_event("and what did Macron say?", ts="400.5", thread_ts="400.1"))
    [answer] = in_thread(stand_in, "400.1")
    blocks = json.dumps(answer.params["blocks"], ensure_ascii=False)
    assert "What Emmanuel Macron said:* troops" in blocks
    assert_verbatim(answer.params["blocks"])
    time.sleep(0.5)  # the title would be set just after the answer
    assert titles(stand_in, "400.1") == []  # not the thread's first question

    # The same words with no earlier question: everything Macron said, not about troops in particular.
    stand_in.reset()
    stand_in.extra.pop("conversations.replies", None)
    send(server, dm_event("and what did Macron say?", ts="401.2", thread_ts="401.1"))
    [alone] = in_thread(stand_in, "401.1")
    text = json.dumps(alone.params["blocks"], ensure_ascii=False)
    assert "Macron" in text and "said:* troops" not in text


def test_a_follow_up_with_nothing_to_add_is_answered_as_asked(server: Server, stand_in: StandIn) -> None:
    thread_history(stand_in, "402.1", "what would the US contribute?")
    send(server, dm_event("and who said it was a long shot?", ts="402.5", thread_ts="402.1"))
    [answer] = in_thread(stand_in, "402.1")
    assert "Bence Németh" in json.dumps(answer.params["blocks"], ensure_ascii=False)


# -- feedback and the report ------------------------------------------------------------------------


def feedback_values(blocks: list[dict[str, Any]]) -> tuple[str, str]:
    [row] = [b for b in blocks if b["type"] == "context_actions"]
    [buttons] = row["elements"]
    assert buttons["type"] == "feedback_buttons" and buttons["action_id"] == "feedback"
    assert Block.parse(row) is not None
    return buttons["positive_button"]["value"], buttons["negative_button"]["value"]


def click(server: Server, value: str, user: str = "U0001") -> None:
    body = feedback_click(value, user=user)
    reply = post(server.port, body, FORM, sign(body))
    assert reply.status == 200 and reply.elapsed < 3.0


def wait_report(events_db: Path, check: Any) -> dict[str, Any]:
    deadline = time.monotonic() + 10
    while True:
        data = report(events_db)
        if check(data) or time.monotonic() > deadline:
            return data
        time.sleep(0.1)


def test_feedback_is_recorded_once_per_person_and_shown_in_the_report(
    server: Server, stand_in: StandIn, events_db: Path
) -> None:
    body = slash_command("/troops", "which countries would send troops?")
    answer = post(server.port, body, FORM, sign(body)).json()
    positive, negative = feedback_values(answer["blocks"])
    assert positive != negative

    click(server, positive)
    stand_in.wait_for("chat.postEphemeral")
    data = wait_report(events_db, lambda d: d["feedback"].get("troops", {}).get("positive") == 1)
    assert data["feedback"]["troops"] == {"positive": 1, "negative": 0}
    [record] = [r for r in data["recent_feedback"] if r["command"] == "troops"]
    assert record["user"] == "U0001" and record["surface"] == "command" and record["positive"] is True
    assert record["question"] == "/troops which countries would send troops?"
    assert record["cited"] and all(
        c["doc_id"].endswith(".txt") and c["paragraph"] >= 1 for c in record["cited"]
    )

    # A second click by the same person replaces the first; another person's counts apart.
    click(server, negative)
    click(server, positive, user="U0002")
    data = wait_report(events_db, lambda d: d["feedback"].get("troops") == {"positive": 1, "negative": 1})
    assert data["feedback"]["troops"] == {"positive": 1, "negative": 1}


def test_the_report_counts_questions_and_names_what_the_shelf_is_missing(
    server: Server, stand_in: StandIn, events_db: Path
) -> None:
    for _ in range(2):
        body = slash_command("/ask", "what did the committee decide about fishing quotas?")
        post(server.port, body, FORM, sign(body))
    body = slash_command("/whosaid", "a long shot")
    post(server.port, body, FORM, sign(body))
    data = wait_report(events_db, lambda d: d["by_command"].get("whosaid", {}).get("found", 0) >= 1)
    assert data["by_surface"]["command"]["asked"] >= 3
    assert data["by_command"]["whosaid"]["found"] >= 1
    missing = {a["question"]: a["count"] for a in data["not_found"]}
    assert missing["/ask what did the committee decide about fishing quotas?"] == 2
    assert 0 < data["found_rate"] < 1
    assert data["questions_stored"] is True


def test_a_click_that_is_not_ours_gets_a_200_and_is_ignored(server: Server, events_db: Path) -> None:
    before = report(events_db)["feedback"]
    click(server, "something else entirely")
    time.sleep(0.3)
    assert report(events_db)["feedback"] == before


# -- the Home tab -----------------------------------------------------------------------------------


def test_opening_the_home_tab_publishes_the_shelf(server: Server, stand_in: StandIn) -> None:
    send(server, home_opened("U0009"))
    [call] = stand_in.wait_for("views.publish")
    assert call.params["user_id"] == "U0009"
    view = call.params["view"]
    view = json.loads(view) if isinstance(view, str) else view
    assert view["type"] == "home"
    View(**view).validate_json()
    for block in view["blocks"]:
        Block.parse(block).validate_json()  # type: ignore[union-attr]
    text = json.dumps(view, ensure_ascii=False)
    assert "5 articles" in text and "Caliber.Az" in text
    assert "/troops" in text and "/russia-position" in text
    assert "Europe Hatches Plans for Ukraine Peacekeepers Without U.S." in text
    assert (
        "/troops which countries would send troops?" in text
    )  # asked earlier in this module, with LOG_QUERIES


def test_the_home_tab_is_published_again_when_the_shelf_changes(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in sorted((ROOT / "seeds").glob("*.txt"))[:2]:
        shutil.copy(path, corpus / path.name)
    api = StandIn().start()
    running = start_server(api, env={"CORPUS_DIR": str(corpus), "STATE_DIR": str(tmp_path / "state")})
    try:
        send(running, home_opened("U0042"))
        [first] = api.wait_for("views.publish")
        assert "*2 articles*" in json.dumps(first.params["view"])
        (corpus / "penguins.md").write_text(
            "---\ntitle: Penguin Plan\noutlet: Polar Post\n---\n"
            "Penguins will deploy to Antarctica in spring, officials say.\n",
            encoding="utf-8",
        )
        calls = api.wait_for("views.publish", count=2, timeout=20)
        again = json.dumps(calls[-1].params["view"])
        assert calls[-1].params["user_id"] == "U0042"
        assert "*3 articles*" in again and "Penguin Plan" in again and "Polar Post" in again
    finally:
        running.stop()
        api.stop()


def test_the_answer_comes_even_when_status_title_and_history_calls_fail(
    server: Server, stand_in: StandIn
) -> None:
    stand_in.fail_next("assistant.threads.setStatus", "missing_scope")
    stand_in.fail_next("conversations.replies", "500", "500", "500", "500")
    stand_in.fail_next("assistant.threads.setTitle", "not_allowed")
    send(server, dm_event("who said it was a long shot?", ts="500.2", thread_ts="500.1"))
    [answer] = in_thread(stand_in, "500.1")
    assert "Bence Németh" in json.dumps(answer.params["blocks"], ensure_ascii=False)
    deadline = time.monotonic() + 10  # the title is set after the answer is posted
    while not stand_in.all_calls("assistant.threads.setTitle") and time.monotonic() < deadline:
        time.sleep(0.02)
    assert stand_in.all_calls("assistant.threads.setTitle")  # tried, failed, did not matter
