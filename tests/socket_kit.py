"""Playing Slack's part in Socket Mode: a WebSocket server on 127.0.0.1 that sends envelopes and collects acks."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

from websockets.asyncio.server import ServerConnection, serve


class SocketStandIn:
    """Slack's Socket Mode endpoint: `hello` on connect, envelopes on demand, acks recorded by envelope id."""

    def __init__(self) -> None:
        self.connections: list[ServerConnection] = []
        self.acks: dict[str, dict[str, Any]] = {}
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stopping: asyncio.Event | None = None
        self._port = 0
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        self._ready.wait(10)

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self._port}/link/?ticket=test"

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        self._loop.run_until_complete(self._serve())
        self._loop.close()

    async def _serve(self) -> None:
        self._stopping = asyncio.Event()
        async with serve(self._handle, "127.0.0.1", 0, ping_interval=None) as server:
            self._port = next(iter(server.sockets)).getsockname()[1]
            self._ready.set()
            await self._stopping.wait()
            server.close()

    async def _handle(self, connection: ServerConnection) -> None:
        self.connections.append(connection)
        hello = {
            "type": "hello",
            "num_connections": 1,
            "debug_info": {"host": "test"},
            "connection_info": {"app_id": "A0001"},
        }
        await connection.send(json.dumps(hello))
        try:
            async for raw in connection:
                message = json.loads(raw)
                if "envelope_id" in message:
                    self.acks[message["envelope_id"]] = message
        except Exception:
            pass

    def _call(self, coroutine: Any) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop).result(10)

    def wait_connections(self, count: int, timeout: float = 30.0) -> None:
        deadline = time.monotonic() + timeout
        while len(self.connections) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} connections, got {len(self.connections)}")
            time.sleep(0.05)

    def send(self, envelope: dict[str, Any]) -> None:
        """Send an envelope on the newest connection."""
        self._call(self.connections[-1].send(json.dumps(envelope)))

    def wait_ack(self, envelope_id: str, timeout: float = 10.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while envelope_id not in self.acks:
            if time.monotonic() > deadline:
                raise AssertionError(f"no ack for {envelope_id}")
            time.sleep(0.02)
        return self.acks[envelope_id]

    def drop(self) -> None:
        """Cut the newest connection without a close handshake, as a network failure would."""
        connection = self.connections[-1]
        self._loop.call_soon_threadsafe(connection.transport.abort)

    def stop(self) -> None:
        assert self._stopping is not None
        self._loop.call_soon_threadsafe(self._stopping.set)
        self._thread.join(15)


def slash_envelope(envelope_id: str, command: str, text: str) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": "slash_commands",
        "accepts_response_payload": True,
        "payload": {
            "token": "legacy",
            "team_id": "T0001",
            "channel_id": "C0001",
            "user_id": "U0001",
            "command": command,
            "text": text,
            "api_app_id": "A0001",
            "response_url": "https://hooks.slack.com/commands/T0001/1/abc",
            "trigger_id": "1.2.3",
        },
    }


def event_envelope(envelope_id: str, event: dict[str, Any], event_id: str, retry: int = 0) -> dict[str, Any]:
    return {
        "envelope_id": envelope_id,
        "type": "events_api",
        "accepts_response_payload": False,
        "retry_attempt": retry,
        "retry_reason": "timeout" if retry else "",
        "payload": {
            "token": "legacy",
            "team_id": "T0001",
            "api_app_id": "A0001",
            "type": "event_callback",
            "event_id": event_id,
            "event_time": int(time.time()),
            "event": event,
        },
    }
