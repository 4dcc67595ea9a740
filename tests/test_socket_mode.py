"""Socket Mode end to end: `python -m bot` with an app token connects to a WebSocket server that plays
Slack (apps.connections.open on the stand-in Web API hands out its ws:// address), acks envelopes,
answers slash commands in the ack, posts event answers, and reconnects without losing or repeating one."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.slack_kit import BOT_TOKEN, ROOT, StandIn, clean_environ, dm_event, free_port, thread_started
from tests.socket_kit import SocketStandIn, event_envelope, slash_envelope
from tests.test_slack_http import assert_valid_message


@pytest.fixture
def slack() -> Iterator[tuple[StandIn, SocketStandIn]]:
    api = StandIn().start()
    socket = SocketStandIn()
    api.extra["apps.connections.open"] = {"url": socket.url}
    yield api, socket
    api.stop()
    socket.stop()


def start_bot(api: StandIn | str, state: Path) -> subprocess.Popen[str]:
    """`python -m bot` in Socket Mode against the stand-in Web API (or any URL), its state in `state`."""
    env = clean_environ()
    env |= {
        "SLACK_APP_TOKEN": "xapp-1-A0001-test",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": api if isinstance(api, str) else api.url,
        "CORPUS_DIR": str(ROOT / "seeds"),
        "SOCKET_PING_INTERVAL": "1",
        "EVENTS_DB": str(state / "events.sqlite3"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env=env,
        cwd=ROOT / "tests",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_socket_mode_session(slack: tuple[StandIn, SocketStandIn], tmp_path: Path) -> None:
    api, socket = slack
    bot = start_bot(api, tmp_path)
    try:
        socket.wait_connections(1)
        assert len(api.ok_calls("apps.connections.open")) == 1

        # A slash command: the answer is the ack's payload.
        socket.send(slash_envelope("env-1", "/whosaid", "a long shot"))
        ack = socket.wait_ack("env-1")
        assert ack["payload"]["response_type"] == "ephemeral"
        assert "Bence Németh" in json.dumps(ack["payload"]["blocks"], ensure_ascii=False)
        assert_valid_message(ack["payload"])

        # An event: acked without payload, answered with chat.postMessage.
        socket.send(event_envelope("env-2", dm_event("How many troops?", "D0001", "1.1"), "Ev-sock-1"))
        assert socket.wait_ack("env-2") == {"envelope_id": "env-2"}
        [first] = api.wait_for("chat.postMessage")
        assert first.params["channel"] == "D0001"

        # An event sent just before Slack asks us to reconnect is still answered; then we reconnect.
        socket.send(
            event_envelope(
                "env-3", dm_event("who said we need something sustainable", "D0002", "1.2"), "Ev-sock-2"
            )
        )
        socket.send({"type": "disconnect", "reason": "refresh_requested", "debug_info": {"host": "test"}})
        socket.wait_connections(2)
        api.wait_for("chat.postMessage", 2)

        # Slack re-delivers an event it did not see acked: answered once, not twice.
        socket.send(
            event_envelope(
                "env-4",
                dm_event("who said we need something sustainable", "D0002", "1.2"),
                "Ev-sock-2",
                retry=1,
            )
        )
        socket.wait_ack("env-4")

        # A dropped connection (no close handshake) is noticed and replaced.
        socket.drop()
        socket.wait_connections(3, timeout=30)
        socket.send(event_envelope("env-5", dm_event("/russia-position NATO", "D0003", "1.3"), "Ev-sock-3"))
        socket.wait_ack("env-5")
        api.wait_for("chat.postMessage", 3)
        time.sleep(0.5)
        posted = [c.params["channel"] for c in api.ok_calls("chat.postMessage")]
        assert sorted(posted) == ["D0001", "D0002", "D0003"]

        # Stopping while an answer is still being posted (the Web API is slow): it is posted first.
        api.fail_next("chat.postMessage", "slow")
        socket.send(event_envelope("env-6", dm_event("who said a long shot", "D0004", "1.4"), "Ev-sock-4"))
        socket.wait_ack("env-6")
        time.sleep(0.2)
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            _, err = bot.communicate(timeout=20)
        except subprocess.TimeoutExpired:
            bot.kill()
            raise
    assert bot.returncode in (0, -15), err
    assert "D0004" in [c.params["channel"] for c in api.ok_calls("chat.postMessage")]
    assert BOT_TOKEN not in err and "xapp-1-A0001-test" not in err


def _stderr_until(bot: subprocess.Popen[str], needle: str, count: int, timeout: float = 60) -> list[str]:
    """Read the bot's stderr until `needle` has appeared on `count` lines; those lines so far."""
    assert bot.stderr is not None
    lines: list[str] = []
    deadline = time.monotonic() + timeout
    while sum(needle in line for line in lines) < count:
        line = bot.stderr.readline()
        assert line and time.monotonic() < deadline, "".join(lines)
        lines.append(line)
    return lines


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_unreachable_slack_is_retried_in_one_line_each_and_stops_at_once(
    sig: signal.Signals, tmp_path: Path
) -> None:
    bot = start_bot(f"http://127.0.0.1:{free_port()}/api/", tmp_path)  # nothing listens there
    try:
        lines = _stderr_until(bot, "cannot reach Slack", 2)
        bot.send_signal(sig)
        started = time.monotonic()
        _, rest = bot.communicate(timeout=10)
    finally:
        bot.kill()
    assert time.monotonic() - started < 3
    log = "".join(lines) + rest
    assert "Traceback" not in log and "try 1, next in 1 s" in log and "try 2, next in 2 s" in log
    assert bot.returncode in (0, -sig)


@pytest.mark.parametrize("error", ["invalid_auth", "not_allowed_token_type"])
def test_a_refused_app_token_exits_with_one_line(
    slack: tuple[StandIn, SocketStandIn], error: str, tmp_path: Path
) -> None:
    api, _ = slack
    api.fail_next("apps.connections.open", error)
    bot = start_bot(api, tmp_path)
    _, err = bot.communicate(timeout=60)
    assert bot.returncode == 1
    [line] = err.strip().splitlines()
    assert line.startswith("citebot: Slack refused SLACK_APP_TOKEN") and error in line


def test_an_unreachable_websocket_is_retried_without_tracebacks_and_stops(
    tmp_path: Path,
    slack: tuple[StandIn, SocketStandIn],
) -> None:
    api, _ = slack
    api.extra["apps.connections.open"] = {"url": f"ws://127.0.0.1:{free_port()}/link"}
    bot = start_bot(api, tmp_path)
    try:
        lines = _stderr_until(bot, "Failed to connect", 2)
        bot.send_signal(signal.SIGTERM)
        _, rest = bot.communicate(timeout=10)
    finally:
        bot.kill()
    log = "".join(lines) + rest
    assert "Traceback" not in log, log
    assert bot.returncode in (0, -15)


def test_malformed_envelopes_are_acked_and_logged_in_one_line(
    slack: tuple[StandIn, SocketStandIn], tmp_path: Path
) -> None:
    api, socket = slack
    bot = start_bot(api, tmp_path)
    try:
        socket.wait_connections(1)
        no_event = event_envelope("env-bad-1", {}, "Ev-bad-1")
        del no_event["payload"]["event"]
        null_text = event_envelope("env-bad-2", dm_event("x", "D0009", "9.1") | {"text": None}, "Ev-bad-2")
        no_actions = {
            "envelope_id": "env-bad-3",
            "type": "interactive",
            "payload": {"type": "block_actions", "user": {"id": "U1"}, "actions": []},
        }
        for envelope in (no_event, null_text, no_actions):
            socket.send(envelope)
            assert socket.wait_ack(envelope["envelope_id"]) == {"envelope_id": envelope["envelope_id"]}
        time.sleep(0.5)
    finally:
        bot.send_signal(signal.SIGTERM)
        _, err = bot.communicate(timeout=20)
    assert "Traceback" not in err and "never retrieved" not in err, err
    assert "an event callback without an event" in err and "a block action without actions" in err


def test_the_side_panel_over_socket_mode(slack: tuple[StandIn, SocketStandIn], tmp_path: Path) -> None:
    """The panel's events arrive over the WebSocket like any other: prompts, status, answer, feedback."""
    api, socket = slack
    bot = start_bot(api, tmp_path)
    try:
        socket.wait_connections(1)
        started = thread_started(channel="D0007", thread_ts="600.1")
        socket.send(event_envelope("env-p1", started, "Ev-panel-1"))
        assert socket.wait_ack("env-p1") == {"envelope_id": "env-p1"}
        [prompts] = api.wait_for("assistant.threads.setSuggestedPrompts")
        assert "/troops" in json.dumps(prompts.params["prompts"])
        asked = dm_event("who said it was a long shot?", "D0007", "600.2", thread_ts="600.1")
        socket.send(event_envelope("env-p2", asked, "Ev-panel-2"))
        socket.wait_ack("env-p2")
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            posted = [
                c
                for c in api.ok_calls("chat.postMessage")
                if "Bence" in json.dumps(c.params, ensure_ascii=False)
            ]
            if posted:
                break
            time.sleep(0.05)
        assert posted and posted[0].params["thread_ts"] == "600.1"
        assert any(b["type"] == "context_actions" for b in posted[0].params["blocks"])
        assert api.ok_calls("assistant.threads.setStatus")
    finally:
        bot.send_signal(signal.SIGTERM)
        bot.communicate(timeout=30)


def test_events_acked_over_socket_mode_are_answered_after_a_kill(
    slack: tuple[StandIn, SocketStandIn], tmp_path: Path
) -> None:
    api, socket = slack
    bot = start_bot(api, tmp_path)
    api.fail_next("chat.postMessage", *["hang"] * 3)
    try:
        socket.wait_connections(1)
        for n in range(3):
            socket.send(
                event_envelope(f"env-k{n}", dm_event("How many troops?", f"D07{n}", f"7.{n}"), f"Ev-k{n}")
            )
            assert socket.wait_ack(f"env-k{n}") == {"envelope_id": f"env-k{n}"}
        deadline = time.monotonic() + 20
        while len(api.all_calls("chat.postMessage")) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        bot.send_signal(signal.SIGKILL)
        bot.communicate(timeout=30)
    finally:
        api.released.set()
    again = start_bot(api, tmp_path)
    try:
        posted = api.wait_for("chat.postMessage", 3, timeout=60)
        time.sleep(1.0)
        assert sorted(c.params["channel"] for c in api.ok_calls("chat.postMessage")) == [
            "D070",
            "D071",
            "D072",
        ]
        assert len(posted) == 3
    finally:
        again.send_signal(signal.SIGTERM)
        again.communicate(timeout=30)
