"""The App Home tab: what is on the shelf, how to ask, how to add; published again when the shelf changes."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers.overview import shelf_overview
from bot.errors import StateUnavailable
from bot.following import feed_line
from bot.index import SearchIndex
from bot.render import render_home
from bot.slack.service import Citebot

logger = logging.getLogger(__name__)

SUBSCRIPTIONS = ("app_home_opened",)
REFRESH_DAYS = 7  # whose Home tab is published again when the shelf changes: those who opened it lately
MAX_VIEWERS = 500  # … at most this many (the most recent), so a change never floods views.publish
MOST_ASKED_DAYS = 7


def register(app: AsyncApp) -> None:
    """Publish the Home tab when it is opened."""
    app.event("app_home_opened")(on_home_opened)


def refresh_on_change(bot: Citebot, client: AsyncWebClient) -> None:
    """When the shelf changes, publish the Home tab again for those who opened it lately."""
    bot.on_new_index(lambda index: _refresh(bot, client, index))


async def on_home_opened(
    ack: AsyncAck, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """The user opened the app: publish the Home tab (the Messages tab needs nothing)."""
    await ack()
    bot: Citebot = context["citebot"]
    user = event.get("user")
    if event.get("tab", "home") != "home" or not isinstance(user, str) or not user:
        return
    bot.home_viewers[user] = time.time()
    bot.spawn(publish_home(bot, client, user, bot.index))


async def publish_home(bot: Citebot, client: AsyncWebClient, user: str, index: SearchIndex) -> None:
    """views.publish of the Home tab for one user."""
    view = await asyncio.to_thread(home_view, bot, index)  # reads the shared state: off the event loop
    try:
        await client.views_publish(user_id=user, view=view)
    except (SlackApiError, OSError, TimeoutError) as exc:
        logger.warning("could not publish the Home tab (%s)", type(exc).__name__)


def home_view(bot: Citebot, index: SearchIndex) -> dict[str, Any]:
    """The Home tab as a view, with the week's most asked questions when their text is kept."""
    most_asked = None
    if bot.settings.log_queries:
        try:
            most_asked = [(a.question, a.count) for a in bot.state.most_asked(MOST_ASKED_DAYS)]
        except StateUnavailable as exc:  # the tab still shows the shelf
            logger.warning("could not read the most asked questions: %s", exc)
    try:
        feeds = [feed_line(row) for row in bot.state.feeds()]
    except StateUnavailable as exc:
        logger.warning("could not read the followed feeds: %s", exc)
        feeds = []
    return render_home(shelf_overview(index, bot.domain), most_asked, feeds)


def _refresh(bot: Citebot, client: AsyncWebClient, index: SearchIndex) -> None:
    cutoff = time.time() - REFRESH_DAYS * 86_400
    recent = sorted((at, user) for user, at in bot.home_viewers.items() if at >= cutoff)[-MAX_VIEWERS:]
    bot.home_viewers = {user: at for at, user in recent}
    for _, user in recent:
        bot.spawn(publish_home(bot, client, user, index))
