"""Slash commands: /whosaid, /ask and the domain file's topic commands. Answered privately, in the ack."""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import link_to_add
from bot.slack.inbound import decode
from bot.slack.listeners.handling import handle
from bot.slack.payloads import SlashCommand, read
from bot.slack.replies import respond_safely
from bot.slack.service import Citebot

logger = logging.getLogger(__name__)


def register(app: AsyncApp, slash_commands: Sequence[str]) -> None:
    """Answer our slash commands; one renamed in the workspace, or unknown, gets help."""
    for name in slash_commands:
        app.command(name)(on_command)
    app.command(re.compile(r"^/"))(on_command)


async def on_command(
    ack: AsyncAck,
    command: dict[str, Any],
    context: AsyncBoltContext,
    client: AsyncWebClient,
    respond: AsyncRespond | None = None,
) -> None:
    """A slash command: the answer goes in the ack itself, so Slack shows it at once, within its 3
    seconds, with no further Web API call to fail."""
    bot: Citebot = context["citebot"]
    parsed = read(SlashCommand, command, "slash command")
    if parsed is None:
        await ack()
        return
    line = f"{parsed.command} {decode(parsed.text or '')}".strip()
    link = link_to_add(line) if parsed.command == "/ask" else None
    if link is not None:
        # Fetching may take longer than Slack's 3 seconds: say so now, answer through the response_url.
        await ack(response_type="ephemeral", text=f"Adding {link} …")
        bot.spawn(_add(bot, client, parsed.user_id, line, respond))
        return
    reply = await handle(bot, client, "command", line, user=parsed.user_id, share=line)
    await ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)


async def _add(
    bot: Citebot, client: AsyncWebClient, user_id: str | None, line: str, respond: AsyncRespond | None
) -> None:
    """`/ask add <link>`: add it, and tell the user privately what happened."""
    reply = await handle(bot, client, "command", line, user=user_id, adds=True)
    await respond_safely(
        respond, response_type="ephemeral", replace_original=True, text=reply.text, blocks=reply.blocks
    )
