"""What Citebot's processes, and its hosts, share: one small interface, two implementations.

```
SharedState            answered Slack events (kept a day), usage and feedback records, the extraction
                       cache, the shelf's article list with content hashes, the build lock,
                       versioned migrations
 ├── SqliteState       STATE_URL=sqlite:///path (the default: EVENTS_DB in STATE_DIR); one machine
 └── PostgresState     STATE_URL=postgresql://…; several hosts (psycopg 3 and its connection pool)
```

Schemas are plain SQL files in `sql/<backend>/NNNN_name.sql`, applied in order at start-up and by
`python -m bot state migrate`, and recorded in `schema_migrations`. Failures to reach the store raise
`StateUnavailable` with one line that says what failed; callers decide what an answer can do without it.
"""

from __future__ import annotations

import contextlib
import logging
import socket
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

from bot.config import Settings
from bot.corpus import ExtractionCache, FolderCache, article_entries, file_digest, read_bytes
from bot.errors import CitebotError, IndexUnusable
from bot.index import extraction_cache
from bot.index.store import building, read_manifest
from bot.shared.base import SharedState, StateUnavailable
from bot.shared.sqlite import SqliteState

__all__ = [
    "LayeredExtractions",
    "SharedExtractions",
    "SharedState",
    "SqliteState",
    "StateUnavailable",
    "build_lock",
    "describe",
    "extractions",
    "host_extractions",
    "list_shelf",
    "open_state",
    "record_shelf",
    "shelf_differences",
]


def open_state(url: str, *, keep_days: int = 90, migrate: bool = True, create: bool = True) -> SharedState:
    """The shared state at `url` (sqlite:///path or postgresql://…), migrated unless told not to; with
    `create` false, a SQLite file that does not exist is StateUnavailable (nothing is created)."""
    scheme = urlsplit(url).scheme
    if scheme == "sqlite":
        # As SQLAlchemy reads it: sqlite:///relative/path, sqlite:////absolute/path, sqlite:///:memory:
        if not url.startswith("sqlite:///") or url == "sqlite:///":
            raise StateUnavailable(f"STATE_URL {url!r}: a SQLite address is sqlite:///path/to/file")
        path = url.removeprefix("sqlite:///")
        return SqliteState(
            Path(path) if path != ":memory:" else path, keep_days=keep_days, migrate=migrate, create=create
        )
    if scheme in {"postgresql", "postgres"}:
        from bot.shared.postgres import PostgresState  # psycopg loads only for PostgreSQL

        return PostgresState(url, keep_days=keep_days, migrate=migrate)
    raise StateUnavailable(f"STATE_URL must start with sqlite:/// or postgresql://, not {scheme or url!r}")


def describe(url: str) -> str:
    """`url` without its password, for logs and messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return parts._replace(netloc=netloc).geturl()


logger = logging.getLogger(__name__)


class SharedExtractions:
    """The extraction cache (bot.corpus.ExtractionCache) in the shared state: a page one host
    extracted is not extracted again by another. A failure of the state is a miss, never an error."""

    def __init__(self, state: SharedState) -> None:
        self._state = state

    def get(self, key: str) -> str | None:
        try:
            return self._state.extraction(key)
        except StateUnavailable as exc:
            logger.debug("extraction cache unavailable: %s", exc)
            return None

    def put(self, key: str, record: str) -> None:
        try:
            self._state.keep_extraction(key, record)
        except StateUnavailable as exc:
            logger.debug("could not keep an extraction: %s", exc)


class LayeredExtractions:
    """This host's folder first, then the shared state; what only the state had is copied here."""

    def __init__(self, local: ExtractionCache | None, shared: ExtractionCache) -> None:
        self._local, self._shared = local, shared

    def get(self, key: str) -> str | None:
        if self._local is not None:
            record = self._local.get(key)
            if record is not None:
                return record
        record = self._shared.get(key)
        if record is not None and self._local is not None:
            self._local.put(key, record)
        return record

    def put(self, key: str, record: str) -> None:
        if self._local is not None:
            self._local.put(key, record)
        self._shared.put(key, record)


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


def shelf_differences(state: SharedState, corpus_dir: Path) -> list[str]:
    """How this host's articles' folder differs from the shelf the shared state lists, in lines."""
    listed = {row.name: row for row in state.articles()}
    here: dict[str, str] = {}
    try:
        for name, path in article_entries(corpus_dir):
            here[name] = file_digest(read_bytes(Path(path)))
    except (OSError, CitebotError) as exc:
        return [f"cannot read the articles' folder {corpus_dir}: {exc}"]
    if not listed and here:
        return [
            f"no articles are listed, and {len(here)} are in {corpus_dir}: start the server or run "
            "`python -m bot index` on one host with this STATE_URL"
        ]
    problems = [
        f"{name}: listed (from {row.host}) but not in {corpus_dir}"
        for name, row in listed.items()
        if name not in here
    ]
    problems += [f"{name}: in {corpus_dir} but not listed yet" for name in here if name not in listed]
    problems += [
        f"{name}: differs from the listed copy (from {listed[name].host})"
        for name, digest in here.items()
        if name in listed and listed[name].digest != digest
    ]
    return sorted(problems)
