"""Delivering a reply after the ack: privately to one user, or through the request's response_url.

Shared by every listener that answers in the background (the share button, the message shortcuts,
`/ask add`), so the fallbacks and their log lines are the same everywhere.
"""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt.async_app import AsyncRespond
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.web.async_client import AsyncWebClient

from bot.render import Reply

logger = logging.getLogger(__name__)

# What a Web API call can raise once slack_sdk's retry handlers have given up.
WEB_API_FAILURES = (SlackClientError, OSError, TimeoutError, ValueError)


async def respond_safely(respond: AsyncRespond | None, **message: Any) -> None:
    """Post through the request's response_url, if it came with one; a failure is logged, not raised."""
    if respond is None:
        logger.warning("could not post a reply: no channel and no response_url in the request")
        return
    try:
        await respond(**message)
    except Exception as exc:  # the response URL is Slack's: a failure there is logged, not raised
        logger.warning("posting to the response_url failed (%s)", type(exc).__name__)


async def post_privately(
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    channel: str,
    user: str,
    reply: Reply,
    thread_ts: str | None = None,
) -> None:
    """An ephemeral message to `user` in `channel` (in `thread_ts`, if given); where the bot cannot post
    (not a member, a DM it cannot reach), the request's response_url still reaches the user."""
    try:
        await client.chat_postEphemeral(
            channel=channel, user=user, text=reply.text, blocks=reply.blocks, thread_ts=thread_ts
        )
    except SlackApiError:
        await respond_safely(respond, response_type="ephemeral", text=reply.text, blocks=reply.blocks)


async def post_answer(client: AsyncWebClient, channel: str, thread_ts: str | None, reply: Reply) -> bool:
    """Post `reply` in `channel` (in the thread `thread_ts`, if given), links not unfurled; False, with
    one log line, if the Web API still refuses after slack_sdk's retries."""
    try:
        await client.chat_postMessage(
            channel=channel,
            thread_ts=thread_ts,
            text=reply.text,
            blocks=reply.blocks,
            unfurl_links=False,
            unfurl_media=False,
        )
        return True
    except WEB_API_FAILURES:
        logger.exception("chat.postMessage failed after retries")
        return False
