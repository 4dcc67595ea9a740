"""Growing the shelf from Slack: the "Add to Citebot" shortcut, a link or file sent in a DM, `/ask add`,
and `/ask follow <feed>` (bot/following.py polls it).

Links are fetched safely (bot/fetch.py); files shared in Slack are downloaded from `url_private` with
the bot token (files:read), only from Slack itself. Who may add is ADDERS (users, or a user group);
everyone else gets a polite refusal naming who can. Each add answers privately with what was
extracted, or why it was refused; the watcher then brings the new article into the index.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import re
from collections.abc import Sequence
from typing import Any, NamedTuple
from urllib.parse import urlsplit

import httpx
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncBoltContext, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.answers import FeedRequest
from bot.config import SLACK_ID
from bot.errors import CitebotError, StateUnavailable
from bot.fetch import DEADLINE_SECONDS, MAX_BYTES, TIMEOUT_SECONDS
from bot.following import DEFAULT_EVERY, describe_every, feed_address, parse_every
from bot.render import Reply, escape, notice, render_added
from bot.shelf import Outcome
from bot.slack.inbound import decode
from bot.slack.payloads import MessageShortcut, SharedFile, read
from bot.slack.replies import post_privately
from bot.slack.service import Citebot

logger = logging.getLogger(__name__)

ADD_ARTICLE = "add_article"  # the message shortcut's callback_id (manifest.json)
MAX_ADDS = 5  # links and files added from one message
_LINK = re.compile(r"https?://[^\s<>|]+")


class Added(NamedTuple):
    """What an add request did: the reply for the user, and how many articles it added."""

    reply: Reply
    articles: int


def register(app: AsyncApp) -> None:
    """Listen to the "Add to Citebot" message shortcut."""
    app.shortcut(ADD_ARTICLE)(on_add_article)


async def on_add_article(
    ack: AsyncAck,
    shortcut: dict[str, Any],
    client: AsyncWebClient,
    respond: AsyncRespond | None,
    context: AsyncBoltContext,
) -> None:
    """ "Add to Citebot" on a message: its links and files are added; the answer comes privately."""
    await ack()
    bot: Citebot = context["citebot"]
    used = read(MessageShortcut, shortcut, "add shortcut")
    if used is not None:
        bot.spawn(_add_from_shortcut(bot, used, client, respond))


async def _add_from_shortcut(
    bot: Citebot, used: MessageShortcut, client: AsyncWebClient, respond: AsyncRespond | None
) -> None:
    text = decode(used.message.text or "")
    added = await add_shared(bot, client, used.user.id, _LINK.findall(text), used.message.files)
    await post_privately(client, respond, used.channel.id, used.user.id, added.reply)


async def add_shared(
    bot: Citebot,
    client: AsyncWebClient,
    user_id: str | None,
    links: Sequence[str],
    files: Sequence[SharedFile],
) -> Added:
    """Add these links and files for this user, if they may add; what happened, as a reply."""
    if not await bot.may_add(user_id, client):
        return Added(_not_allowed(bot), 0)
    if not links and not files:
        return Added(notice("That message has no link or file to add."), 0)
    person = user_id or "unknown"
    outcomes: list[Outcome] = []
    for link in list(dict.fromkeys(links))[:MAX_ADDS]:
        outcomes.append(await bot.adds.link(person, link))
    for shared in files[: MAX_ADDS - len(outcomes)]:
        name = shared.name or f"{shared.id}.txt"
        outcomes.append(await bot.adds.run(person, name, functools.partial(_add_file, bot, client, shared)))
    for outcome in outcomes:
        logger.info("add %s: %s", "added" if outcome.doc_id else "refused", outcome.doc_id or outcome.refused)
    return Added(render_added(outcomes), sum(1 for o in outcomes if o.doc_id is not None))


async def follow_from_slack(
    bot: Citebot, client: AsyncWebClient, user_id: str | None, asked: FeedRequest
) -> Reply:
    """`follow <url> [every 2h]` or `unfollow <url>` for this user, if they may add (ADDERS)."""
    if not await bot.may_add(user_id, client):
        return _not_allowed(bot)
    try:
        return await _follow(bot, user_id, asked)
    except StateUnavailable as exc:
        logger.warning("could not change the followed feeds: %s", exc)
        return notice("I cannot reach the list of followed feeds right now; please try again in a minute.")


async def _follow(bot: Citebot, user_id: str | None, asked: FeedRequest) -> Reply:
    try:
        url = feed_address(asked.url)
        if asked.action == "unfollow":
            stopped = await asyncio.to_thread(bot.state.unfollow_feed, url)
            return notice(
                f"Stopped following {url}; the articles taken from it stay on the shelf."
                if stopped
                else f"I was not following {url}."
            )
        every = parse_every(asked.every) if asked.every else DEFAULT_EVERY
    except CitebotError as exc:
        return notice(f"{exc}. Try `/ask follow https://example.org/feed.xml every 1h`.")
    who = f"<@{user_id}>" if user_id else "someone in Slack"
    new = await asyncio.to_thread(bot.state.follow_feed, url, who, every)
    logger.info("feed %s: %s by %s", "followed" if new else "interval set", url, user_id)
    return notice(
        f"{'Following' if new else 'Already following'} {url}, checked every {describe_every(every)}: "
        "its new articles are added as they appear (the first check is now). The Home tab lists the feeds."
    )


async def _add_file(bot: Citebot, client: AsyncWebClient, shared: SharedFile) -> Outcome:
    name = shared.name or f"{shared.id}.txt"
    url = shared.url_private
    if not url or not _from_slack(url, bot.settings.slack_api_url):
        return Outcome(name, refused="the file has no download address in Slack")
    if shared.size is not None and shared.size > MAX_BYTES:
        return Outcome(name, refused=f"too large ({shared.size:,} bytes; the limit is {MAX_BYTES:,})")
    try:
        async with (
            asyncio.timeout(DEADLINE_SECONDS),
            httpx.AsyncClient(timeout=TIMEOUT_SECONDS, follow_redirects=True, trust_env=False) as http,
            http.stream("GET", url, headers={"Authorization": f"Bearer {client.token}"}) as response,
        ):
            if response.status_code != 200:
                return Outcome(
                    name, refused=f"could not download it from Slack (HTTP {response.status_code})"
                )
            if response.headers.get("content-type", "").startswith("text/html") and not name.lower().endswith(
                (".html", ".htm")
            ):
                return Outcome(name, refused="Slack sent a page instead of the file (is files:read granted?)")
            data = bytearray()
            async for chunk in response.aiter_bytes():
                data += chunk
                if len(data) > MAX_BYTES:
                    return Outcome(name, refused=f"too large (more than {MAX_BYTES:,} bytes)")
    except TimeoutError:
        return Outcome(name, refused=f"Slack took longer than {DEADLINE_SECONDS:.0f} s to send the file")
    except httpx.HTTPError as exc:
        return Outcome(name, refused=f"could not download it from Slack ({type(exc).__name__})")
    return await bot.adds.to_shelf(bytes(data), name, name)


def _from_slack(url: str, api_url: str) -> bool:
    """Files are downloaded with the bot token only from Slack (or the Web API stand-in it is set to)."""
    host = urlsplit(url).hostname or ""
    return urlsplit(url).scheme in {"https", "http"} and (
        host == "slack.com" or host.endswith(".slack.com") or host == urlsplit(api_url).hostname
    )


def _not_allowed(bot: Citebot) -> Reply:
    who = []
    for member in sorted(i for i in bot.settings.adder_ids if SLACK_ID.fullmatch(i)):
        who.append(f"<!subteam^{member}>" if member.startswith("S") else f"<@{member}>")
    names = ", ".join(who) or "the people the bot's owner named"
    text = f"Only {names} can add articles to the shelf. Ask one of them to add it."
    block = {"type": "section", "text": {"type": "mrkdwn", "text": text}}
    return Reply(text=escape("Only the people in ADDERS can add articles to the shelf."), blocks=[block])
