"""Hostile and broken input at the HTTP edge, signed or not: a clear status, flat memory, one log
line, and never a 500 or a traceback."""

from __future__ import annotations

import contextlib
import http.client
import json
import socket
import time
import urllib.parse
from collections.abc import Iterator
from typing import Any

import psutil
import pytest

from tests.slack_kit import (
    FORM,
    JSON,
    Server,
    StandIn,
    block_action,
    dm_event,
    event_callback,
    get,
    message_shortcut,
    post,
    sign,
    start_server,
)


@pytest.fixture(scope="module")
def api() -> Iterator[StandIn]:
    stand_in = StandIn().start()
    yield stand_in
    stand_in.stop()


@pytest.fixture(scope="module")
def server(api: StandIn) -> Iterator[Server]:
    running = start_server(api)
    yield running
    log = running.stop()
    assert "Traceback" not in log and "never retrieved" not in log, log


def new_log(server: Server, since: int) -> str:
    """What the server logged after line `since`, once it has been quiet for a moment."""
    count = -1
    while count != len(server.log):
        count = len(server.log)
        time.sleep(1.0)  # lines are written by a thread, answers posted in the background
    return "".join(server.log[since:])


# -- 5. bodies larger than the limit are refused before they are read --------------------------------------


def _rss(server: Server) -> int:
    return int(psutil.Process(server.process.pid).memory_info().rss)


def _send_huge(port: int, size: int, *, chunked: bool) -> int:
    """POST `size` bytes without a signature, as fast as the server reads them; the status, or 0 if the
    server closed the connection before answering."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        head = "POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        head += "Transfer-Encoding: chunked\r\n\r\n" if chunked else f"Content-Length: {size}\r\n\r\n"
        sock.sendall(head.encode())
        block = b"[" * 65536
        sent = 0
        try:
            while sent < size:
                if chunked:
                    sock.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                else:
                    sock.sendall(block)
                sent += len(block)
        except OSError:
            pass  # the server stopped reading and closed: what it should do
        sock.settimeout(10)
        try:
            response = http.client.HTTPResponse(sock)
            response.begin()
            return response.status
        except (OSError, http.client.HTTPException):
            return 0


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
def test_a_200_mb_unsigned_body_is_refused_with_flat_memory(server: Server, chunked: bool) -> None:
    before = _rss(server)
    status = _send_huge(server.port, 200 * 2**20, chunked=chunked)
    assert status in (413, 0)
    assert _rss(server) - before < 50 * 2**20
    assert get(server.port, "/healthz").status == 200


def test_a_declared_huge_body_gets_413_at_once(server: Server) -> None:
    started = time.monotonic()
    assert _send_huge(server.port, 400 * 2**20, chunked=False) in (413, 0)
    assert time.monotonic() - started < 10


# -- 9. JSON nested without end -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (b"[" * 100_000, JSON),
        (b'{"a":' * 50_000, JSON),
        (b"[" * 100_000 + b"]" * 100_000, JSON),
        (("payload=" + urllib.parse.quote("[" * 100_000)).encode(), FORM),
        (("payload=" + urllib.parse.quote('{"a":' * 50_000 + "1" + "}" * 50_000)).encode(), FORM),
    ],
    ids=["open-arrays", "open-objects", "closed-arrays", "payload-arrays", "payload-objects"],
)
def test_deeply_nested_json_gets_400(server: Server, body: bytes, content_type: str) -> None:
    since = len(server.log)
    assert post(server.port, body, content_type, sign(body)).status == 400
    assert "Traceback" not in new_log(server, since)


# -- 10. signed but malformed payloads ---------------------------------------------------------------------


def _form(payload: dict[str, Any]) -> bytes:
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def _payload(body: bytes) -> dict[str, Any]:
    return dict(json.loads(urllib.parse.parse_qs(body.decode())["payload"][0]))


NOWHERE = "http://127.0.0.1:9/respond"  # refuses at once, so a fallback post fails within the test


def _shortcut(**changes: Any) -> bytes:
    return _form(_payload(message_shortcut("a long shot")) | {"response_url": NOWHERE} | changes)


def _share(**changes: Any) -> bytes:
    return _form(_payload(block_action("/whosaid a long shot")) | {"response_url": NOWHERE} | changes)


def _event(event: Any | None, **envelope: Any) -> bytes:
    body = json.loads(event_callback({"type": "app_mention"}, f"EvBad{time.monotonic_ns()}"))
    if event is None:
        del body["event"]
    else:
        body["event"] = event
    return json.dumps(body | envelope).encode()


MENTION = {"type": "app_mention", "user": "U1", "ts": "1.2", "channel": "C1", "text": "hi"}
MALFORMED = {
    "shortcut-message-null": (_shortcut(message=None), FORM),
    "shortcut-message-string": (_shortcut(message="a long shot"), FORM),
    "shortcut-channel-null": (_shortcut(channel=None), FORM),
    "share-channel-null": (_share(channel=None, container=None), FORM),
    "share-user-null": (_share(user=None), FORM),
    "share-actions-empty": (_share(actions=[]), FORM),
    "share-actions-not-objects": (_share(actions=["x"]), FORM),
    "mention-without-channel": (_event({k: v for k, v in MENTION.items() if k != "channel"}), JSON),
    "mention-text-null": (_event(MENTION | {"text": None}), JSON),
    "mention-text-number": (_event(MENTION | {"text": 42}), JSON),
    "dm-text-number": (_event(dm_event("x") | {"text": 7}), JSON),  # type: ignore[dict-item]
    "dm-without-channel": (_event({k: v for k, v in dm_event("x").items() if k != "channel"}), JSON),
    "event-missing": (_event(None), JSON),
    "event-a-string": (_event("app_mention"), JSON),
    "event-without-type": (_event({"user": "U1"}), JSON),
    "command-without-name": (b"text=hello&user_id=U1&command=", FORM),
}


@pytest.mark.parametrize("name", list(MALFORMED))
def test_signed_malformed_payloads_get_200_and_one_log_line(server: Server, api: StandIn, name: str) -> None:
    body, content_type = MALFORMED[name]
    new_log(server, 0)  # let answers to earlier requests finish logging first: they are not this one's
    since = len(server.log)
    assert post(server.port, body, content_type, sign(body)).status in (200, 400)
    log = new_log(server, since)
    assert "Traceback" not in log and "never retrieved" not in log, log
    assert len([line for line in log.splitlines() if "WARNING" in line or "ERROR" in line]) <= 1, log
    assert get(server.port, "/healthz").status == 200


def test_a_mention_with_null_text_is_answered_with_help(server: Server, api: StandIn) -> None:
    api.reset()
    body = _event(MENTION | {"text": None, "channel": "C0NULL"})
    assert post(server.port, body, JSON, sign(body)).status == 200
    [call] = api.wait_for("chat.postMessage")
    assert call.params["channel"] == "C0NULL"


# -- slow and vanishing clients --------------------------------------------------------------------------


def test_a_client_that_disconnects_mid_body_costs_one_line_not_a_traceback(server: Server) -> None:
    since = len(server.log)
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(
            b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n" + b'{"type": "event_callback"'
        )
        time.sleep(0.3)
    log = new_log(server, since)
    assert "Traceback" not in log and "disconnected before sending the whole request" in log, log
    assert get(server.port, "/healthz").status == 200


def test_slow_clients_are_cut_off_and_never_hold_up_others(server: Server) -> None:
    """Twenty connections that drip their headers and ten that drip their body: each is closed within
    the deadlines (10 s), and the server answers meanwhile."""
    heads = [socket.create_connection(("127.0.0.1", server.port), timeout=20) for _ in range(20)]
    bodies = [socket.create_connection(("127.0.0.1", server.port), timeout=20) for _ in range(10)]
    try:
        for sock in heads:
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\n")
        for sock in bodies:
            sock.sendall(b"POST /slack/events HTTP/1.1\r\nHost: x\r\nContent-Length: 500\r\n\r\n{")
        started = time.monotonic()
        while time.monotonic() - started < 14:  # drip a byte a second to every one that is still open
            for sock in heads:
                with contextlib.suppress(OSError):
                    sock.sendall(b"X")
            for sock in bodies:
                with contextlib.suppress(OSError):
                    sock.sendall(b" ")
            assert get(server.port, "/healthz").elapsed < 1.0
            time.sleep(1.0)
        for sock in heads:
            assert _closed(sock)
        for sock in bodies:
            assert b"408" in _read_all(sock)
    finally:
        for sock in heads + bodies:
            sock.close()


def _read_all(sock: socket.socket) -> bytes:
    sock.settimeout(5)
    data = b""
    with contextlib.suppress(OSError):
        while chunk := sock.recv(4096):
            data += chunk
    return data


def _closed(sock: socket.socket) -> bool:
    sock.settimeout(5)
    try:
        return sock.recv(4096) == b""
    except ConnectionResetError:
        return True
    except OSError:
        return False
