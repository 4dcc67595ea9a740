"""Slash commands: /whosaid, /ask and the domain file's topic commands. Answered privately, in the ack."""

from __future__ import annotations

import logging
import re
import time
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.answers import Answer
from bot.render import apology, render
from bot.slack.inbound import decode
from bot.slack.payloads import SlashCommand, read

if TYPE_CHECKING:
    from bot.slack.app import Citebot

logger = logging.getLogger(__name__)


def register(app: AsyncApp, bot: Citebot) -> None:
    """Answer our slash commands; one renamed in the workspace, or unknown, gets help."""

    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        # The answer goes in the ack itself: Slack shows it at once, within its 3 seconds, with no
        # further Web API call to fail.
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

    for name in ("whosaid", *(t.command for t in bot.domain.topics), "ask"):  # as in the manifest
        app.command(f"/{name}")(on_command)
    app.command(re.compile(r"^/"))(on_command)
