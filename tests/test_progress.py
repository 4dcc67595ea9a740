"""Progress off a terminal: a line every few seconds even while one huge article is read and indexed."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.corpus import load_corpus
from bot.index import SearchIndex
from bot.progress import indexing_progress

SENTENCE = "The harbour pilots said on Monday that the night rota would change after the strike. "


def test_lines_keep_coming_while_one_big_article_is_indexed(
    write_corpus: Callable[[dict[str, str | bytes]], Path], caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_corpus({"big.txt": "Harbour report\n\n" + "\n\n".join([SENTENCE * 8] * 400)})
    calls: list[tuple[int, int]] = []
    caplog.set_level(logging.INFO, logger="bot.progress")
    with indexing_progress("reading articles", every=0.05) as progress:
        corpus = load_corpus(folder)

        def counted(done: int, total: int) -> None:
            calls.append((done, total))
            progress(done, total)

        SearchIndex.build(corpus, counted)
    lines = [r.getMessage() for r in caplog.records if r.name == "bot.progress"]
    assert calls == [(1, 1)]  # the builder reports once, at the end of its only article
    assert sum("reading articles" in line or "of 1 articles" in line for line in lines) >= 3, lines
    assert lines[-1].startswith("indexed 1 of 1 articles (100%")


def test_a_quick_small_job_prints_nothing(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="bot.progress")
    with indexing_progress(every=0.5) as progress:
        progress(1, 3)
        progress(3, 3)
    time.sleep(0.6)  # a ticker left running would write now
    assert not [r for r in caplog.records if r.name == "bot.progress"]
