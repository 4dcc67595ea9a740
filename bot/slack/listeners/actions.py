"""Interactive actions: the "Share in channel" button on a private answer."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render import SHARE_ACTION, render

if TYPE_CHECKING:
    from bot.slack.app import Citebot

logger = logging.getLogger(__name__)


def register(app: AsyncApp, bot: Citebot) -> None:
    """Listen to the share button."""

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

    app.action(SHARE_ACTION)(on_share)
