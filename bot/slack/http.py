"""HTTP mode: Slack's requests at POST /slack/events, a health check at GET /healthz.

The edge checks what Bolt would otherwise turn into errors: the signature (401), the size and
encoding of the body (413, 400), a body Bolt cannot parse (400). Whatever Bolt answers after that,
Slack gets a 2xx: an event we do not handle is still received, and a failure is logged, not retried.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

from slack_bolt.adapter.starlette.async_handler import AsyncSlackRequestHandler
from slack_bolt.request.internals import parse_body
from slack_sdk.signature import SignatureVerifier
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.config import Settings
from bot.render import apology
from bot.slack.app import Citebot, create_app, learn_identity, web_client

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 1_000_000


def create_web_app(settings: Settings, load_bot: Callable[[], Citebot]) -> Starlette:
    """The ASGI app. `load_bot` builds the index; it runs at start-up, before the first request."""
    assert settings.slack_signing_secret is not None, "HTTP mode needs SLACK_SIGNING_SECRET"
    verifier = SignatureVerifier(settings.slack_signing_secret.get_secret_value())
    state: dict[str, object] = {}

    @asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        bot = await asyncio.to_thread(load_bot)
        client = web_client(settings)
        identity = asyncio.create_task(learn_identity(bot, client))
        watcher = bot.watch_corpus()
        state["bot"] = bot
        state["handler"] = AsyncSlackRequestHandler(create_app(bot, client))
        logger.info("ready: %d articles, %d passages", len(bot.index.articles), len(bot.index))
        yield
        identity.cancel()
        if watcher is not None:
            watcher.cancel()
        await bot.drain()  # uvicorn has finished the requests in flight; now the answers they acked

    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
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
        except ValueError:
            return _error(400, "malformed request body")
        if not isinstance(parsed, dict):
            return _error(400, "malformed request body")
        handler = state["handler"]
        assert isinstance(handler, AsyncSlackRequestHandler)
        try:
            response = await handler.handle(request)
        except Exception:
            logger.exception("Bolt failed on a request")
            response = Response(status_code=500)
        if response.status_code == 404:
            return Response(status_code=200)  # an event or action we do not handle: received, ignored
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
        return JSONResponse({"status": "ok", "articles": len(bot.index.articles), "passages": len(bot.index)})

    return Starlette(
        routes=[
            Route("/slack/events", slack_events, methods=["POST"]),
            Route("/healthz", healthz, methods=["GET"]),
        ],
        lifespan=lifespan,
    )


def _error(status: int, message: str) -> Response:
    return Response(json.dumps({"error": message}), status_code=status, media_type="application/json")
