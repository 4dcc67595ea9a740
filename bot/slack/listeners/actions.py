"""Interactivity: the "Share in channel" button, feedback on answers, the "Who said this?" shortcut."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import MAX_QUERY_CHARS
from bot.errors import StateUnavailable
from bot.render import FEEDBACK_ACTION, NEGATIVE, POSITIVE, SHARE_ACTION, notice
from bot.slack.inbound import decode
from bot.slack.listeners.handling import handle
from bot.slack.payloads import ActionClick, Button, MessageShortcut, read
from bot.slack.replies import post_privately, respond_safely
from bot.slack.service import Citebot

logger = logging.getLogger(__name__)

WHO_SAID_THIS = "who_said_this"  # the message shortcut's callback_id (manifest.json)


def register(app: AsyncApp) -> None:
    """Listen to the share button and the message shortcut: ack at once, post in the background."""
    app.action(SHARE_ACTION)(on_share)
    app.action(FEEDBACK_ACTION)(on_feedback)
    app.shortcut(WHO_SAID_THIS)(on_who_said_this)


async def on_share(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    """ "Share in channel": the question answered again and posted for everyone."""
    await ack()
    bot: Citebot = context["citebot"]
    click = read(ActionClick, body, "share click")
    button = read(Button, action, "share button")
    if click is not None and button is not None:
        bot.spawn(_share(bot, click, button.value or "", client, respond))


async def on_feedback(
    ack: AsyncAck,
    body: dict[str, Any],
    action: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    """A thumbs up or down on an answer: acked at once, recorded, thanked privately."""
    await ack()
    bot: Citebot = context["citebot"]
    click = read(ActionClick, body, "feedback click")
    button = read(Button, action, "feedback button")
    if click is None or button is None:
        return
    polarity, _, answer_id = (button.value or "").partition(":")
    if polarity not in (POSITIVE, NEGATIVE):
        logger.warning("ignored a feedback click whose value is neither positive nor negative")
        return
    if not answer_id:
        # Not one of our buttons' values: the message it was on still names the answer.
        where = click.container
        answer_id = f"{click.channel_id}:{where.message_ts if where else ''}"
    bot.spawn(_thank(bot, click, answer_id, polarity == POSITIVE, client, respond))


async def _thank(
    bot: Citebot,
    click: ActionClick,
    answer_id: str,
    positive: bool,
    client: AsyncWebClient,
    respond: AsyncRespond | None,
) -> None:
    surface = "dm" if (click.channel_id or "").startswith("D") else "channel"
    try:
        await asyncio.to_thread(bot.record_feedback, answer_id, click.user.id, positive, surface)
    except StateUnavailable as exc:
        logger.warning("could not record feedback: %s", exc)
    logger.info("feedback %s on answer %s", "positive" if positive else "negative", answer_id)
    thanks = "Thanks, glad it helped." if positive else "Thanks for telling me; the team will see it."
    if click.channel_id is not None:
        thread = click.container.thread_ts if click.container else None
        await post_privately(client, respond, click.channel_id, click.user.id, notice(thanks), thread)
    else:
        await respond_safely(respond, response_type="ephemeral", replace_original=False, text=thanks)


async def on_who_said_this(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    """The "Who said this?" message shortcut: the message's words looked up with /whosaid, privately."""
    await ack()
    bot: Citebot = context["citebot"]
    used = read(MessageShortcut, shortcut, "message shortcut")
    if used is not None:
        bot.spawn(_who_said_this(bot, used, client, respond))


async def _share(
    bot: Citebot, click: ActionClick, line: str, client: AsyncWebClient, respond: AsyncRespond | None
) -> None:
    # The button carries the question, not the answer: answer it again from the current index.
    reply = await handle(bot, client, "share", line, user=click.user.id, shared_by=click.user.id)
    posted = False
    if click.channel_id is not None:
        try:
            await client.chat_postMessage(
                channel=click.channel_id, text=reply.text, blocks=reply.blocks, unfurl_links=False
            )
            posted = True
        except SlackApiError as exc:
            if exc.response.get("error") not in {"not_in_channel", "channel_not_found"}:
                logger.warning("sharing an answer failed: %s", exc.response.get("error"))
                posted = True  # a failure the response URL would not fix
    if not posted:
        # The bot is not in that channel: the command's response_url can still post there.
        await respond_safely(
            respond, response_type="in_channel", replace_original=False, text=reply.text, blocks=reply.blocks
        )


async def _who_said_this(
    bot: Citebot, used: MessageShortcut, client: AsyncWebClient, respond: AsyncRespond | None
) -> None:
    text = _shortened(decode(used.message.text or ""))
    nothing = notice("That message has no text I can look up.")
    line = f"/whosaid {text}" if text else ""
    reply = await handle(bot, client, "shortcut", line, user=used.user.id, empty=nothing)
    await post_privately(client, respond, used.channel.id, used.user.id, reply)


def _shortened(text: str) -> str:
    """A long message is looked up by its first words, cut at a word boundary."""
    if len(text) <= MAX_QUERY_CHARS:
        return text
    return text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]
