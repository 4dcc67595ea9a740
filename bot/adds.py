"""Adds in a server, off the answering path: a bounded queue of their own and a limit per person.

A link is fetched on the event loop (asynchronously: a slow site costs no thread), and only then is the
article read, checked against the shelf and written, in one worker thread of the adds' own. Answers and
event claims run in the default pool, so no number of adds, nor a site that drips its page, can hold
them up. Past the limits an add is refused at once with a reason, never queued without end.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from bot.corpus import ExtractionCache
from bot.errors import FetchRefused
from bot.fetch import fetch_async
from bot.shelf import Held, Outcome, add_data

MAX_WAITING = 16  # adds fetching, waiting or being written on this process at once
MAX_PER_PERSON = 3  # adds one person may have under way at once


class AddQueue:
    """Admits adds within the limits and runs their shelf work in a thread of its own."""

    def __init__(
        self,
        corpus_dir: Path,
        *,
        allow_private: bool = False,
        cache: Callable[[], ExtractionCache | None] = lambda: None,
        clutter: Sequence[str] = (),
        held: Callable[[], Held | None] = lambda: None,
        max_waiting: int = MAX_WAITING,
        max_per_person: int = MAX_PER_PERSON,
    ) -> None:
        self.corpus_dir = corpus_dir
        self.allow_private = allow_private
        self._cache = cache
        self.clutter = tuple(clutter)  # the domain file's clutter lines: the shelf read as the index reads it
        self._held = held  # what the shelf holds, from the index; None: the add reads the folder
        self._max_waiting = max_waiting
        self._max_per_person = max_per_person
        self._under_way: Counter[str] = Counter()  # person -> adds; touched only on the event loop
        self._pool: ThreadPoolExecutor | None = None

    @property
    def under_way(self) -> int:
        """Adds admitted and not finished."""
        return sum(self._under_way.values())

    async def run(self, person: str, source: str, work: Callable[[], Awaitable[Outcome]]) -> Outcome:
        """Run one add for `person` if the limits allow it; else a refusal that says why."""
        if self.under_way >= self._max_waiting:
            return Outcome(source, refused="Citebot is busy adding other articles; try again in a minute")
        if self._under_way[person] >= self._max_per_person:
            return Outcome(
                source,
                refused=f"you have {self._max_per_person} adds under way; wait for them to finish",
            )
        self._under_way[person] += 1
        try:
            return await work()
        finally:
            self._under_way[person] -= 1
            if self._under_way[person] <= 0:
                del self._under_way[person]

    async def link(self, person: str, url: str) -> Outcome:
        """Fetch the article at `url` (safely, within the fetch's deadline) and add it."""

        async def work() -> Outcome:
            try:
                fetched = await fetch_async(url, allow_private=self.allow_private)
            except FetchRefused as exc:
                return Outcome(url, refused=str(exc))
            return await self.to_shelf(fetched.data, fetched.name, url, fetched.url)

        return await self.run(person, url, work)

    async def to_shelf(self, data: bytes, name: str, source: str, url: str | None = None) -> Outcome:
        """Read, check and write one article in the adds' thread (one at a time: see shelf.add_data)."""
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="citebot-add")
        cache = self._cache()

        def work() -> Outcome:  # what the shelf holds is read here, in the adds' thread, not on the loop
            held = self._held()
            return add_data(
                data,
                name,
                self.corpus_dir,
                source=source,
                url=url,
                cache=cache,
                clutter=self.clutter,
                held=held,
            )

        return await asyncio.get_running_loop().run_in_executor(self._pool, work)

    def close(self) -> None:
        """Let the adds' thread end once its work is done."""
        if self._pool is not None:
            self._pool.shutdown(wait=False)
