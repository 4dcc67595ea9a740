"""The assistant side panel (Agents & AI Apps): a greeting with prompts from the shelf, then answers.

Bolt's `AsyncAssistant` routes the panel's events: `assistant_thread_started`,
`assistant_thread_context_changed`, and the user's messages in the thread (`message.im` with a
`thread_ts`). While an answer is looked up the thread shows a status; the answer is posted in the
thread and the thread is titled after its first question. The thread's earlier question is read back
from Slack (`conversations.replies`, scope im:history), not stored by Citebot, and a follow-up that
leans on it is answered with it (bot/answers/followup.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncAssistant, AsyncBoltContext
from slack_bolt.context.say.async_say import AsyncSay
from slack_bolt.context.set_status.async_set_status import AsyncSetStatus
from slack_bolt.context.set_suggested_prompts.async_set_suggested_prompts import AsyncSetSuggestedPrompts
from slack_bolt.context.set_title.async_set_title import AsyncSetTitle
from slack_sdk.web.async_client import AsyncWebClient

from bot.render import escape, notice
from bot.slack.inbound import decode
from bot.slack.listeners.handling import handle
from bot.slack.payloads import MessageEvent, read
from bot.slack.replies import WEB_API_FAILURES, post_answer
from bot.slack.service import Citebot

logger = logging.getLogger(__name__)

SUBSCRIPTIONS = ("assistant_thread_started", "assistant_thread_context_changed")
STATUS = "is reading the articles…"
MAX_TITLE_CHARS = 80
HISTORY_MESSAGES = 20  # how far back in the thread the earlier question is looked for


def register(app: AsyncApp) -> None:
    """Listen to the assistant panel's thread starts, context changes and messages."""
    assistant = AsyncAssistant()
    assistant.thread_started(on_thread_started)
    assistant.thread_context_changed(on_context_changed)
    assistant.user_message(on_user_message)
    app.assistant(assistant)


async def on_thread_started(
    payload: dict[str, Any],
    context: AsyncBoltContext,
    say: AsyncSay,
    set_suggested_prompts: AsyncSetSuggestedPrompts,
) -> None:
    """A new panel thread: a greeting naming the shelf, and prompts built from it."""
    bot: Citebot = context["citebot"]
    thread = payload.get("assistant_thread")
    if not isinstance(thread, dict) or not thread.get("channel_id") or not thread.get("thread_ts"):
        logger.warning("ignored an assistant_thread_started event without its thread")
        return
    bot.spawn(_greet(bot, say, set_suggested_prompts))


async def on_context_changed(payload: dict[str, Any]) -> None:
    """The user moved to another channel with the panel open. Answers come from the shelf, not the
    channel they are looking at, so there is nothing to keep."""


async def on_user_message(
    payload: dict[str, Any],
    client: AsyncWebClient,
    context: AsyncBoltContext,
    set_status: AsyncSetStatus,
    set_title: AsyncSetTitle,
) -> None:
    """A question in a panel thread: status while answering, the answer in the thread, a title."""
    bot: Citebot = context["citebot"]
    message = read(MessageEvent, payload, "assistant thread message")
    if message is None or message.thread_ts is None or not message.user:
        return
    if message.user == bot.identity.user_id:
        return
    bot.spawn(_answer_in_thread(bot, client, message, message.thread_ts, set_status, set_title))


async def _greet(bot: Citebot, say: AsyncSay, set_suggested_prompts: AsyncSetSuggestedPrompts) -> None:
    index = bot.index
    count = len(index.articles)
    greeting = (
        f"Hi! I answer from the team's {count} article{'s' if count != 1 else ''} with exact quotes, "
        "each with its source. Ask a question, or pick one below."
        if count
        else "Hi! The shelf has no articles yet. Share a link with me to add one, or type help."
    )
    try:
        await say(text=escape(greeting))
    except WEB_API_FAILURES as exc:
        logger.warning("could not greet in an assistant thread (%s)", type(exc).__name__)
    prompts = [{"title": p.title, "message": p.message} for p in await asyncio.to_thread(bot.prompts)]
    try:
        await set_suggested_prompts(prompts=prompts, title="Try one of these:")
    except WEB_API_FAILURES as exc:
        logger.warning("could not set suggested prompts (%s)", type(exc).__name__)


async def _answer_in_thread(
    bot: Citebot,
    client: AsyncWebClient,
    event: MessageEvent,
    thread_ts: str,
    set_status: AsyncSetStatus,
    set_title: AsyncSetTitle,
) -> None:
    text = decode(event.text or "", drop_user=bot.identity.user_id)
    await _call(set_status(STATUS))
    earlier = await _earlier_question(client, event, thread_ts, bot.identity.user_id)
    reply = await handle(
        bot,
        client,
        "assistant",
        text,
        user=event.user,
        files=event.files,
        adds=True,
        earlier=earlier,
        empty=notice("Ask me a question about the articles, or type help."),
    )
    # Posting in the thread also clears the status; if it failed, clear it ourselves. Not Bolt's `say`
    # here: to attach the thread's context as metadata, it reads the thread again (conversations.replies)
    # before every answer, and the answer needs none.
    if not await post_answer(client, event.channel, thread_ts, reply):
        await _call(set_status(""))
    if earlier is None and text:
        title = text if len(text) <= MAX_TITLE_CHARS else text[: MAX_TITLE_CHARS - 1] + "…"
        await _call(set_title(title))


async def _earlier_question(
    client: AsyncWebClient, event: MessageEvent, thread_ts: str, bot_user: str | None
) -> str | None:
    """The user's previous message in this thread, as Slack keeps it; None for the first question."""
    try:
        response = await client.conversations_replies(
            channel=event.channel, ts=thread_ts, limit=HISTORY_MESSAGES
        )
    except WEB_API_FAILURES as exc:
        logger.warning("could not read the assistant thread (%s); answering without it", type(exc).__name__)
        return None
    messages = response.get("messages")
    earlier = None
    for message in messages if isinstance(messages, list) else []:
        if not isinstance(message, dict) or message.get("ts") == event.ts or message.get("bot_id"):
            continue
        if message.get("user") in (None, bot_user) or not isinstance(message.get("text"), str):
            continue
        if event.ts is not None and _later(str(message.get("ts", "")), event.ts):
            continue
        earlier = decode(message["text"], drop_user=bot_user) or earlier
    return earlier


def _later(ts: str, than: str) -> bool:
    try:
        return float(ts) > float(than)
    except ValueError:
        return False


async def _call(request: Any) -> None:
    """A Web API call whose failure only costs a status or a title, never the answer."""
    try:
        await request
    except WEB_API_FAILURES as exc:
        logger.warning("an assistant thread call failed (%s)", type(exc).__name__)
