"""Keep following the shelf's feeds while the server runs: every two seconds, poll the feeds that are
due (bot/following.py) in a thread of their own, so a slow feed or site never holds up answers or
the team's own adds. What a poll adds lands in the articles' folder, where the watcher picks it up.
With several workers or hosts, each feed is claimed by one poller before it is polled."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from bot.errors import StateUnavailable
from bot.following import PollReport

logger = logging.getLogger(__name__)

TICK_SECONDS = 2.0  # how often the feed list is looked at for a due feed (a cheap query)


async def keep_following(poll: Callable[[], list[PollReport]], tick: float = TICK_SECONDS) -> None:
    """Run `poll` every `tick` seconds until cancelled; a failure is logged and the next tick tries again."""
    pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citebot-feeds")
    loop = asyncio.get_running_loop()
    try:
        while True:
            try:
                for report in await loop.run_in_executor(pool, poll):
                    log = logger.warning if report.error else logger.info
                    log("feed %s", report.describe().splitlines()[0])
            except StateUnavailable as exc:  # the database is down: one line, and the next tick tries again
                logger.warning("could not poll the followed feeds: %s", exc)
            except Exception:
                logger.exception("polling the followed feeds failed; trying again in %.0f s", tick)
            await asyncio.sleep(tick)
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
