"""Events: @-mentions (answered in the thread) and direct messages (answered in the DM)."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot.slack.inbound import decode
from bot.slack.listeners.handling import handle
from bot.slack.payloads import MessageEvent, read
from bot.slack.replies import post_answer
from bot.slack.service import Citebot

logger = logging.getLogger(__name__)

SUBSCRIPTIONS = ("app_mention", "message.im")  # the bot events in manifest.json


def register(app: AsyncApp) -> None:
    """Listen to app_mention and message.im: ack at once, answer in the background."""
    app.event("app_mention")(on_mention)
    app.event("message")(on_message)


async def on_mention(
    ack: AsyncAck, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """An @-mention in a channel: answered in the thread, under the mention or in the thread it was in."""
    await ack()
    bot: Citebot = context["citebot"]
    message = read(MessageEvent, event, "app_mention event")
    if message is not None and not _ignored(message, bot):
        bot.spawn(_answer(bot, client, message, "mention", thread_ts=message.thread_ts or message.ts))


async def on_message(
    ack: AsyncAck, event: dict[str, Any], client: AsyncWebClient, context: AsyncBoltContext
) -> None:
    """A direct message: answered in the DM (in its thread, if it was in one)."""
    await ack()
    if event.get("channel_type") != "im":
        return
    bot: Citebot = context["citebot"]
    message = read(MessageEvent, event, "message event")
    if message is not None and not _ignored(message, bot):
        bot.spawn(_answer(bot, client, message, "dm", thread_ts=message.thread_ts))


def _ignored(event: MessageEvent, bot: Citebot) -> bool:
    """Edits, deletions, joins and other subtypes, bots (ourselves included): not questions. A file
    shared with the bot (subtype file_share) is something to add."""
    subtype = event.subtype is not None and not (event.subtype == "file_share" and event.files)
    return bool(subtype or event.bot_id or not event.user or event.user == bot.identity.user_id)


async def _answer(
    bot: Citebot, client: AsyncWebClient, event: MessageEvent, surface: str, *, thread_ts: str | None
) -> None:
    # In a DM, a link alone (or `add <link>`) or shared files are added to the shelf.
    text = decode(event.text or "", drop_user=bot.identity.user_id)
    reply = await handle(bot, client, surface, text, user=event.user, files=event.files, adds=surface == "dm")
    await post_answer(client, event.channel, thread_ts, reply)
