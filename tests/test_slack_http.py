"""End to end over real HTTP: `python -m bot serve`, requests signed as Slack signs them, and a
stand-in Web API on 127.0.0.1 that records chat.postMessage and fails on demand."""

from __future__ import annotations

import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from slack_sdk.models.blocks import Block

from tests.slack_kit import (
    BOT_ID,
    BOT_USER,
    FORM,
    JSON,
    Server,
    StandIn,
    block_action,
    dm_event,
    each_mrkdwn,
    event_callback,
    get,
    mention_event,
    message_shortcut,
    post,
    sign,
    slash_command,
    start_server,
)


@pytest.fixture(scope="module")
def stand_in() -> Iterator[StandIn]:
    api = StandIn().start()
    yield api
    api.stop()


@pytest.fixture(scope="module", params=[1, 2], ids=["1-worker", "2-workers"])
def server(stand_in: StandIn, request: pytest.FixtureRequest) -> Iterator[Server]:
    """The whole suite runs against `serve` and against `serve --workers 2`."""
    running = start_server(stand_in, "--workers", str(request.param))
    yield running
    running.stop()


@pytest.fixture(autouse=True)
def fresh_stand_in(stand_in: StandIn) -> None:
    stand_in.reset()


def command(server: Server, name: str, text: str, **overrides: str) -> dict[str, Any]:
    body = slash_command(name, text, **overrides)
    reply = post(server.port, body, FORM, sign(body))
    assert reply.status == 200, reply.body
    assert reply.elapsed < 3.0
    data = reply.json()
    assert_valid_message(data)
    return data


def send_event(server: Server, event: dict[str, Any], event_id: str, retry: int | None = None) -> int:
    body = event_callback(event, event_id)
    headers = sign(body)
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    reply = post(server.port, body, JSON, headers)
    return reply.status


def assert_valid_message(message: dict[str, Any]) -> None:
    """Slack's own Block Kit models accept the blocks; text fallback present; nothing can ping."""
    assert message["text"].strip()
    assert 0 < len(message["blocks"]) <= 50
    for block in message["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
        if block["type"] == "section":
            assert len(block["text"]["text"]) <= 3000
    for text in each_mrkdwn(message["blocks"]):
        assert text.get("verbatim") is True
    everything = json.dumps(message)
    for ping in ("<!channel>", "<!here>", "<!everyone>", "<!subteam", "<http"):
        assert ping not in everything


def blocks_text(message: dict[str, Any]) -> str:
    return json.dumps(message["blocks"], ensure_ascii=False)


def test_healthz_reports_the_loaded_index(server: Server) -> None:
    reply = get(server.port, "/healthz")
    assert reply.status == 200
    health = reply.json()
    assert health == {
        "status": "ok",
        "articles": 5,
        "passages": health["passages"],
        "meaning": health["meaning"],
    }
    assert health["passages"] > 100
    # The tests' servers rank by words alone (MEANING=off, see conftest); /healthz says how far the
    # vectors are (tests/test_meaning.py follows them filling in).
    assert health["meaning"] == {"on": False, "passages": 0, "of": health["meaning"]["of"]}


def test_url_verification(server: Server) -> None:
    body = json.dumps(
        {
            "token": "t",
            "challenge": "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P",
            "type": "url_verification",
        }
    ).encode()
    reply = post(server.port, body, JSON, sign(body))
    assert reply.status == 200
    assert "3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P" in reply.body.decode()


def test_slash_command_is_answered_privately_with_a_share_button(server: Server, stand_in: StandIn) -> None:
    data = command(server, "/troops", "how many troops?")
    assert data["response_type"] == "ephemeral"
    assert "10,000 to 30,000" in blocks_text(data) or "tens of thousands" in blocks_text(data)
    [actions] = [b for b in data["blocks"] if b["type"] == "actions"]
    assert actions["elements"][0]["action_id"] == "share_answer"
    assert actions["elements"][0]["value"] == "/troops how many troops?"
    assert stand_in.all_calls("chat.postMessage") == []


@pytest.mark.parametrize("name", ["/whosaid", "/troops", "/russia-position", "/ask"])
def test_every_command_answers(server: Server, name: str) -> None:
    data = command(server, name, "NATO")
    assert data["response_type"] == "ephemeral"


def test_whosaid_names_speaker_and_source(server: Server) -> None:
    text = blocks_text(command(server, "/whosaid", "a long shot"))
    assert "Bence Németh" in text and "paragraph 2" in text


@pytest.mark.parametrize(
    ("name", "text"), [("/whosaid", ""), ("/ask", "   "), ("/troops", "help"), ("/whosaid", "help")]
)
def test_usage_for_help_or_a_missing_argument(server: Server, name: str, text: str) -> None:
    data = command(server, name, text)
    assert "e.g." in blocks_text(data) or "Example" in blocks_text(data)
    assert not [b for b in data["blocks"] if b["type"] == "actions"]


def test_unknown_command_gets_help(server: Server) -> None:
    data = command(server, "/citebot", "whatever")
    assert "/whosaid" in blocks_text(data)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=" + "0" * 64},
        sign(b"something else"),
        {"X-Slack-Request-Timestamp": "yesterday", "X-Slack-Signature": "v0=abc"},
    ],
    ids=["unsigned", "bad-signature", "signature-of-another-body", "garbled-headers"],
)
def test_unsigned_or_badly_signed_requests_get_401(server: Server, headers: dict[str, str]) -> None:
    body = slash_command("/troops", "")
    assert post(server.port, body, FORM, headers).status == 401


def test_stale_timestamp_gets_401(server: Server) -> None:
    body = slash_command("/troops", "")
    assert post(server.port, body, FORM, sign(body, timestamp=int(time.time()) - 6 * 60)).status == 401


def test_signed_with_another_secret_gets_401(server: Server) -> None:
    body = slash_command("/troops", "")
    assert post(server.port, body, FORM, sign(body, secret="not-our-secret")).status == 401


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b'{"type": "event_callback", "event": ', JSON),
        (b"payload=%7Bnot-json", FORM),
        (b"\xff\xfe\x00\x01binary", "application/octet-stream"),
        (b"[1, 2, 3]", JSON),
    ],
    ids=["truncated-json", "payload-not-json", "binary", "json-not-an-object"],
)
def test_malformed_bodies_get_4xx(server: Server, body: bytes, content_type: str) -> None:
    headers = (
        sign(body)
        if body.isascii()
        else {"X-Slack-Request-Timestamp": str(int(time.time())), "X-Slack-Signature": "v0=00"}
    )
    status = post(server.port, body, content_type, headers).status
    assert 400 <= status < 500


def test_huge_body_gets_413(server: Server) -> None:
    body = slash_command("/ask", "troops " * 300_000)
    assert post(server.port, body, FORM, sign(body)).status == 413


def test_thousands_of_words_get_a_clear_reply_in_time(server: Server) -> None:
    data = command(server, "/ask", " ".join(["peacekeepers"] * 5000))
    assert "characters" in blocks_text(data)


HOSTILE = "<!channel> <!here|here> <!everyone> <!subteam^S1|@admins> troops & <https://evil.example|click> <@U999> &lt;b&gt;"


def test_hostile_command_text_cannot_ping_or_link(server: Server) -> None:
    data = command(server, "/ask", HOSTILE)
    for text in each_mrkdwn(data["blocks"]):
        assert "<" not in text["text"] and ">" not in text["text"].replace("\n>", "\n").lstrip(">")
    assert "&amp;" in blocks_text(data) and "&lt;b&gt;" in blocks_text(data)
    assert "<" not in data["text"]


def test_hostile_mention_cannot_ping_or_link(server: Server, stand_in: StandIn) -> None:
    event = mention_event(HOSTILE, "9.1")
    send_event(server, event, "Ev-hostile-1")
    [call] = stand_in.wait_for("chat.postMessage")
    assert_valid_message(call.params)
    assert "<" not in call.params["text"]


def test_mention_is_answered_in_a_thread_without_the_mention(server: Server, stand_in: StandIn) -> None:
    event = mention_event("who said a long shot?", "1700000000.000100", event_ts="1700000000.000100")
    assert send_event(server, event, "Ev-mention-1") == 200
    [call] = stand_in.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0001"
    assert call.params["thread_ts"] == "1700000000.000100"
    assert "Bence Németh" in json.dumps(call.params["blocks"], ensure_ascii=False)
    assert_valid_message(call.params)


def test_a_link_in_a_mention_is_not_searched(server: Server, stand_in: StandIn) -> None:
    event = mention_event(
        "who said a long shot? <https://news.example/story|click here>", "1700000000.000400"
    )
    send_event(server, event, "Ev-mention-link")
    [call] = stand_in.wait_for("chat.postMessage")
    shown = json.dumps(call.params["blocks"], ensure_ascii=False)
    assert "Bence Németh" in shown
    assert "click here" not in shown and "news.example" not in shown


def test_mention_inside_a_thread_answers_in_that_thread(server: Server, stand_in: StandIn) -> None:
    event = mention_event("/russia-position NATO", "1700000000.000300", thread_ts="1700000000.000200")
    send_event(server, event, "Ev-mention-2")
    [call] = stand_in.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "1700000000.000200"


def test_direct_message_is_answered_in_the_dm(server: Server, stand_in: StandIn) -> None:
    event = dm_event("How many troops?", "D0001", "1.1")
    send_event(server, event, "Ev-dm-1")
    [call] = stand_in.wait_for("chat.postMessage")
    assert call.params["channel"] == "D0001" and "thread_ts" not in call.params
    assert_valid_message(call.params)


def test_direct_message_in_a_thread_stays_in_it(server: Server, stand_in: StandIn) -> None:
    event = dm_event("help", "D0001", "2.2", thread_ts="2.1")
    send_event(server, event, "Ev-dm-2")
    [call] = stand_in.wait_for("chat.postMessage")
    assert call.params["thread_ts"] == "2.1"


def test_a_retried_event_is_answered_once(server: Server, stand_in: StandIn) -> None:
    event = dm_event("/troops", "D0001", "3.1")
    assert send_event(server, event, "Ev-retry-1") == 200
    assert send_event(server, event, "Ev-retry-1", retry=1) == 200
    assert send_event(server, event, "Ev-retry-1", retry=2) == 200
    stand_in.wait_for("chat.postMessage")
    time.sleep(0.5)
    assert len(stand_in.all_calls("chat.postMessage")) == 1


@pytest.mark.parametrize(
    "event",
    [
        {"type": "message", "channel_type": "im", "user": BOT_USER, "text": "our own message", "ts": "4.1"},
        {"type": "message", "channel_type": "im", "bot_id": "B999", "text": "another bot", "ts": "4.2"},
        {
            "type": "message",
            "channel_type": "im",
            "bot_id": BOT_ID,
            "user": BOT_USER,
            "text": "ours",
            "ts": "4.3",
        },
        {
            "type": "message",
            "channel_type": "im",
            "subtype": "message_changed",
            "message": {"text": "troops"},
            "ts": "4.4",
        },
        {"type": "message", "channel_type": "im", "subtype": "message_deleted", "ts": "4.5"},
        {
            "type": "message",
            "channel_type": "channel",
            "subtype": "channel_join",
            "user": "U0002",
            "text": "joined",
            "ts": "4.6",
        },
        {
            "type": "message",
            "channel_type": "channel",
            "user": "U0002",
            "text": "troops in a channel",
            "ts": "4.7",
        },
        {"type": "reaction_added", "user": "U0002", "reaction": "thumbsup", "item": {}},
        {
            "type": "message",
            "channel_type": "im",
            "subtype": "file_share",
            "user": "U0002",
            "text": "troops",
            "ts": "4.8",
        },
        {
            "type": "message",
            "channel_type": "im",
            "bot_id": "B777",
            "user": "U0BOT7",
            "text": "troops",
            "ts": "4.9",
        },
    ],
    ids=[
        "own",
        "other-bot",
        "own-bot-id",
        "edit",
        "delete",
        "join",
        "channel-message",
        "unhandled-event",
        "subtype-with-user",
        "bot-with-user",
    ],
)
def test_ignored_messages_get_200_and_no_answer(
    server: Server, stand_in: StandIn, event: dict[str, Any]
) -> None:
    event = {"channel": "D0001", **event}
    assert send_event(server, event, f"Ev-ignore-{event.get('ts', 'x')}") == 200
    # A real question afterwards is answered, and it is the only answer.
    send_event(
        server,
        dm_event("help", "D0009", "5.0"),
        f"Ev-after-{id(event)}",
    )
    stand_in.wait_for("chat.postMessage")
    time.sleep(0.3)
    assert [c.params["channel"] for c in stand_in.all_calls("chat.postMessage")] == ["D0009"]


@pytest.mark.parametrize(
    "faults", [("429",), ("500",), ("drop",), ("500", "429")], ids=["429", "500", "dropped", "500-then-429"]
)
def test_web_api_faults_are_retried_and_nothing_is_lost(
    server: Server, stand_in: StandIn, faults: tuple[str, ...]
) -> None:
    stand_in.fail_next("chat.postMessage", *faults)
    event = dm_event("who said a long shot", "D0001", "6.1")
    assert send_event(server, event, f"Ev-fault-{'-'.join(faults)}") == 200
    [call] = stand_in.wait_for("chat.postMessage", timeout=15)
    assert "Bence Németh" in json.dumps(call.params["blocks"], ensure_ascii=False)
    assert len(stand_in.all_calls("chat.postMessage")) == len(faults) + 1
    assert get(server.port, "/healthz").status == 200


def test_share_button_posts_the_answer_to_the_channel(server: Server, stand_in: StandIn) -> None:
    body = block_action("/whosaid a long shot", channel="C0042", user="U0007")
    reply = post(server.port, body, FORM, sign(body))
    assert reply.status == 200
    [call] = stand_in.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0042"
    text = json.dumps(call.params["blocks"], ensure_ascii=False)
    assert "Bence Németh" in text and "<@U0007>" in text and "share_answer" not in text
    assert_valid_message({**call.params, "blocks": [b for b in call.params["blocks"]]})


def test_share_falls_back_to_response_url_when_not_in_channel(server: Server, stand_in: StandIn) -> None:
    stand_in.fail_next("chat.postMessage", "not_in_channel")
    payload = json.loads(urllib.parse.parse_qs(block_action("/troops roles").decode())["payload"][0])
    payload["response_url"] = stand_in.url + "respond"
    body = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
    assert post(server.port, body, FORM, sign(body)).status == 200
    [call] = stand_in.wait_for("respond")
    assert call.params["response_type"] == "in_channel" and call.params["replace_original"] is False


def test_a_burst_of_32_commands_is_answered_within_3_seconds(server: Server) -> None:
    questions = ["/troops", "/russia-position NATO", "/whosaid a long shot", "/ask what about Finland?"] * 8

    def one(line: str) -> tuple[int, float]:
        name, _, text = line.partition(" ")
        body = slash_command(name, text)
        reply = post(server.port, body, FORM, sign(body))
        return reply.status, reply.elapsed

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        results = list(pool.map(one, questions))
    assert all(status == 200 for status, _ in results)
    assert time.monotonic() - started < 3.0
    assert max(elapsed for _, elapsed in results) < 3.0


def test_who_said_this_shortcut_answers_privately(server: Server, stand_in: StandIn) -> None:
    body = message_shortcut(
        "As things stand, this force heading to Ukraine is a long shot", channel="C0077", user="U0005"
    )
    assert post(server.port, body, FORM, sign(body)).status == 200
    [call] = stand_in.wait_for("chat.postEphemeral")
    assert (call.params["channel"], call.params["user"]) == ("C0077", "U0005")
    assert "Bence Németh" in json.dumps(call.params["blocks"], ensure_ascii=False)
    assert_valid_message(call.params)
    assert stand_in.all_calls("chat.postMessage") == []


def test_who_said_this_falls_back_to_response_url(server: Server, stand_in: StandIn) -> None:
    stand_in.fail_next("chat.postEphemeral", "channel_not_found")
    body = message_shortcut("&lt;b&gt;we need something sustainable", response_url=stand_in.url + "respond")
    assert post(server.port, body, FORM, sign(body)).status == 200
    [call] = stand_in.wait_for("respond")
    assert call.params["response_type"] == "ephemeral"
    assert "unnamed European diplomat" in json.dumps(call.params["blocks"])


def test_who_said_this_on_a_message_without_text(server: Server, stand_in: StandIn) -> None:
    body = message_shortcut("")
    assert post(server.port, body, FORM, sign(body)).status == 200
    [call] = stand_in.wait_for("chat.postEphemeral")
    assert "no text" in call.params["text"]


def test_a_silent_web_api_does_not_delay_start_up(stand_in: StandIn) -> None:
    # A Web API that accepts connections and never answers: auth.test hangs, start-up must not.
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        started = time.monotonic()
        running = start_server(
            stand_in, env={"SLACK_API_URL": f"http://127.0.0.1:{silent.getsockname()[1]}/api/"}
        )
        try:
            assert time.monotonic() - started < 5
            data = command(running, "/whosaid", "a long shot")
            assert "Bence Németh" in blocks_text(data)
        finally:
            running.stop()
