"""Interactivity: the "Share in channel" button, and the "Who said this?" message shortcut."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import MAX_QUERY_CHARS
from bot.render import SHARE_ACTION, notice, render
from bot.slack.inbound import decode

if TYPE_CHECKING:
    from bot.slack.app import Citebot

logger = logging.getLogger(__name__)

WHO_SAID_THIS = "who_said_this"  # the message shortcut's callback_id (manifest.json)


def register(app: AsyncApp, bot: Citebot) -> None:
    """Listen to the share button and the message shortcut."""

    async def on_share(
        ack: AsyncAck,
        body: dict[str, Any],
        action: dict[str, Any],
        client: AsyncWebClient,
        respond: AsyncRespond,
    ) -> None:
        await ack()
        user = body.get("user", {}).get("id")
        channel = body.get("channel", {}).get("id") or body.get("container", {}).get("channel_id")
        # The button carries the question, not the answer: answer it again from the current index.
        reply = render(bot.answer(str(action.get("value", ""))), shared_by=user)
        try:
            await client.chat_postMessage(
                channel=channel, text=reply.text, blocks=reply.blocks, unfurl_links=False
            )
        except SlackApiError as exc:
            if exc.response.get("error") not in {"not_in_channel", "channel_not_found"}:
                logger.exception("sharing an answer failed")
                return
            # The bot is not in that channel: the command's response_url can still post there.
            await respond(
                response_type="in_channel", replace_original=False, text=reply.text, blocks=reply.blocks
            )

    async def on_who_said_this(
        shortcut: dict[str, Any], client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        text = _shortened(decode(shortcut.get("message", {}).get("text", "")))
        reply = (
            render(bot.answer(f"/whosaid {text}"))
            if text
            else notice("That message has no text I can look up.")
        )
        channel = shortcut.get("channel", {}).get("id")
        user = shortcut.get("user", {}).get("id")
        try:
            await client.chat_postEphemeral(channel=channel, user=user, text=reply.text, blocks=reply.blocks)
        except SlackApiError:
            # Not in that channel (or a DM we cannot post in): the shortcut's response_url still reaches the user.
            await respond(response_type="ephemeral", text=reply.text, blocks=reply.blocks)

    # Ack at once; post in the background.
    app.action(SHARE_ACTION)(ack=_ack, lazy=[on_share])
    app.shortcut(WHO_SAID_THIS)(ack=_ack, lazy=[on_who_said_this])


async def _ack(ack: AsyncAck) -> None:
    await ack()


def _shortened(text: str) -> str:
    """A long message is looked up by its first words, cut at a word boundary."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    return text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
