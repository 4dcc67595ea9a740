"""What one host does with the shared state and its own index: its extraction cache, the build lock
across hosts, and the list of the shelf it indexed. The index and the shared state know nothing of
each other; this module joins them for the CLI and the server."""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from pathlib import Path

from bot.config import Settings
from bot.corpus import ExtractionCache, FolderCache
from bot.domain import Domain
from bot.errors import CitebotError, IndexUnusable, StateUnavailable
from bot.index import extraction_cache, shelf_held
from bot.index.store import building, read_manifest
from bot.shared import LayeredExtractions, SharedExtractions, SharedState, open_state
from bot.shelf import Held, Shelf

logger = logging.getLogger(__name__)


def extractions(settings: Settings, state: SharedState | None) -> ExtractionCache | None:
    """The extraction cache for this host: its index folder's, and with hosts sharing a database
    (and `state` open on it) the shared one behind it."""
    folder = extraction_cache(settings.index_folder)
    local = FolderCache(folder) if folder is not None else None
    if state is None or not settings.state_on_postgres:
        return local
    return LayeredExtractions(local, SharedExtractions(state))


@contextlib.contextmanager
def host_extractions(settings: Settings) -> Iterator[ExtractionCache | None]:
    """`extractions` for a command that opens the shared state for as long as it runs (and closes it);
    an unreachable database leaves the host's own cache."""
    if not settings.state_on_postgres:
        yield extractions(settings, None)
        return
    try:
        state = open_state(settings.state_location, keep_days=settings.history_days)
    except StateUnavailable as exc:
        logger.warning("%s; pages are extracted without the shared cache", exc)
        yield extractions(settings, None)
        return
    try:
        yield extractions(settings, state)
    finally:
        state.close()


@contextlib.contextmanager
def build_lock(settings: Settings) -> Iterator[None]:
    """The index folder's file lock (the processes of one machine) and, when hosts share a state
    database, its advisory lock too (every host): one index build at a time."""
    with contextlib.ExitStack() as stack:
        if settings.state_on_postgres:
            try:
                state = open_state(settings.state_location, keep_days=settings.history_days)
            except StateUnavailable as exc:
                raise CitebotError(f"cannot take the build lock: {exc}") from exc
            stack.callback(state.close)
            stack.enter_context(state.build_lock())
        stack.enter_context(building(settings.index_folder))
        yield


def list_shelf(settings: Settings) -> None:
    """With several hosts (STATE_URL on PostgreSQL), list the shelf just indexed in the shared state;
    a failure is a warning (the index is built; the list catches up at the next change)."""
    if not settings.state_on_postgres:
        return
    try:
        state = open_state(settings.state_location, keep_days=settings.history_days)
        try:
            record_shelf(state, settings.index_folder)
        finally:
            state.close()
    except StateUnavailable as exc:
        logger.warning("could not list the shelf in the shared state: %s", exc)


def record_shelf(state: SharedState, index_folder: Path) -> int:
    """List the shelf this host's saved index was built from (names, content hashes) in the shared
    state; how many articles. Nothing is listed while there is no saved index."""
    try:
        files = read_manifest(index_folder).files
    except IndexUnusable:
        return 0
    state.record_articles([(f.name, f.digest, f.size) for f in files], socket.gethostname())
    return len(files)


def held_on_shelf(settings: Settings, domain: Domain) -> Held | None:
    """What the shelf holds, from this host's index (what `add` checks against); None: read the folder."""
    return shelf_held(settings.index_folder, settings.corpus_dir, domain.knowledge())


def host_shelf(settings: Settings, domain: Domain, state: SharedState | None) -> Shelf:
    """The shelf as this host's adds see it: its extraction cache, the domain's clutter lines, and what
    its index holds (for the duplicate checks)."""
    return Shelf(
        settings.corpus_dir,
        cache=extractions(settings, state),
        clutter=domain.clutter,
        held=held_on_shelf(settings, domain),
    )
