"""The Bolt app: our listeners, a forgiving authorize, and one answer per Slack event."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp
from slack_bolt.authorization import AuthorizeResult
from slack_bolt.response import BoltResponse
from slack_sdk.http_retry.builtin_async_handlers import (
    AsyncConnectionErrorRetryHandler,
    AsyncRateLimitErrorRetryHandler,
    AsyncServerErrorRetryHandler,
)
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import Answer, answer
from bot.config import Settings
from bot.index import SearchIndex
from bot.slack.dedupe import SeenEvents
from bot.slack.listeners import register_listeners

logger = logging.getLogger(__name__)


@dataclass(slots=True)
class BotIdentity:
    """Who the bot is in the workspace, from `auth.test`; unknown until it answers."""

    user_id: str | None = None
    bot_id: str | None = None
    team_id: str | None = None


class Citebot:
    """What the listeners share: settings, the current index, the bot's identity, the event log."""

    def __init__(self, settings: Settings, index: SearchIndex, seen: SeenEvents) -> None:
        self.settings = settings
        self.index = index  # replaced whole when the corpus changes; never mutated
        self.seen = seen
        self.identity = BotIdentity()

    def answer(self, text: str) -> Answer:
        """Answer a line of user text from the current index."""
        return answer(text, self.index, max_quotes=self.settings.max_quotes)


def web_client(settings: Settings) -> AsyncWebClient:
    """A Web API client for SLACK_API_URL that retries rate limits, server errors and dropped connections."""
    token = settings.slack_bot_token.get_secret_value() if settings.slack_bot_token else None
    return AsyncWebClient(
        token=token,
        base_url=settings.slack_api_url,
        retry_handlers=[
            AsyncRateLimitErrorRetryHandler(max_retry_count=3),
            AsyncServerErrorRetryHandler(max_retry_count=3),
            AsyncConnectionErrorRetryHandler(max_retry_count=3),
        ],
    )


async def fetch_identity(client: AsyncWebClient) -> BotIdentity:
    """Ask Slack who we are; an empty identity (and a warning) if it cannot say."""
    try:
        response = await client.auth_test()
    except Exception as exc:  # any failure here (API error, bad JSON, no route) only costs us the bot's ids
        logger.warning("auth.test failed (%s); continuing without the bot's user id", type(exc).__name__)
        return BotIdentity()
    return BotIdentity(
        user_id=response.get("user_id"), bot_id=response.get("bot_id"), team_id=response.get("team_id")
    )


async def learn_identity(
    bot: Citebot, client: AsyncWebClient, *, retry_after: tuple[float, ...] = (10, 60)
) -> None:
    """Fill in the bot's identity in the background, so that a slow Web API never delays start-up."""
    for delay in (0.0, *retry_after):
        await asyncio.sleep(delay)
        identity = await fetch_identity(client)
        if identity.user_id is not None:
            bot.identity = identity
            return


def create_app(bot: Citebot, client: AsyncWebClient) -> AsyncApp:
    """The Bolt app with every listener registered."""

    async def authorize(enterprise_id: str | None, team_id: str | None) -> AuthorizeResult:
        # Identity comes from auth.test at start-up, never from a call in the request path, so that a
        # slow or rate-limited Web API cannot delay an ack past Slack's 3 seconds.
        return AuthorizeResult(
            enterprise_id=enterprise_id,
            team_id=team_id or bot.identity.team_id,
            bot_token=client.token,
            bot_user_id=bot.identity.user_id,
            bot_id=bot.identity.bot_id,
        )

    app = AsyncApp(
        client=client,
        authorize=authorize,
        # The HTTP edge verifies signatures before it parses anything (bot/slack/http.py); Socket Mode
        # needs no signature.
        request_verification_enabled=False,
        # Listeners run before the response: slash commands answer in their ack at once (without it
        # Bolt polls for the ack every 10 ms); events and actions ack first and work in lazy listeners.
        process_before_response=True,
    )
    app.middleware(_once_per_event(bot))
    app.error(_log_error)
    register_listeners(app, bot)
    return app


def _once_per_event(bot: Citebot) -> Callable[..., Awaitable[BoltResponse | None]]:
    async def once_per_event(
        body: dict[str, Any], next: Callable[[], Awaitable[None]]
    ) -> BoltResponse | None:
        # Slack retries a delivery it thinks failed (X-Slack-Retry-Num); the event_id stays the same.
        event_id = body.get("event_id")
        if (
            body.get("type") == "event_callback"
            and isinstance(event_id, str)
            and not bot.seen.first_time(event_id)
        ):
            logger.info("event %s already handled; ignoring the retry", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return None

    return once_per_event


async def _log_error(error: Exception) -> None:
    logger.error("unhandled error in a listener", exc_info=error)
