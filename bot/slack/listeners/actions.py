"""Interactivity: the "Share in channel" button, and the "Who said this?" message shortcut."""

from __future__ import annotations

import logging
import time
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import MAX_QUERY_CHARS, Answer
from bot.render import SHARE_ACTION, notice, render
from bot.slack.inbound import decode

if TYPE_CHECKING:
    from bot.slack.app import Citebot

logger = logging.getLogger(__name__)

WHO_SAID_THIS = "who_said_this"  # the message shortcut's callback_id (manifest.json)


def register(app: AsyncApp, bot: Citebot) -> None:
    """Listen to the share button and the message shortcut: ack at once, post in the background."""

    async def on_share(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        bot.spawn(_share(bot, body, str(action.get("value", "")), client, respond))

    async def on_who_said_this(
        ack: AsyncAck, shortcut: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        bot.spawn(_who_said_this(bot, shortcut, client, respond))

    app.action(SHARE_ACTION)(on_share)
    app.shortcut(WHO_SAID_THIS)(on_who_said_this)


async def _share(
    bot: Citebot, body: dict[str, Any], line: str, client: AsyncWebClient, respond: AsyncRespond
) -> None:
    started = time.perf_counter()
    user = body.get("user", {}).get("id")
    channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")
    # The button carries the question, not the answer: answer it again from the current index.
    result = bot.answer(line)
    reply = render(result, shared_by=user)
    try:
        await client.chat_postMessage(
            channel=channel, text=reply.text, blocks=reply.blocks, unfurl_links=False
        )
    except SlackApiError as exc:
        if exc.response.get("error") in {"not_in_channel", "channel_not_found"}:
            # The bot is not in that channel: the command's response_url can still post there.
            await respond(
                response_type="in_channel", replace_original=False, text=reply.text, blocks=reply.blocks
            )
        else:
            logger.exception("sharing an answer failed")
    bot.log_request("share", result, started, line)


async def _who_said_this(
    bot: Citebot, shortcut: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
) -> None:
    started = time.perf_counter()
    text = _shortened(decode(shortcut.get("message", {}).get("text", "")))
    result: Answer | None = bot.answer(f"/whosaid {text}") if text else None
    reply = render(result) if result else notice("That message has no text I can look up.")
    channel = shortcut.get("channel", {}).get("id")
    user = shortcut.get("user", {}).get("id")
    try:
        await client.chat_postEphemeral(channel=channel, user=user, text=reply.text, blocks=reply.blocks)
    except SlackApiError:
        # Not in that channel (or a DM we cannot post in): the shortcut's response_url still reaches the user.
        await respond(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
    bot.log_request("shortcut", result, started, text)


def _shortened(text: str) -> str:
    """A long message is looked up by its first words, cut at a word boundary."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    return text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
