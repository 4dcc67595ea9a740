"""Socket Mode end to end: `python -m bot` with an app token connects to a WebSocket server that plays
Slack (apps.connections.open on the stand-in Web API hands out its ws:// address), acks envelopes,
answers slash commands in the ack, posts event answers, and reconnects without losing or repeating one."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator

import pytest

from tests.slack_kit import BOT_TOKEN, ROOT, StandIn, dm_event
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


def start_bot(api: StandIn) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "CORPUS_", "INDEX_", "LOG_"))}
    env |= {
        "SLACK_APP_TOKEN": "xapp-1-A0001-test",
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": api.url,
        "CORPUS_DIR": str(ROOT / "seeds"),
        "SOCKET_PING_INTERVAL": "1",
        "EVENTS_DB": tempfile.mktemp(prefix="citebot-events-", suffix=".sqlite3"),
    }
    return subprocess.Popen(
        [sys.executable, "-m", "bot"],
        env=env,
        cwd=ROOT / "tests",
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_socket_mode_session(slack: tuple[StandIn, SocketStandIn]) -> None:
    api, socket = slack
    bot = start_bot(api)
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
