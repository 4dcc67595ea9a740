"""Opening the shared state at its address (sqlite:///… or postgresql://…), and the address for logs."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit

from bot.errors import StateUnavailable
from bot.shared.base import SharedState
from bot.shared.sqlite import SqliteState


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
