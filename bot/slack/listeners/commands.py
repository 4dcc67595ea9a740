"""Slash commands: /whosaid, /ask and the domain file's topic commands. Answered privately, in the ack."""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Sequence
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext

from bot.answers import Answer
from bot.render import apology, render
from bot.slack.inbound import decode
from bot.slack.payloads import SlashCommand, read
from bot.slack.service import Citebot

logger = logging.getLogger(__name__)


def register(app: AsyncApp, slash_commands: Sequence[str]) -> None:
    """Answer our slash commands; one renamed in the workspace, or unknown, gets help."""
    for name in slash_commands:
        app.command(name)(on_command)
    app.command(re.compile(r"^/"))(on_command)


async def on_command(ack: AsyncAck, command: dict[str, Any], context: AsyncBoltContext) -> None:
    """A slash command: the answer goes in the ack itself, so Slack shows it at once, within its 3
    seconds, with no further Web API call to fail."""
    bot: Citebot = context["citebot"]
    started = time.perf_counter()
    parsed = read(SlashCommand, command, "slash command")
    if parsed is None:
        await ack()
        return
    line = f"{parsed.command} {decode(parsed.text or '')}".strip()
    result: Answer | None = None
    try:
        result = await bot.answer_off_loop(line)
        reply = render(result, share=line)
    except Exception:
        logger.exception("could not answer %s", parsed.command)
        reply = apology()
    await ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)
    bot.log_request("command", result, started, line)
