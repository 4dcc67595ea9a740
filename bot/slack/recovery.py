"""Answering, after a restart, the events that were acknowledged but never answered.

Slack does not send an acknowledged event again, so each event is recorded with its body before the
ack (bot/slack/app.py) and marked answered when its answer was posted. At start-up, events whose owner
is gone (a process of this host that no longer runs, or any owner silent for FOREIGN_AFTER) are taken
over, one process winning each, and answered through the app as if they had just arrived.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import socket
import time

from slack_bolt.async_app import AsyncApp
from slack_bolt.request.async_request import AsyncBoltRequest

from bot.errors import StateUnavailable
from bot.slack.app import REPLAYING
from bot.slack.service import Citebot

logger = logging.getLogger(__name__)

ANSWER_WITHIN = 3600.0  # an event older than this is not answered late: the question has gone cold
FOREIGN_AFTER = 600.0  # an owner on another host (whose processes cannot be seen) counts as gone then


async def answer_unanswered(bot: Citebot, app: AsyncApp) -> int:
    """Answer the events acknowledged and never answered whose owner is gone; how many were taken."""
    try:
        waiting = await asyncio.to_thread(bot.state.unanswered_events, time.time() - ANSWER_WITHIN)
    except StateUnavailable as exc:
        logger.warning("%s; events left unanswered by a stopped process are not answered now", exc)
        return 0
    taken = 0
    for event in waiting:
        if not owner_gone(event.owner, event.at, bot.owner):
            continue
        try:
            if not await asyncio.to_thread(bot.state.take_unanswered, event.event_id, event.owner, bot.owner):
                continue  # another process restarting now took it
            body = json.loads(event.body)
        except (StateUnavailable, ValueError) as exc:
            logger.warning("could not take over event %s (%s)", event.event_id, exc)
            continue
        taken += 1
        logger.info("answering event %s, acknowledged by a process that stopped first", event.event_id)
        request = AsyncBoltRequest(body=body, mode="socket_mode", context={REPLAYING: event.event_id})
        try:
            await app.async_dispatch(request)
        except Exception:  # one bad record must not stop the others
            logger.exception("could not answer event %s again", event.event_id)
    return taken


def owner_gone(owner: str, at: float, me: str, *, now: float | None = None) -> bool:
    """Whether the process named `owner` (host:pid:token) no longer runs, as far as this one can tell."""
    if owner == me:
        return False
    if (time.time() if now is None else now) - at > FOREIGN_AFTER:
        return True
    host, _, rest = owner.partition(":")
    pid_text, _, _ = rest.partition(":")
    if host != socket.gethostname() or not pid_text.isdigit():
        return False
    pid = int(pid_text)
    if pid == os.getpid():  # an earlier process that had this pid
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:  # alive, another user's
        return False
    return _zombie(pid)


def _zombie(pid: int) -> bool:
    """A process that has exited but was not yet reaped by its parent: gone, for our purpose."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as stat:
            return stat.read().rpartition(")")[2].split()[0] == "Z"
    except (OSError, IndexError):
        return False
