"""Running for real: workers sharing one record of answered events, SIGTERM that finishes what was
acked, a restart under load that loses nothing, and log lines (text or JSON) without secrets."""

from __future__ import annotations

import json
import logging
import multiprocessing
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from bot.config import Settings
from bot.logs import RedactSecrets
from bot.shared import SqliteState
from tests.slack_kit import (
    BOT_TOKEN,
    JSON,
    ROOT,
    SECRET,
    Server,
    StandIn,
    clean_environ,
    dm_event,
    event_callback,
    free_port,
    post,
    sign,
    slash_command,
    start_server,
    wait_healthy,
)


def form_payload(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def send(server: Server, event: dict[str, str], event_id: str) -> int:
    body = event_callback(event, event_id)
    return post(server.port, body, JSON, sign(body)).status


def _claim(path: str, ids: list[str], results: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    seen = SqliteState(Path(path))
    results.put([i for i in ids if seen.first_time(i)])


def test_sqlite_record_is_shared_by_processes(tmp_path: Path) -> None:
    path = str(tmp_path / "events.sqlite3")
    ids = [f"Ev{i}" for i in range(300)]
    results: multiprocessing.Queue = multiprocessing.get_context("spawn").Queue()  # type: ignore[type-arg]
    workers = [
        multiprocessing.get_context("spawn").Process(target=_claim, args=(path, ids, results))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    claimed = [results.get(timeout=60) for _ in workers]
    for worker in workers:
        worker.join(30)
    assert sorted(i for batch in claimed for i in batch) == sorted(ids)  # each id claimed exactly once


def test_a_retry_on_another_worker_is_not_answered_twice(stand_in: StandIn, tmp_path: Path) -> None:
    # Two server processes sharing one events file, as workers do: the event reaches one, Slack's
    # retry the other.
    shared = {"EVENTS_DB": str(tmp_path / "events.sqlite3")}
    first, second = start_server(stand_in, env=shared), start_server(stand_in, env=shared)
    try:
        assert send(first, dm_event("who said a long shot", "D0100"), "Ev-twice") == 200
        body = event_callback(dm_event("who said a long shot", "D0100"), "Ev-twice")
        retry = sign(body) | {"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        assert post(second.port, body, JSON, retry).status == 200
        stand_in.wait_for("chat.postMessage")
        time.sleep(1.0)
        assert len(stand_in.all_calls("chat.postMessage")) == 1
    finally:
        first.stop()
        second.stop()


def test_workers_answer_a_burst_once_each(stand_in: StandIn) -> None:
    server = start_server(stand_in, "--workers", "2")
    try:
        with ThreadPoolExecutor(max_workers=12) as pool:
            statuses = list(
                pool.map(
                    lambda _: send(server, dm_event("who said a long shot", "D0101"), "Ev-burst"), range(12)
                )
            )
        assert statuses == [200] * 12
        stand_in.wait_for("chat.postMessage")
        time.sleep(1.0)
        assert len(stand_in.all_calls("chat.postMessage")) == 1
    finally:
        server.stop()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_sigterm_finishes_answers_already_acked(stand_in: StandIn, workers: str) -> None:
    server = start_server(stand_in, "--workers", workers)
    stand_in.fail_next("chat.postMessage", "slow")  # the Web API takes 2 s to answer
    assert send(server, dm_event("who said a long shot", "D0200"), "Ev-term") == 200
    time.sleep(0.2)  # the answer is on its way to the Web API
    server.process.send_signal(signal.SIGTERM)
    err = server.wait_exit()
    [call] = stand_in.ok_calls("chat.postMessage")  # posted before the process exited
    assert call.params["channel"] == "D0200"
    assert server.exited_cleanly, err


def test_a_restart_under_load_loses_no_answered_request(stand_in: StandIn) -> None:
    port = free_port()
    first = start_server(stand_in, port=port)
    acked: list[str] = []
    stop = threading.Event()

    def load() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            channel = f"D{n:05d}"
            body = event_callback(dm_event("who said a long shot", channel), f"Ev-load-{n}")
            try:
                if post(port, body, JSON, sign(body)).status == 200:
                    acked.append(channel)
            except OSError:
                time.sleep(0.05)  # the server is restarting: Slack would retry this one

    thread = threading.Thread(target=load)
    thread.start()
    time.sleep(1.0)
    first.process.send_signal(signal.SIGTERM)
    first.wait_exit()
    second = start_server(stand_in, port=port)
    time.sleep(1.0)
    stop.set()
    thread.join(30)
    try:
        assert first.exited_cleanly and len(acked) > 10
        stand_in.wait_for("chat.postMessage", len(acked), timeout=30)
        posted = [c.params["channel"] for c in stand_in.ok_calls("chat.postMessage")]
        assert sorted(posted) == sorted(acked)  # every acked question answered, none twice
    finally:
        second.stop()


def test_json_log_lines_one_per_request_without_secrets(stand_in: StandIn) -> None:
    server = start_server(stand_in, env={"LOG_FORMAT": "json"})
    body = slash_command("/troops", "how many troops?")
    assert post(server.port, body, "application/x-www-form-urlencoded", sign(body)).status == 200
    assert send(server, dm_event("who said a long shot", "D0300"), "Ev-log") == 200
    stand_in.wait_for("chat.postMessage")
    time.sleep(0.3)
    err = server.stop()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    assert len(lines) == len(err.splitlines())  # every line is JSON
    requests = [line for line in lines if line.get("logger") == "bot.requests"]
    assert [(r["surface"], r["command"], r["found"]) for r in requests] == [
        ("command", "troops", True),
        ("dm", "whosaid", True),
    ]
    for r in requests:
        assert isinstance(r["latency_ms"], float) and r["answers"] >= 1 and "query" not in r
    assert "how many troops" not in err and "a long shot" not in err
    assert BOT_TOKEN not in err and SECRET not in err


def test_question_text_is_logged_only_when_asked(stand_in: StandIn) -> None:
    server = start_server(stand_in, env={"LOG_QUERIES": "true"})
    body = slash_command("/whosaid", "a long shot")
    post(server.port, body, "application/x-www-form-urlencoded", sign(body))
    err = server.stop()
    [line] = [line for line in err.splitlines() if "bot.requests" in line]
    assert "surface=command command=whosaid" in line and "found=True answers=1" in line
    assert "query=/whosaid a long shot" in line


def test_json_logs_mask_secrets_in_every_field(stand_in: StandIn) -> None:
    # A user who pastes the bot token or the signing secret into a question: with the question text
    # logged, the JSON `query` field (not only the message) must be masked.
    server = start_server(stand_in, env={"LOG_FORMAT": "json", "LOG_QUERIES": "true"})
    for number, text in enumerate(
        (f"who said {BOT_TOKEN}", f"who said {SECRET} now", "who said xoxp-9-9-leak")
    ):
        body = slash_command("/whosaid", text)
        assert post(server.port, body, "application/x-www-form-urlencoded", sign(body)).status == 200, number
    err = server.stop()
    requests = [json.loads(line) for line in err.splitlines() if '"bot.requests"' in line]
    assert [r["query"] for r in requests] == [
        "/whosaid who said [secret]",  # the configured bot token is masked as a secret
        "/whosaid who said [secret] now",
        "/whosaid who said [token]",
    ]
    assert BOT_TOKEN not in err and SECRET not in err and "xoxp-9-9-leak" not in err


def test_control_characters_in_a_question_cannot_forge_text_log_lines(stand_in: StandIn) -> None:
    server = start_server(stand_in, env={"LOG_QUERIES": "true"})
    forged = "a long shot\n2026-01-01 00:00:00,000 INFO bot.requests: surface=admin\x1b[2J\r\u2028end"
    body = slash_command("/whosaid", forged)
    assert post(server.port, body, "application/x-www-form-urlencoded", sign(body)).status == 200
    err = server.stop()
    [line] = [line for line in err.splitlines() if "bot.requests" in line]
    assert "\x1b" not in err and "\r" not in err and "\u2028" not in err
    assert "surface=admin" in line  # the forged text stays inside the one real record, escaped
    assert "a long shot\\n2026-01-01" in line and "\\x1b[2J\\r\\u2028end" in line


def test_requests_nobody_handles_are_logged_in_one_line(stand_in: StandIn) -> None:
    # Bolt's advice for these is a block of example code; the log gets one line per request.
    server = start_server(stand_in)
    event = event_callback({"type": "reaction_added", "user": "U1", "reaction": "eyes"}, "Ev-unknown")
    action = {"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": "no_such_button"}]}
    shortcut = {
        "type": "shortcut",
        "callback_id": "no_such_shortcut",
        "user": {"id": "U1"},
        "trigger_id": "1",
    }
    bodies = [(event, JSON)] + [
        (form_payload(p), "application/x-www-form-urlencoded") for p in (action, shortcut)
    ]
    for body, content_type in bodies:
        assert post(server.port, body, content_type, sign(body)).status == 200
    err = server.stop()
    assert "[Suggestion]" not in err and "@app." not in err
    lines = [line for line in err.splitlines() if "Unhandled request" in line]
    assert len(lines) == 3 and "no_such_button" in lines[1] and "no_such_shortcut" in lines[2]


def test_secrets_are_masked_in_any_log_record(caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings(
        _env_file=None, slack_bot_token="xoxb-123-456-abcdef", slack_signing_secret="s3cr3t-signing"
    )
    redact = RedactSecrets([settings.slack_signing_secret.get_secret_value()])  # type: ignore[union-attr]
    record = logging.LogRecord(
        "x",
        logging.INFO,
        __file__,
        1,
        "token %s secret %s and xapp-1-A1-zzz",
        ("xoxb-123-456-abcdef", "s3cr3t-signing"),
        None,
    )
    assert redact.filter(record)
    assert record.getMessage() == "token [token] secret [secret] and [token]"


def test_a_log_reader_that_never_reads_cannot_stop_the_server(stand_in: StandIn, tmp_path: Path) -> None:
    # stderr is a pipe nobody drains: once its buffer (64 KB) is full, writing a log line blocks. The
    # server must keep answering, because log lines are written by a thread, not by the event loop.
    port = free_port()
    env = clean_environ()
    env |= {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": stand_in.url,
        "CORPUS_DIR": str(ROOT / "seeds"),
        "EVENTS_DB": str(tmp_path / "events.sqlite3"),
        "LOG_QUERIES": "true",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        wait_healthy(process, port)  # type: ignore[arg-type]
        long_question = "troops " + "x" * 400  # ~600 bytes of log line each
        for _ in range(300):
            body = slash_command("/ask", long_question)
            assert post(port, body, "application/x-www-form-urlencoded", sign(body)).status == 200
    finally:
        process.kill()
        process.wait()
        assert process.stderr is not None
        process.stderr.close()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_port_in_use_or_a_bad_host_stops_the_server_in_one_line(stand_in: StandIn, workers: str) -> None:
    env = clean_environ() | {
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": stand_in.url,
    }
    taken = free_port()
    with socket.create_server(("127.0.0.1", taken)):
        cases = {
            "already in use": ["--host", "127.0.0.1", "--port", str(taken)],
            "not an address or a name": ["--host", "no-such-host.invalid", "--port", str(free_port())],
        }
        for expected, flags in cases.items():
            result = subprocess.run(
                [sys.executable, "-m", "bot", "serve", "--workers", workers, *flags],
                cwd=ROOT,
                env=env,
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            lines = result.stderr.strip().splitlines()
            assert result.returncode == 1, result.stderr
            assert len(lines) == 1 and expected in lines[0], result.stderr
            assert "Traceback" not in result.stderr and "startup complete" not in result.stderr
