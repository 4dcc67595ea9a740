"""HTTP mode: Slack's requests at POST /slack/events, a health check at GET /healthz.

The edge checks what Bolt would otherwise turn into errors, cheapest first: the size of the body
(413, by Content-Length before reading, and never reading past the limit), the signature (401), the
encoding (400), a body that does not parse or nests without end (400), an envelope missing what
every listener relies on (200, ignored with one log line). Whatever Bolt answers after that, Slack
gets a 2xx: an event we do not handle is still received, and a failure is logged, not retried. The
one exception is an event that cannot be claimed while the shared state is unreachable (RETRY_LATER):
Slack is asked to send it again rather than have it answered twice or lost.
"""

from __future__ import annotations

import asyncio
import gc
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from slack_bolt.adapter.starlette.async_handler import to_async_bolt_request, to_starlette_response
from slack_bolt.async_app import AsyncApp
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from uvicorn.protocols.http.h11_impl import H11Protocol

from bot.config import Settings
from bot.render import apology
from bot.slack.app import RETRY_LATER, create_app
from bot.slack.payloads import envelope_problem
from bot.slack.recovery import answer_unanswered
from bot.slack.service import Citebot, learn_identity, web_client

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000
HEAD_SECONDS = (
    10.0  # a request's line and headers must arrive within this, from the first byte or the last answer
)
BODY_SECONDS = (
    10.0  # … and its body within this (Slack sends both at once; a client that drips holds a connection)
)


class GuardedH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol with a deadline for each request's head: a client that connects and
    then sends its headers a byte at a time (or nothing) is cut off, so that slow clients cannot hold
    every connection. uvicorn has a keep-alive timeout but none for the head of a request."""

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._head_timer: asyncio.TimerHandle | None = None
        self._arm_head_timer()

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:
            self._arm_head_timer()
        before = self.cycle
        super().data_received(data)
        if self.cycle is not before and self._head_timer is not None:  # a whole head arrived
            self._head_timer.cancel()
            self._head_timer = None

    def connection_lost(self, exc: Exception | None) -> None:
        if self._head_timer is not None:
            self._head_timer.cancel()
        super().connection_lost(exc)

    def _arm_head_timer(self) -> None:
        if self._head_timer is None:
            self._head_timer = self.loop.call_later(HEAD_SECONDS, self._head_too_slow, self.cycle)

    def _head_too_slow(self, cycle_then: object) -> None:
        self._head_timer = None
        if self.cycle is cycle_then and not self.transport.is_closing():
            logger.info("closed a connection whose request did not arrive within %.0f s", HEAD_SECONDS)
            self.transport.close()


def create_web_app(settings: Settings, load_bot: Callable[[], Citebot]) -> Starlette:
    """The ASGI app. `load_bot` builds the index; it runs at start-up, before the first request."""
    assert settings.slack_signing_secret is not None, "HTTP mode needs SLACK_SIGNING_SECRET"
    verifier = SignatureVerifier(settings.slack_signing_secret.get_secret_value())
    state: dict[str, object] = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        bot = await asyncio.to_thread(load_bot)
        await asyncio.to_thread(bot.warm_up)  # before "ready": the first question is as fast as the rest
        gc.freeze()  # what start-up made lives as long as the process: no full collection walks it again
        client = web_client(settings)
        identity = asyncio.create_task(learn_identity(bot, client))
        watcher = bot.watch_corpus()
        following = bot.follow_feeds()
        filler = bot.fill_meaning()
        state["bot"] = bot
        state["app"] = app = create_app(bot, client)
        logger.info("ready: %d articles, %d passages", len(bot.index.articles), bot.index.live_passages)
        recovering = asyncio.create_task(answer_unanswered(bot, app))
        yield
        recovering.cancel()
        identity.cancel()
        following.cancel()
        if watcher is not None:
            watcher.cancel()
        if filler is not None:
            await asyncio.to_thread(filler.stop)
        await bot.drain()  # uvicorn has finished the requests in flight; now the answers they acked

    async def slack_events(request: Request) -> Response:
        try:
            async with asyncio.timeout(BODY_SECONDS):
                body = await _body_within_limit(request)
        except TimeoutError:
            return _error(408, f"request body not received within {BODY_SECONDS:.0f} s")
        except ClientDisconnect:  # nobody is left to answer
            logger.info("a client disconnected before sending the whole request")
            return Response(status_code=400)
        if body is None:
            return _error(413, "request body too large")
        timestamp = request.headers.get("x-slack-request-timestamp", "")
        signature = request.headers.get("x-slack-signature", "")
        if not timestamp.isdigit() or not signature.startswith("v0="):
            return _error(401, "missing Slack signature")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _error(400, "request body is not UTF-8")
        if not verifier.is_valid(body=text, timestamp=timestamp, signature=signature):
            return _error(401, "invalid or expired Slack signature")
        try:
            parsed = parse_body(text, request.headers.get("content-type"))
        except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
            return _error(400, "malformed request body")
        if not isinstance(parsed, dict):
            return _error(400, "malformed request body")
        problem = envelope_problem(parsed)
        if problem is not None:
            logger.warning("ignored a malformed Slack request: %s", problem)
            return Response(status_code=200)
        app = state["app"]
        assert isinstance(app, AsyncApp)
        try:
            response = to_starlette_response(await app.async_dispatch(to_async_bolt_request(request, body)))
        except Exception:
            logger.exception("Bolt failed on a request")
            response = Response(status_code=500)
        if response.status_code == 404:
            return Response(status_code=200)  # an event or action we do not handle: received, ignored
        if response.status_code == RETRY_LATER:
            return Response(status_code=RETRY_LATER)  # the shared state is unreachable: Slack retries it
        if response.status_code >= 500:
            if "command" in parsed:
                reply = apology()
                return JSONResponse(
                    {"response_type": "ephemeral", "text": reply.text, "blocks": reply.blocks}
                )
            return Response(status_code=200)
        return response

    async def healthz(_: Request) -> Response:
        bot = state.get("bot")
        if not isinstance(bot, Citebot):
            return JSONResponse({"status": "starting"}, status_code=503)
        return JSONResponse(
            {
                "status": "ok",
                "articles": len(bot.index.articles),
                "passages": bot.index.live_passages,
                "meaning": bot.meaning_progress(),
            }
        )

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


async def _body_within_limit(request: Request) -> bytes | None:
    """The body, or None when it is larger than MAX_BODY_BYTES: refused by its declared length before
    anything is read, and a chunked body no further than the limit, so memory stays flat."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > MAX_BODY_BYTES:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}), status_code=status, media_type="application/json")
