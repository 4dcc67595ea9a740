"""Connect the app to Slack: HTTP (uvicorn) or Socket Mode (a WebSocket Slack opens to us)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable

import uvicorn
from slack_bolt.adapter.socket_mode.async_handler import AsyncSocketModeHandler

from bot.config import Settings
from bot.slack.app import Citebot, create_app, fetch_identity, web_client
from bot.slack.http import create_web_app

logger = logging.getLogger(__name__)


def run_http(settings: Settings, load_bot: Callable[[], Citebot]) -> None:
    """Serve Slack's requests over HTTP on settings.host:settings.port until interrupted."""
    app = create_web_app(settings, load_bot)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", lifespan="on")


def run_socket_mode(settings: Settings, load_bot: Callable[[], Citebot]) -> None:
    """Connect to Slack over Socket Mode until interrupted."""
    asyncio.run(_socket_mode(settings, load_bot()))


async def _socket_mode(settings: Settings, bot: Citebot) -> None:
    assert settings.slack_app_token is not None, "Socket Mode needs SLACK_APP_TOKEN"
    client = web_client(settings)
    bot.identity = await fetch_identity(client)
    handler = AsyncSocketModeHandler(create_app(bot, client), settings.slack_app_token.get_secret_value())
    logger.info(
        "connecting over Socket Mode: %d articles, %d passages", len(bot.index.articles), len(bot.index)
    )
    await handler.start_async()  # type: ignore[no-untyped-call]
