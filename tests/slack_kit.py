"""Playing Slack's part in end-to-end tests: a stand-in Web API, signed requests, real payloads."""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import http.client
import json
import os
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BOT_TOKEN = "xoxb-0000-test-token"
BOT_USER = "UCITEBOT1"
BOT_ID = "BCITEBOT1"
FORM = "application/x-www-form-urlencoded"  # how Slack sends slash commands and interactions
JSON = "application/json"  # … and events


OUR_VARIABLES = ("SLACK_", "CORPUS_", "INDEX_", "STATE_", "EVENTS_", "LOG_", "DOMAIN_")


def clean_environ() -> dict[str, str]:
    """This process's environment without any Citebot setting, so that a developer's never leaks in."""
    return {k: v for k, v in os.environ.items() if not k.startswith(OUR_VARIABLES)}


@dataclass
class Call:
    """One request the app made to the Web API, and what the stand-in answered."""

    method: str
    params: dict[str, Any]
    status: int
    answer: str


@dataclass
class StandIn:
    """A stand-in for slack.com/api on 127.0.0.1 that records calls and fails on demand."""

    calls: list[Call] = field(default_factory=list)
    faults: dict[str, list[str]] = field(default_factory=dict)
    extra: dict[str, dict[str, Any]] = field(default_factory=dict)
    # GET paths it serves (files behind url_private, pages to fetch): path -> (status, headers, body)
    served: dict[str, tuple[int, dict[str, str], bytes]] = field(default_factory=dict)
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (path, Authorization header)
    lock: threading.Lock = field(default_factory=threading.Lock)
    released: threading.Event = field(default_factory=threading.Event)  # ends the "hang" faults
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}/api/"

    @property
    def root(self) -> str:
        """The stand-in's address, for pages and files it serves (`served`)."""
        assert self.server is not None
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def fail_next(self, method: str, *faults: str) -> None:
        """Answer the next calls of `method` with these faults in turn: "429", "500", "drop", "slow",
        "hang" (no answer until `released` is set, at most 30 s, then the connection drops), or an error code."""
        with self.lock:
            self.faults.setdefault(method, []).extend(faults)

    def reset(self) -> None:
        with self.lock:
            self.calls.clear()
            self.faults.clear()
            self.downloads.clear()

    def ok_calls(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method and c.answer == "ok"]

    def all_calls(self, method: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until `count` calls of `method` have succeeded; return them."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.ok_calls(method)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        raise AssertionError(f"expected {count} successful {method} calls, got {self.ok_calls(method)}")

    def start(self) -> StandIn:
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                if self.path.startswith(
                    "/api/"
                ):  # slack_sdk reads some methods with GET (conversations.replies)
                    self.do_POST()
                    return
                with stand_in.lock:
                    stand_in.downloads.append((self.path, self.headers.get("authorization", "")))
                    status, headers, body = stand_in.served.get(self.path, (404, {}, b"not found"))
                self.send_response(status)
                for name, value in {"content-length": str(len(body)), **headers}.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def do_POST(self) -> None:
                path, _, query = self.path.partition("?")
                method = path.rsplit("/", 1)[-1]
                raw = self.rfile.read(int(self.headers.get("content-length") or 0)).decode()
                if self.headers.get("content-type", "").startswith("application/json"):
                    params = json.loads(raw or "{}")
                else:
                    params = dict(urllib.parse.parse_qsl(raw))
                # slack_sdk sends some methods' arguments in the query string (assistant.threads.setTitle).
                params = {**dict(urllib.parse.parse_qsl(query)), **params}
                with stand_in.lock:
                    queue = stand_in.faults.get(method, [])
                    fault = queue.pop(0) if queue else None
                if fault == "slow":  # answer, but only after a while (a Web API under load)
                    time.sleep(2.0)
                    fault = None
                if fault == "hang":
                    stand_in._record(method, params, 0, "hang")
                    stand_in.released.wait(30)
                    self.close_connection = True
                    return
                if fault == "drop":
                    stand_in._record(method, params, 0, "drop")
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                if fault == "429":
                    stand_in._record(method, params, 429, "429")
                    self._send(429, {"ok": False, "error": "ratelimited"}, {"Retry-After": "1"})
                elif fault == "500":
                    stand_in._record(method, params, 500, "500")
                    self._send(500, {"ok": False, "error": "internal_error"})
                elif fault is not None:
                    stand_in._record(method, params, 200, fault)
                    self._send(200, {"ok": False, "error": fault})
                else:
                    stand_in._record(method, params, 200, "ok")
                    self._send(200, {"ok": True, **stand_in._answer(method)})

            def _send(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()

    def _record(self, method: str, params: dict[str, Any], status: int, answer: str) -> None:
        with self.lock:
            self.calls.append(Call(method, params, status, answer))

    def _answer(self, method: str) -> dict[str, Any]:
        if method == "auth.test":
            return {"user_id": BOT_USER, "bot_id": BOT_ID, "team_id": "T0001", "user": "citebot"}
        if method == "chat.postMessage":
            return {"channel": "C1", "ts": f"{time.time():.6f}"}
        return self.extra.get(method, {})


class Drip:
    """A site that answers at once, then sends `size` bytes every `every` seconds, for at most `most`."""

    def __init__(self, size: int = 32, every: float = 1.0, most: float = 40.0) -> None:
        self.requests: list[str] = []
        drip = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                drip.requests.append(self.path)
                self.send_response(200)
                self.send_header("content-type", "text/plain")
                self.end_headers()
                ends = time.monotonic() + most
                try:
                    while time.monotonic() < ends:
                        self.wfile.write(b"a" * size)
                        self.wfile.flush()
                        time.sleep(every)
                except OSError:  # the fetcher gave up and closed: as it should
                    return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/story"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def free_port() -> int:
    """A port a test server can listen on. Taken below the range the system hands to outgoing
    connections (32768 and up on Linux): a port from that range, free when asked, can become the local
    end of some connection (to PostgreSQL, to the stand-in) before the server binds it."""
    for _ in range(200):
        port = random.randrange(20_000, 32_000)
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port between 20000 and 32000")


def sign(body: bytes, timestamp: int | None = None, secret: str = SECRET) -> dict[str, str]:
    """The headers Slack sends: X-Slack-Request-Timestamp and X-Slack-Signature (v0, HMAC-SHA256)."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


@dataclass
class Reply:
    status: int
    body: bytes
    elapsed: float

    def json(self) -> Any:
        return json.loads(self.body)


def post(port: int, body: bytes, content_type: str, headers: dict[str, str] | None = None) -> Reply:
    """POST /slack/events as Slack would."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.monotonic()
    try:  # closed on failure too (a server restarting refuses the connection): no socket left open
        conn.request(
            "POST", "/slack/events", body=body, headers={"Content-Type": content_type, **(headers or {})}
        )
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return Reply(response.status, data, time.monotonic() - started)


def get(port: int, path: str) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    started = time.monotonic()
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        data = response.read()
    finally:
        conn.close()
    return Reply(response.status, data, time.monotonic() - started)


def slash_command(command: str, text: str, **overrides: str) -> bytes:
    """A slash command's form body, as Slack posts it."""
    fields = {
        "token": "legacy-verification-token",
        "team_id": "T0001",
        "team_domain": "example",
        "channel_id": "C0001",
        "channel_name": "general",
        "user_id": "U0001",
        "user_name": "ann",
        "command": command,
        "text": text,
        "api_app_id": "A0001",
        "is_enterprise_install": "false",
        "response_url": "https://hooks.slack.com/commands/T0001/1/abc",
        "trigger_id": "1.2.3",
        **overrides,
    }
    return urllib.parse.urlencode(fields).encode()


def dm_event(text: str, channel: str = "D0001", ts: str = "1.1", **extra: str) -> dict[str, str]:
    """A direct message to the bot, as the `event` of a message.im delivery."""
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U0001",
        "text": text,
        "ts": ts,
        "channel": channel,
        **extra,
    }


def mention_event(text: str, ts: str, channel: str = "C0001", **extra: str) -> dict[str, str]:
    """A channel message that @-mentions the bot, as the `event` of an app_mention delivery."""
    return {
        "type": "app_mention",
        "user": "U0001",
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": channel,
        **extra,
    }


def event_callback(event: dict[str, Any], event_id: str) -> bytes:
    """An Events API delivery, as Slack posts it."""
    body = {
        "token": "legacy-verification-token",
        "team_id": "T0001",
        "api_app_id": "A0001",
        "event": event,
        "type": "event_callback",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"team_id": "T0001", "user_id": BOT_USER, "is_bot": True}],
    }
    return json.dumps(body).encode()


def _block_actions(action: dict[str, Any], channel: str, user: str, container: dict[str, Any]) -> bytes:
    """A block_actions interaction with one action, as Slack posts it (form field `payload`)."""
    payload = {
        "type": "block_actions",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user, "username": "ann", "team_id": "T0001"},
        "api_app_id": "A0001",
        "token": "legacy-verification-token",
        "container": {"type": "message", "channel_id": channel, **container},
        "trigger_id": "1.2.3",
        "channel": {"id": channel, "name": "general"},
        "response_url": "https://hooks.slack.com/actions/T0001/1/abc",
        "actions": [action],
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


def block_action(value: str, channel: str = "C0001", user: str = "U0001") -> bytes:
    """A click on the "Share in channel" button."""
    action = {
        "action_id": "share_answer",
        "block_id": "b1",
        "text": {"type": "plain_text", "text": "Share in channel"},
        "value": value,
        "type": "button",
        "action_ts": "1.3",
    }
    return _block_actions(action, channel, user, {"message_ts": "1.2", "is_ephemeral": True})


def feedback_click(
    value: str,
    channel: str = "C0001",
    user: str = "U0001",
    message_ts: str = "1.2",
    thread_ts: str | None = None,
) -> bytes:
    """A click on an answer's thumbs up or down (feedback_buttons)."""
    action = {
        "type": "feedback_buttons",
        "action_id": "feedback",
        "block_id": "fb1",
        "text": {"type": "plain_text", "text": "👍"},
        "value": value,
        "action_ts": "1.6",
    }
    container = {
        "message_ts": message_ts,
        "is_ephemeral": False,
        **({"thread_ts": thread_ts} if thread_ts else {}),
    }
    return _block_actions(action, channel, user, container)


def thread_started(channel: str = "D0001", thread_ts: str = "100.1", user: str = "U0001") -> dict[str, Any]:
    """The `event` of an assistant_thread_started delivery: the user opened the side panel."""
    return {
        "type": "assistant_thread_started",
        "assistant_thread": {
            "user_id": user,
            "context": {"channel_id": "C0001", "team_id": "T0001", "enterprise_id": None},
            "channel_id": channel,
            "thread_ts": thread_ts,
        },
        "event_ts": f"{time.time():.6f}",
    }


def home_opened(user: str = "U0001") -> dict[str, Any]:
    """The `event` of an app_home_opened delivery."""
    return {"type": "app_home_opened", "user": user, "channel": "D0001", "tab": "home", "event_ts": "1.7"}


def message_shortcut(
    text: str,
    channel: str = "C0001",
    user: str = "U0001",
    response_url: str | None = None,
    callback_id: str = "who_said_this",
    files: list[dict[str, Any]] | None = None,
) -> bytes:
    """A message shortcut ("Who said this?" unless `callback_id` says otherwise), as Slack posts it."""
    payload = {
        "type": "message_action",
        "token": "legacy-verification-token",
        "action_ts": "1.4",
        "team": {"id": "T0001", "domain": "example"},
        "user": {"id": user, "username": "ann", "team_id": "T0001"},
        "channel": {"id": channel, "name": "general"},
        "callback_id": callback_id,
        "trigger_id": "1.2.3",
        "message_ts": "1.5",
        "message": {"type": "message", "user": "U0002", "text": text, "ts": "1.5", "files": files or []},
        "response_url": response_url or "https://hooks.slack.com/app/T0001/1/abc",
    }
    return urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()


@dataclass
class Server:
    """`python -m bot serve` running in a subprocess; its stderr is read as it comes (a full pipe blocks)."""

    process: subprocess.Popen[str]
    port: int
    log: list[str] = field(default_factory=list)
    scratch: str | None = None  # a folder of the test's, removed when the server has exited

    def __post_init__(self) -> None:
        def drain() -> None:
            assert self.process.stderr is not None
            with contextlib.suppress(ValueError, OSError):  # closed by wait_exit while still held open
                for line in self.process.stderr:
                    self.log.append(line)

        self._reader = threading.Thread(target=drain, daemon=True)
        self._reader.start()

    def stop(self) -> str:
        """SIGTERM, then wait for the exit; returns what the server logged."""
        self.process.terminate()
        return self.wait_exit()

    def wait_exit(self, timeout: float = 30) -> str:
        """Wait for the process to exit (killing it after `timeout`); returns its stderr."""
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self._reader.join(10)
        for stream in (self.process.stdout, self.process.stderr):
            if stream is not None:
                stream.close()
        if self.scratch is not None:
            shutil.rmtree(self.scratch, ignore_errors=True)
        return "".join(self.log)

    @property
    def exited_cleanly(self) -> bool:
        """Exit status 0, or death by the SIGTERM it was sent (uvicorn re-raises it after a graceful stop)."""
        return self.process.returncode in (0, -15)


def start_server(
    stand_in: StandIn,
    *args: str,
    env: dict[str, str] | None = None,
    port: int | None = None,
    wrap: Callable[[list[str]], list[str]] | None = None,
) -> Server:
    """Start `python -m bot serve` against the stand-in and wait until /healthz says ok.

    `wrap` rewrites the command line (to run it as another user, say)."""
    port = port or free_port()
    base = clean_environ()
    full_env = {
        **base,
        "SLACK_SIGNING_SECRET": SECRET,
        "SLACK_BOT_TOKEN": BOT_TOKEN,
        "SLACK_API_URL": stand_in.url,
        "CORPUS_DIR": str(ROOT / "seeds"),
        **(env or {}),
    }
    scratch = None
    if "EVENTS_DB" not in full_env:
        # Each server its own record of answered events (ids repeat between tests and test runs), in a
        # folder removed when the server has exited; open to all, for a server run as another user.
        scratch = tempfile.mkdtemp(prefix="citebot-events-")
        os.chmod(scratch, 0o777)
        full_env["EVENTS_DB"] = os.path.join(scratch, "events.sqlite3")
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port), *args]
    process = subprocess.Popen(
        wrap(command) if wrap else command,
        env=full_env,
        cwd=ROOT / "tests",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    server = Server(process, port, scratch=scratch)
    try:
        wait_healthy(process, port)
    except RuntimeError as exc:
        raise RuntimeError(f"{exc}; it logged:\n{server.wait_exit(timeout=5)}") from None
    return server


def wait_healthy(process: subprocess.Popen[str], port: int, timeout: float = 60) -> None:
    """Wait until the server answers /healthz with 200 (and fail if it exits first)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            if get(port, "/healthz").status == 200:
                return
        except OSError:
            pass
        time.sleep(0.05)
    process.kill()
    raise RuntimeError("server did not become healthy")


def each_mrkdwn(blocks: list[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Every text object of type mrkdwn in a list of blocks."""
    for block in blocks:
        texts = [block.get("text"), *list(block.get("elements", [])), *list(block.get("fields", []))]
        for text in texts:
            if isinstance(text, dict) and text.get("type") == "mrkdwn":
                yield text
