"""Connect the app to Slack: HTTP (uvicorn, one or more worker processes) or Socket Mode."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable

import uvicorn
from slack_bolt.adapter.socket_mode.aiohttp import AsyncSocketModeHandler

from bot.config import Settings
from bot.slack.app import Citebot, create_app, learn_identity, web_client
from bot.slack.http import create_web_app

logger = logging.getLogger(__name__)

GRACEFUL_SECONDS = 30  # after SIGTERM, how long requests in flight may take before uvicorn stops waiting


def run_http(settings: Settings, load_bot: Callable[[], Citebot]) -> None:
    """Serve Slack's requests over HTTP until SIGTERM or Ctrl-C; in-flight requests and answers finish first."""
    options = {
        "host": settings.host,
        "port": settings.port,
        "log_config": None,  # our logging (bot/logs.py), not uvicorn's
        "timeout_graceful_shutdown": GRACEFUL_SECONDS,
        "lifespan": "on",
    }
    if settings.workers == 1:
        uvicorn.run(create_web_app(settings, load_bot), **options)  # type: ignore[arg-type]
    else:
        # Each worker is a new process that builds its app from the environment; the index is mapped,
        # so the workers share one copy of it, and answered events are recorded in one SQLite file.
        uvicorn.run("bot.slack.asgi:create", factory=True, workers=settings.workers, **options)  # type: ignore[arg-type]


def run_socket_mode(settings: Settings, load_bot: Callable[[], Citebot]) -> None:
    """Connect to Slack over Socket Mode until SIGTERM or Ctrl-C; answers being posted finish first."""
    asyncio.run(_socket_mode(settings, load_bot()))


async def _socket_mode(settings: Settings, bot: Citebot) -> None:
    assert settings.slack_app_token is not None, "Socket Mode needs SLACK_APP_TOKEN"
    client = web_client(settings)
    identity = asyncio.create_task(learn_identity(bot, client))
    handler = AsyncSocketModeHandler(
        create_app(bot, client),
        settings.slack_app_token.get_secret_value(),
        web_client=client,
        ping_interval=settings.socket_ping_interval,
    )
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        asyncio.get_running_loop().add_signal_handler(sig, stop.set)
    watcher = bot.watch_corpus()
    await handler.connect_async()  # type: ignore[no-untyped-call]
    logger.info(
        "connected over Socket Mode: %d articles, %d passages", len(bot.index.articles), len(bot.index)
    )
    await stop.wait()
    logger.info("stopping: closing the connection, finishing answers")
    await handler.close_async()  # type: ignore[no-untyped-call]
    identity.cancel()
    if watcher is not None:
        watcher.cancel()
    await bot.drain()
