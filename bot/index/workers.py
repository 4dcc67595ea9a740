"""Reading and attributing articles on every core: a process pool over batches of articles.

Splitting sentences, analysing words and finding who said what is pure Python, one article at a
time, so threads would take turns on one core; processes do not. Each batch goes to a worker whole
(its articles, and for attribution the corpus's people) and comes back as arrays. A small corpus is
done in this process: starting workers would cost more than it saves. The results are the same either
way, so the index is too (`tests/test_reading_cache.py`).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any

from bot.attribution import People
from bot.corpus import Article
from bot.domain import Knowledge
from bot.index.reading import Attributed, Reading, ReadingCache, attributed, read
from bot.text import Analyzer

MIN_PARALLEL_CHARS = 2_000_000  # less article text than this (about 15,000 sentences) is done here
ORPHAN_CHECK_SECONDS = 0.5  # how often a worker checks that the build that started it is alive
# Article text per batch: large enough to outweigh sending it, small enough to share the work out.
BATCH_CHARS = 400_000

Progress = Callable[[int, int], None]  # (articles done, articles in all): the builder's callback

logger = logging.getLogger(__name__)


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class Workers:
    """Read and attribute articles of `articles` (by position), in worker processes when it pays."""

    def __init__(self, articles: Sequence[Article], knowledge: Knowledge, workers: int | None = None) -> None:
        self.articles = articles
        self.aliases = knowledge.aliases
        self.workers = cores() if workers is None else max(1, workers)
        self._pool: Executor | None = None
        self._broken = False  # a worker died: the rest is done in this process

    def __enter__(self) -> Workers:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)

    def read(self, numbers: Sequence[int], progress: Progress | None = None) -> dict[int, Reading]:
        """The reading of each article in `numbers`."""
        found: dict[int, Reading] = {}
        for batch, readings in self._run(numbers, _read_batch, ()):
            found.update(zip(batch, readings, strict=True))
            if progress is not None:
                progress(len(found), len(numbers))
        return found

    def attribute(
        self,
        numbers: Sequence[int],
        readings: Mapping[int, Reading],
        people: People,
        cache: ReadingCache | None = None,
    ) -> dict[int, Attributed]:
        """The statements of each article in `numbers`, given its reading and the corpus's people; each
        article's reading and statements are stored in `cache` where they are worked out."""
        found: dict[int, Attributed] = {}
        for batch, said in self._run(numbers, _attribute_batch, (people, cache), readings):
            found.update(zip(batch, said, strict=True))
        return found

    def _run(
        self,
        numbers: Sequence[int],
        work: Callable[..., list[Any]],
        extra: tuple[Any, ...],
        readings: Mapping[int, Reading] | None = None,
    ) -> Iterator[tuple[list[int], list[Any]]]:
        def items(batch: list[int]) -> list[Any]:
            if readings is None:
                return [self.articles[n] for n in batch]
            return [(self.articles[n], readings[n]) for n in batch]

        batches = list(self._batches(numbers))
        size = sum(len(self.articles[n].text) for n in numbers)
        left = batches
        if self.workers > 1 and size >= MIN_PARALLEL_CHARS and len(batches) > 1 and not self._broken:
            pool = self._started()
            futures = {pool.submit(_in_worker, work, items(batch), *extra): batch for batch in batches}
            done: set[int] = set()
            try:
                for future in as_completed(futures):
                    batch = futures[future]
                    yield batch, future.result()
                    done.add(id(batch))
            except BrokenProcessPool as exc:
                # A worker was killed (out of memory, say): what it held is done here instead.
                logger.warning("a worker process stopped (%s); going on in this process", exc)
                self._broken = True
            left = [batch for batch in batches if id(batch) not in done]
        analyzer = Analyzer(self.aliases)
        for batch in left:
            yield batch, work(analyzer, items(batch), *extra)

    def _batches(self, numbers: Sequence[int]) -> Iterator[list[int]]:
        batch: list[int] = []
        size = 0
        for number in numbers:
            batch.append(number)
            size += len(self.articles[number].text)
            if size >= BATCH_CHARS:
                yield batch
                batch, size = [], 0
        if batch:
            yield batch

    def _started(self) -> Executor:
        if self._pool is None:
            # "spawn": a fresh interpreter per worker, safe whatever threads this process runs.
            self._pool = ProcessPoolExecutor(
                max_workers=self.workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(self.aliases, os.getpid()),
            )
        return self._pool


# -- in the worker processes ---------------------------------------------------------------------

_worker_analyzer: list[Analyzer] = []  # set once per worker process by _start_worker


def _start_worker(aliases: dict[str, tuple[str, ...]], parent: int) -> None:
    # Ctrl-C reaches the whole process group: the parent stops the build and says so; a worker that
    # raised KeyboardInterrupt too would print a traceback for each batch it held.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    # A parent killed outright (kill -9) cannot stop its workers: they notice and leave on their own.
    # (The parent's pid comes from the parent: it may have died before this worker got this far.)
    threading.Thread(target=_leave_when_orphaned, args=(parent,), daemon=True).start()
    _worker_analyzer.append(Analyzer(aliases))


def _leave_when_orphaned(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(ORPHAN_CHECK_SECONDS)
    os._exit(1)


def _in_worker(work: Callable[..., list[Any]], items: list[Any], *extra: Any) -> list[Any]:
    return work(_worker_analyzer[0], items, *extra)


def _read_batch(analyzer: Analyzer, articles: list[Article]) -> list[Reading]:
    return [read(article, analyzer) for article in articles]


def _attribute_batch(
    analyzer: Analyzer, items: list[tuple[Article, Reading]], people: People, cache: ReadingCache | None
) -> list[Attributed]:
    del analyzer  # attribution reads names, not index terms
    found = []
    for article, reading in items:
        said = attributed(article, reading, people)
        if cache is not None:
            cache.store(article, reading, said)
        found.append(said)
    return found
