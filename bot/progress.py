"""Progress while indexing: a bar on a terminal, a plain line every few seconds elsewhere (logs, CI)."""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from tqdm import tqdm

from bot.index.workers import Progress

logger = logging.getLogger("bot.progress")

EVERY_SECONDS = 5.0  # between progress lines when not on a terminal
LONG_RUN = 1000  # articles: a build this big ends with a line of counts even if it was quick


@contextmanager
def indexing_progress(
    first: str = "opening the index", every: float = EVERY_SECONDS, *, unit: str = "articles"
) -> Iterator[Progress]:
    """A callback for the index builder, (articles done, articles in all), live while the block runs.

    Off a terminal a thread writes a line every `every` seconds whatever the work is doing, so that
    reading one huge article, or saving, is not silence; loading a saved index takes less and shows
    nothing. `first` names the work before the first article is indexed. On a terminal it is a bar.
    """
    if sys.stderr.isatty():
        yield _bar(unit)
        return
    state = _Counts(unit)
    stop = threading.Event()
    ticker = threading.Thread(target=_tick, args=(state, stop, first, every), name="progress", daemon=True)
    ticker.start()
    try:
        yield state.update
    finally:
        stop.set()
        ticker.join()


class _Counts:
    def __init__(self, unit: str) -> None:
        self.unit = unit
        self.verb = "embedded" if unit == "passages" else "indexed"
        self.done = 0
        self.total: int | None = None
        self.started = time.monotonic()

    def update(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def _tick(state: _Counts, stop: threading.Event, first: str, every: float) -> None:
    lines = 0
    while not stop.wait(every):
        lines += 1
        seconds = time.monotonic() - state.started
        if state.total is None:
            logger.info("%s (%.0f s)", first, seconds)
        elif state.done < state.total:
            _counts(state, seconds)
        elif state.unit == "articles":
            logger.info("indexed %s articles; saving the index (%.0f s)", f"{state.total:,}", seconds)
    if state.total is not None and (lines or state.total >= LONG_RUN):
        _counts(state, time.monotonic() - state.started)


def _counts(state: _Counts, seconds: float) -> None:
    total = state.total or 0
    logger.info(
        "%s %s of %s %s (%d%%, %.0f s)",
        state.verb,
        f"{state.done:,}",
        f"{total:,}",
        state.unit,
        100 * state.done // max(total, 1),
        seconds,
    )


def _bar(unit: str) -> Progress:
    bars: list[tqdm[Any]] = []  # made on the first call, so that loading a saved index shows nothing

    def show(done: int, total: int) -> None:
        if not bars:
            desc = "Embedding" if unit == "passages" else "Indexing"
            bars.append(tqdm(total=total, unit=unit.rstrip("s"), desc=desc, leave=False))
        bars[0].update(done - bars[0].n)
        if done == total:
            bars[0].close()

    return show
