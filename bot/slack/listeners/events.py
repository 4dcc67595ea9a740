"""Events: @-mentions (answered in the thread) and direct messages (answered in the DM)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render import Reply, apology, render
from bot.slack.inbound import decode

if TYPE_CHECKING:
    from bot.slack.app import Citebot

logger = logging.getLogger(__name__)


def register(app: AsyncApp, bot: Citebot) -> None:
    """Listen to app_mention and message.im."""

    async def on_mention(event: dict[str, Any], client: AsyncWebClient) -> None:
        if _ignored(event, bot):
            return
        # In a channel, answer in the thread: under the mention, or in the thread it was made in.
        await _answer(bot, client, event, thread_ts=event.get("thread_ts") or event.get("ts"))

    async def on_message(event: dict[str, Any], client: AsyncWebClient) -> None:
        if event.get("channel_type") != "im" or _ignored(event, bot):
            return
        await _answer(bot, client, event, thread_ts=event.get("thread_ts"))

    # Ack at once (Slack retries what is not acked within 3 seconds); answer in the background.
    app.event("app_mention")(ack=_ack, lazy=[on_mention])
    app.event("message")(ack=_ack, lazy=[on_message])


async def _ack(ack: AsyncAck) -> None:
    await ack()


def _ignored(event: dict[str, Any], bot: Citebot) -> bool:
    """Edits, deletions, joins and other subtypes, bots (ourselves included): not questions."""
    user = event.get("user")
    return bool(event.get("subtype") or event.get("bot_id") or not user or user == bot.identity.user_id)


async def _answer(
    bot: Citebot, client: AsyncWebClient, event: dict[str, Any], *, thread_ts: str | None
) -> None:
    text = decode(event.get("text", ""), drop_user=bot.identity.user_id)
    reply: Reply
    try:
        reply = render(bot.answer(text or "help"))
    except Exception:
        logger.exception("could not answer an event")
        reply = apology()
    try:
        await client.chat_postMessage(
            channel=event["channel"],
            thread_ts=thread_ts,
            text=reply.text,
            blocks=reply.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
    except (SlackApiError, OSError, TimeoutError):
        logger.exception("chat.postMessage failed after retries")
