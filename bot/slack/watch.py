"""Keep a running bot's index current: watch the corpus folder, rebuild elsewhere, swap when ready.

The server's job, not the index's: the corpus stage says what changed (`corpus.file_changes`), a child
process, `python -m bot index --if-stale`, writes the new segment (so the server keeps answering at
full speed), and the server maps it back and swaps it in with one assignment. Until then every
request is answered from the old index, and no request ever sees a half-built one.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

from watchfiles import Change, awatch

from bot.config import Settings
from bot.corpus import ARTICLE_SUFFIXES, corpus_stat
from bot.domain import Knowledge
from bot.index import SearchIndex, current_index, open_index

logger = logging.getLogger(__name__)

DEBOUNCE_MS = 400  # changes this close together are one change (a file being written, a folder copied)
QUIET_CHECK_MS = 30_000  # after this long without events, compare the files' sizes and times anyway
POLL_MS = 1_000  # several hosts: how often the shared folder is looked at


async def keep_current(
    settings: Settings,
    knowledge: Knowledge,
    current: Callable[[], SearchIndex],
    swap: Callable[[SearchIndex], None],
) -> None:
    """Watch the corpus folder until cancelled; after each change, swap in an index of the new corpus.

    A change made before the watcher started (between loading the index and watching) is caught by a
    check when it starts and by a look at the files' sizes and times whenever the folder is quiet.
    """
    corpus_dir = settings.corpus_dir.resolve()
    index_dir = settings.index_folder.resolve()
    build = _Build(corpus_dir, index_dir, settings.domain_path.resolve(), knowledge)
    signature = await asyncio.to_thread(corpus_stat, corpus_dir)
    if signature != current().corpus_stat:  # changed between opening the index and now
        await _update(build, current, swap)
    while True:
        folder = await _folder_back(corpus_dir)
        async for changes in _watch(corpus_dir, settings.state_on_postgres):
            if _folder(corpus_dir) != folder:
                # Removed, or replaced by a new folder of that name: the watch on the old one sees
                # nothing of the new one. Wait for it, then watch it anew.
                logger.info("the corpus folder %s was removed or replaced; watching it anew", corpus_dir)
                break
            if not changes:
                latest = await asyncio.to_thread(corpus_stat, corpus_dir)
                if latest == signature:
                    continue
                signature = latest
            logger.info("corpus changed (%d files); updating the index", len(changes))
            await _update(build, current, swap)
        else:
            return
        await _folder_back(corpus_dir)
        signature = await asyncio.to_thread(corpus_stat, corpus_dir)
        await _update(build, current, swap)


def _watch(corpus_dir: Path, polling: bool) -> AsyncIterator[set[tuple[Change, str]]]:
    """Batches of changes to the folder's article files; an empty batch after a quiet while."""
    return awatch(
        corpus_dir,
        watch_filter=_article_files(corpus_dir),
        debounce=DEBOUNCE_MS,
        rust_timeout=QUIET_CHECK_MS,
        yield_on_timeout=True,
        # Hosts sharing a state database share the articles' folder too, on a network file system,
        # where one host is not notified of another's writes: look at the folder every second.
        force_polling=polling,
        poll_delay_ms=POLL_MS,
    )


def _folder(path: Path) -> tuple[int, int] | None:
    """Which folder is at `path` (device and inode), or None if there is none."""
    try:
        stat = os.stat(path)
    except OSError:
        return None
    return (stat.st_dev, stat.st_ino)


async def _folder_back(path: Path) -> tuple[int, int]:
    """The folder at `path`, once there is one (looked for every POLL_MS)."""
    while (folder := _folder(path)) is None:
        await asyncio.sleep(POLL_MS / 1000)
    return folder


@dataclass(frozen=True, slots=True)
class _Build:
    """What a rebuild needs: the corpus, where the index is saved, and the shelf's domain file."""

    corpus_dir: Path
    index_dir: Path
    domain_file: Path
    knowledge: Knowledge


async def _update(
    build: _Build, current: Callable[[], SearchIndex], swap: Callable[[SearchIndex], None]
) -> None:
    try:
        index = await _current_index(build, current())
    except Exception:
        logger.exception("could not update the index; still answering from the previous one")
        return
    if index is not None:
        swap(index)
        logger.info("index updated: %d articles, %d passages", len(index.articles), index.live_passages)
    if current().merge_due():
        await _merge(build, current, swap)


async def _merge(
    build: _Build, current: Callable[[], SearchIndex], swap: Callable[[SearchIndex], None]
) -> None:
    """Merge small segments in a child process (answers go on from the old ones), then swap."""
    try:
        await _run_elsewhere(build, "--merge")
        old = current()
        index = await asyncio.to_thread(
            lambda: open_index(build.corpus_dir, build.index_dir, knowledge=build.knowledge, previous=old)
        )
    except Exception:
        logger.exception("could not merge the index's segments; still answering from them as they are")
        return
    if index.fingerprint != old.fingerprint:
        swap(index)
        logger.info("index segments merged: %d now", len(index.segments))


async def _current_index(build: _Build, old: SearchIndex) -> SearchIndex | None:
    """An index of the corpus as it is now, or None if its content has not changed after all."""
    # Often the index is current already (`add` wrote its segment): map the new segment, nothing else.
    index = await asyncio.to_thread(
        lambda: current_index(build.corpus_dir, build.index_dir, build.knowledge, previous=old)
    )
    if index is None:
        # The builder process reads and hashes what changed, and writes a segment; this process then
        # maps it (or, if it could not be saved, builds the index here).
        await _build_elsewhere(build)
        index = await asyncio.to_thread(
            lambda: open_index(build.corpus_dir, build.index_dir, knowledge=build.knowledge, previous=old)
        )
    return None if index.fingerprint == old.fingerprint else index


async def _build_elsewhere(build: _Build) -> None:
    """`python -m bot index --if-stale` in a child process, which saves the index it builds."""
    await _run_elsewhere(build, "--if-stale")


async def _run_elsewhere(build: _Build, flag: str) -> None:
    """`python -m bot index <flag>` in a child process, on this server's corpus and index."""
    command = [sys.executable, "-m", "bot", "index", flag, "--corpus", str(build.corpus_dir)]
    env = {**os.environ, "INDEX_DIR": str(build.index_dir), "DOMAIN_FILE": str(build.domain_file)}
    child = await asyncio.create_subprocess_exec(
        *command, env=env, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE
    )
    try:
        _, err = await child.communicate()
    except asyncio.CancelledError:
        child.kill()
        await child.wait()
        raise
    if child.returncode != 0:
        logger.warning(
            "the index builder failed (%s); building here instead", err.decode(errors="replace").strip()
        )


def _article_files(corpus_dir: Path) -> Callable[[Change, str], bool]:
    """Changes to article files count; the index, the events file and other hidden files do not."""

    def relevant(_: Change, path: str) -> bool:
        relative = Path(path).relative_to(corpus_dir) if path.startswith(str(corpus_dir)) else Path(path)
        hidden = any(part.startswith(".") for part in relative.parts)
        return not hidden and relative.suffix.lower() in ARTICLE_SUFFIXES

    return relevant
