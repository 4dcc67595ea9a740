"""One request, from whichever surface: its text added (a link, shared files) or answered, as a Reply.

Every listener (slash commands, mentions, DMs, the side panel, the share button, the shortcuts) and
nothing else goes through `handle`: decode -> follow a feed if asked, add if it is a link or files,
else answer -> render,
with an apology when anything fails and one log line per request. Listeners only ack, parse the
payload, spawn, and post what `handle` returns where their surface wants it.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence

from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import Answer, feed_request, link_to_add
from bot.render import Reply, apology, render
from bot.slack.listeners.adding import add_shared, follow_from_slack
from bot.slack.payloads import SharedFile
from bot.slack.service import Citebot
from bot.usage import new_answer_id

logger = logging.getLogger(__name__)


async def handle(
    bot: Citebot,
    client: AsyncWebClient,
    surface: str,
    text: str,
    *,
    user: str | None = None,
    files: Sequence[SharedFile] = (),
    adds: bool = False,
    earlier: str | None = None,
    empty: Reply | None = None,
    share: str | None = None,
    shared_by: str | None = None,
) -> Reply:
    """The reply to `text` from `user` on `surface`.

    `adds`: on this surface a link alone (or `add <link>`) and shared files are added to the shelf.
    `earlier`: the conversation's previous question, for follow-ups. `empty`: the reply to no text
    (else it is answered as help). `share`, `shared_by`: the answer's share button, or who shared it."""
    started = time.perf_counter()
    answer_id = new_answer_id()
    result: Answer | None = None
    added: int | None = None
    link = link_to_add(text) if adds else None
    feed = feed_request(text)
    try:
        if feed is not None:
            reply = await follow_from_slack(bot, client, user, feed)
        elif link is not None or (adds and files):
            reply, added = await add_shared(bot, client, user, [link] if link else [], files)
        elif not text.strip() and empty is not None:
            reply = empty
        else:
            result = await bot.answer_off_loop(text.strip() or "help", earlier=earlier)
            reply = render(result, share=share, shared_by=shared_by, feedback=answer_id)
    except Exception:
        logger.exception("could not answer a request (%s)", surface)
        reply = apology()
    bot.log_request(surface, result, started, text, answer_id, added=added)
    return reply
