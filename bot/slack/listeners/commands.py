"""Slash commands: /whosaid, /troops, /russia-position, /ask. Answered privately, in the ack."""

from __future__ import annotations

import logging
import re
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp

from bot.render import apology, render
from bot.slack.inbound import decode

if TYPE_CHECKING:
    from bot.slack.app import Citebot

logger = logging.getLogger(__name__)

COMMANDS = ("/whosaid", "/troops", "/russia-position", "/ask")


def register(app: AsyncApp, bot: Citebot) -> None:
    """Answer every slash command routed to this app; unknown ones get help."""

    async def on_command(ack: AsyncAck, command: dict[str, Any]) -> None:
        # The answer goes in the ack itself: Slack shows it at once, within its 3 seconds, with no
        # further Web API call to fail.
        line = f"{command.get('command', '')} {decode(command.get('text', ''))}".strip()
        try:
            reply = render(bot.answer(line), share=line)
        except Exception:
            logger.exception("could not answer %s", command.get("command"))
            reply = apology()
        await ack(response_type="ephemeral", text=reply.text, blocks=reply.blocks)

    app.command(re.compile(r"^/"))(on_command)
