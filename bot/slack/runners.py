"""Connect the app to Slack: HTTP (uvicorn, one or more worker processes) or Socket Mode."""

from __future__ import annotations

import asyncio
import errno
import functools
import itertools
import logging
import signal
import socket
from collections.abc import Callable
from typing import Any

import aiohttp
import uvicorn
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.aiohttp import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from slack_sdk.web.async_client import AsyncWebClient
from uvicorn.supervisors import Multiprocess

from bot.config import Settings
from bot.errors import CitebotError
from bot.slack.app import create_app
from bot.slack.asgi import create
from bot.slack.http import GuardedH11Protocol, create_web_app
from bot.slack.payloads import envelope_problem
from bot.slack.recovery import answer_unanswered
from bot.slack.service import Citebot, learn_identity, web_client

logger = logging.getLogger(__name__)

GRACEFUL_SECONDS = 30  # after SIGTERM, how long requests in flight may take before uvicorn stops waiting


def run_http(settings: Settings, load_bot: Callable[[], Citebot]) -> None:
    """Serve Slack's requests over HTTP until SIGTERM or Ctrl-C; in-flight requests and answers finish first.

    The listening socket is bound first, before anything loads: a bad HOST or a port already in use
    is one line (CitebotError), and nothing has claimed to be ready.
    """
    sock = listening_socket(settings.host, settings.port)
    options: dict[str, Any] = {
        "log_config": None,  # our logging (bot/logs.py), not uvicorn's
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        "lifespan": "on",
        "http": GuardedH11Protocol,  # a deadline for each request's head (slow clients)
    }
    try:
        if settings.workers == 1:
            config = uvicorn.Config(create_web_app(settings, load_bot), **options)
            uvicorn.Server(config).run(sockets=[sock])
        else:
            # Each worker is a new process that builds its app from these settings (pickled into it with
            # the config); the index is mapped, so the workers share one copy of it, and answered events
            # are recorded in one SQLite file. uvicorn.run would bind the socket itself (and wants an
            # import string for workers); its supervisor takes ours, already bound.
            config = uvicorn.Config(
                functools.partial(create, settings), factory=True, workers=settings.workers, **options
            )
            Multiprocess(config, sockets=[sock]).run()
    finally:
        sock.close()


def listening_socket(host: str, port: int) -> socket.socket:
    """A TCP socket bound to HOST and PORT, or CitebotError saying in one line why it cannot be."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except (socket.gaierror, UnicodeError) as exc:
        reason = exc.strerror if isinstance(exc, socket.gaierror) else str(exc)
        raise CitebotError(
            f"HOST {host!r} is not an address or a name this machine knows ({reason})"
        ) from None
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CitebotError(
                f"port {port} on {host} is already in use; stop what uses it or set PORT"
            ) from None
        if exc.errno == errno.EADDRNOTAVAIL:
            raise CitebotError(f"HOST {host} is not an address of this machine") from None
        if exc.errno == errno.EACCES:
            raise CitebotError(
                f"port {port} needs privileges this user does not have; use a port above 1023"
            ) from None
        raise CitebotError(f"cannot listen on {host}:{port} ({exc.strerror or exc})") from None
    sock.set_inheritable(True)  # worker processes serve from the same socket
    return sock


def run_socket_mode(settings: Settings, load_bot: Callable[[], Citebot]) -> None:
    """Connect to Slack over Socket Mode until SIGTERM or Ctrl-C; answers being posted finish first.

    Raises CitebotError (one line, non-zero exit) when Slack refuses the tokens.
    """
    bot = load_bot()
    bot.warm_up()  # the first question is as fast as the rest
    asyncio.run(_socket_mode(settings, bot))


# Answers to apps.connections.open that no retry can fix: the app token is wrong, revoked or not an
# app-level token. Anything else (no route, a timeout, a 5xx, a rate limit) is worth another try.
REFUSED = frozenset(
    {
        "invalid_auth",
        "not_authed",
        "not_allowed_token_type",
        "token_revoked",
        "token_expired",
        "account_inactive",
        "missing_scope",
    }
)
FIRST_RETRY_SECONDS = 1.0
LAST_RETRY_SECONDS = 60.0


async def _socket_mode(settings: Settings, bot: Citebot) -> None:
    assert settings.slack_app_token is not None, "Socket Mode needs SLACK_APP_TOKEN"
    client = web_client(settings)
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    app_token = settings.slack_app_token.get_secret_value()
    url = await _open_connection(client, app_token, stop)
    if url is None:
        logger.info("stopped before Slack could be reached")
        return
    identity = asyncio.create_task(learn_identity(bot, client))
    app = create_app(bot, client)
    handler = CheckedSocketModeHandler(
        app, app_token, web_client=client, ping_interval=settings.socket_ping_interval
    )
    handler.client.wss_uri = url  # checked above; slack_sdk connects to it without asking again
    watcher = bot.watch_corpus()
    following = bot.follow_feeds()
    filler = bot.fill_meaning()
    connecting = asyncio.create_task(handler.connect_async())  # type: ignore[no-untyped-call]
    stopping = asyncio.create_task(stop.wait())
    await asyncio.wait({connecting, stopping}, return_when=asyncio.FIRST_COMPLETED)
    if connecting.done():
        logger.info(
            "connected over Socket Mode: %d articles, %d passages",
            len(bot.index.articles),
            bot.index.live_passages,
        )
        recovering = asyncio.create_task(answer_unanswered(bot, app))
        await stopping
        recovering.cancel()
    else:  # stopped while slack_sdk was still retrying the WebSocket
        connecting.cancel()
    logger.info("stopping: closing the connection, finishing answers")
    await handler.close_async()  # type: ignore[no-untyped-call]
    identity.cancel()
    following.cancel()
    if watcher is not None:
        watcher.cancel()
    if filler is not None:
        await asyncio.to_thread(filler.stop)
    await bot.drain()


class CheckedSocketModeHandler(AsyncSocketModeHandler):
    """Bolt's Socket Mode handler, with the same check of envelopes as the HTTP edge: one Bolt cannot
    route is acked (so Slack does not resend it) and logged in one line."""

    async def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        payload = req.payload
        problem = (
            envelope_problem(payload) if isinstance(payload, dict) else "a payload that is not an object"
        )
        if problem is None:
            await super().handle(client, req)
            return
        logger.warning("ignored a malformed Slack request: %s", problem)
        await client.send_socket_mode_response(SocketModeResponse(envelope_id=req.envelope_id))


async def _open_connection(client: AsyncWebClient, app_token: str, stop: asyncio.Event) -> str | None:
    """A WebSocket URL from apps.connections.open, retried with backoff while Slack cannot be reached.

    None if `stop` is set first; CitebotError if Slack refuses the token. One log line per failed try.
    """
    delay = FIRST_RETRY_SECONDS
    for attempt in itertools.count(1):
        problem: str
        asking = asyncio.ensure_future(client.apps_connections_open(app_token=app_token))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({asking, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not asking.done():  # stopped while the Web API client was still trying
            asking.cancel()
            return None
        try:
            response = asking.result()
            url = response.get("url")
            if isinstance(url, str) and url:
                return url
            problem = "Slack answered without a WebSocket URL"
        except SlackApiError as exc:
            error = str(exc.response.get("error", "")) if isinstance(exc.response.data, dict) else ""
            if error in REFUSED:
                raise CitebotError(
                    f"Slack refused SLACK_APP_TOKEN ({error}): use an app-level token (xapp-…) with "
                    "the connections:write scope, from the app's Basic Information page"
                ) from None
            problem = f"Slack answered {error or exc.response.status_code}"
        except (TimeoutError, aiohttp.ClientError, OSError, ValueError) as exc:
            problem = f"cannot reach Slack at {client.base_url} ({type(exc).__name__}: {exc})".replace(
                " ()", ""
            )
        logger.warning("%s; try %d, next in %.0f s", problem, attempt, delay)
        try:
            await asyncio.wait_for(stop.wait(), delay)
            return None
        except TimeoutError:
            delay = min(delay * 2, LAST_RETRY_SECONDS)
    raise AssertionError("unreachable")
