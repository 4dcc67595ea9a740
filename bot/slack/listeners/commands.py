"""Slash commands: /whosaid, /ask and the domain file's topic commands. Answered privately, in the ack."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import Answer, link_to_add
from bot.render import apology, render
from bot.slack.inbound import decode
from bot.slack.listeners.adding import add_shared
from bot.slack.payloads import SlashCommand, read
from bot.slack.replies import respond_safely
from bot.slack.service import Citebot
from bot.usage import new_answer_id

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
    started = time.perf_counter()
    parsed = read(SlashCommand, command, "slash command")
    if parsed is None:
        await ack()
        return
    line = f"{parsed.command} {decode(parsed.text or '')}".strip()
    link = link_to_add(line) if parsed.command == "/ask" else None
    if link is not None:
        # Fetching may take longer than Slack's 3 seconds: say so now, answer through the response_url.
        await ack(response_type="ephemeral", text=f"Adding {link} …")
        bot.spawn(_add(bot, parsed.user_id, link, client, respond))
        return
    result: Answer | None = None
    answer_id = new_answer_id()
    try:
        result = await bot.answer_off_loop(line)
        reply = render(result, share=line, feedback=answer_id)
    except Exception:
        logger.exception("could not answer %s", parsed.command)
        reply = apology()
    await ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
    bot.log_request("command", result, started, line, answer_id)


async def _add(
    bot: Citebot, user_id: str | None, link: str, client: AsyncWebClient, respond: AsyncRespond | None
) -> None:
    """`/ask add <link>`: add it, and tell the user privately what happened."""
    reply = (await add_shared(bot, client, user_id, [link], [])).reply
    await respond_safely(
        respond, response_type="ephemeral", replace_original=True, text=reply.text, blocks=reply.blocks
    )
