"""Progress while indexing: a bar on a terminal, a plain line every few seconds elsewhere (logs, CI)."""

from __future__ import annotations

import logging
import sys
import time
from typing import Any

from tqdm import tqdm

from bot.index.builder import Progress

logger = logging.getLogger("bot.progress")

EVERY_SECONDS = 5.0  # between progress lines when not on a terminal


def indexing_progress() -> Progress:
    """A callback for the index builder: (articles done, articles in all)."""
    if sys.stderr.isatty():
        bars: list[tqdm[Any]] = []  # made on the first call, so that loading a saved index shows nothing

        def show(done: int, total: int) -> None:
            if not bars:
                bars.append(tqdm(total=total, unit="article", desc="Indexing", leave=False))
            bars[0].update(done - bars[0].n)
            if done == total:
                bars[0].close()

        return show
    last = time.monotonic()

    def report(done: int, total: int) -> None:
        nonlocal last
        if time.monotonic() - last >= EVERY_SECONDS or (done == total and total >= 1000):
            last = time.monotonic()
            logger.info(
                "indexed %s of %s articles (%d%%)", f"{done:,}", f"{total:,}", 100 * done // max(total, 1)
            )

    return report
