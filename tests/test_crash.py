"""Crashes: an event Citebot acknowledged is answered even if the process dies before answering (once,
after the restart), and `serve --workers N` leaves no worker behind when its parent is killed."""

from __future__ import annotations

import contextlib
import signal
import time
from pathlib import Path

import psutil
import pytest

from tests.slack_kit import (
    JSON,
    StandIn,
    event_callback,
    free_port,
    mention_event,
    post,
    sign,
    start_server,
)

MENTIONS = 30


@pytest.mark.parametrize("workers", ["1", "2"])
def test_events_acknowledged_before_a_kill_are_answered_once_after_the_restart(
    tmp_path: Path, workers: str
) -> None:
    api = StandIn().start()
    env = {"EVENTS_DB": str(tmp_path / "events.sqlite3"), "STATE_DIR": str(tmp_path / "state")}
    port = free_port()
    first = start_server(api, "--workers", workers, env=env, port=port)
    api.fail_next("chat.postMessage", *["hang"] * MENTIONS)  # answers on their way, never arriving
    bodies = [
        event_callback(mention_event("who said a long shot", ts=f"{100 + n}.5"), f"Ev-crash-{n}")
        for n in range(MENTIONS)
    ]
    try:
        for body in bodies:
            assert post(port, body, JSON, sign(body)).status == 200  # acknowledged
        deadline = time.monotonic() + 30
        while len(api.all_calls("chat.postMessage")) < MENTIONS and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len(api.all_calls("chat.postMessage")) == MENTIONS
        # The machine goes down: every process of the server dies at once, answers in flight.
        tree = [
            psutil.Process(first.process.pid),
            *psutil.Process(first.process.pid).children(recursive=True),
        ]
        for process in tree:
            process.kill()
        psutil.wait_procs(tree, timeout=30)
        first.wait_exit()
    finally:
        api.released.set()  # the held calls end (their client is gone)
    _wait_port_free(port)
    second = start_server(api, "--workers", workers, env=env, port=port)
    try:
        posted = api.wait_for("chat.postMessage", MENTIONS, timeout=60)
        for body in bodies[:5]:  # Slack's retries of them are still ignored
            assert post(port, body, JSON, sign(body, timestamp=int(time.time()))).status == 200
        time.sleep(1.5)
        posted = api.ok_calls("chat.postMessage")
        threads = sorted(c.params["thread_ts"] for c in posted)
        assert threads == sorted(f"{100 + n}.5" for n in range(MENTIONS))  # each once
    finally:
        log = second.stop()
        api.stop()
    assert log.count("acknowledged by a process that stopped first") == MENTIONS


def test_a_restart_after_answers_were_posted_answers_nothing_again(tmp_path: Path) -> None:
    api = StandIn().start()
    env = {"EVENTS_DB": str(tmp_path / "events.sqlite3"), "STATE_DIR": str(tmp_path / "state")}
    first = start_server(api, env=env)
    body = event_callback(mention_event("who said a long shot", ts="7.5"), "Ev-done")
    try:
        assert post(first.port, body, JSON, sign(body)).status == 200
        api.wait_for("chat.postMessage")
        time.sleep(0.5)  # marked answered after the post
        first.process.send_signal(signal.SIGKILL)
        first.wait_exit()
        second = start_server(api, env=env)
        time.sleep(2.0)
        second.stop()
    finally:
        api.stop()
    assert len(api.ok_calls("chat.postMessage")) == 1


def test_workers_die_with_their_parent_and_the_port_is_free_again(tmp_path: Path) -> None:
    api = StandIn().start()
    port = free_port()
    server = start_server(api, "--workers", "2", port=port)
    children = psutil.Process(server.process.pid).children(recursive=True)  # and multiprocessing's tracker
    try:
        assert len([w for w in children if "spawn_main" in " ".join(w.cmdline())]) == 2
        server.process.send_signal(signal.SIGKILL)
        server.process.wait()
        _, alive = psutil.wait_procs(children, timeout=30)
        for child in alive:  # killed here, or they would hold the log pipe (and the port) for ever
            child.kill()
        server.wait_exit()
        assert not alive, f"workers still running after their parent was killed: {alive}"
        again = start_server(api, "--workers", "2", port=port)  # the port is free: no "already in use"
        again.stop()
    finally:
        for child in children:  # what a failure left running
            with contextlib.suppress(psutil.NoSuchProcess):
                child.kill()
        api.stop()


def _wait_port_free(port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not any(
            c.laddr and c.laddr.port == port and c.status == "LISTEN" for c in psutil.net_connections()
        ):
            return
        time.sleep(0.1)
