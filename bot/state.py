"""Where Citebot keeps what it creates, and the checks that keep it from touching anything else.

Everything Citebot writes at run time (the saved index, its build lock and staging folders, the
record of answered Slack events) lives in one state folder outside the articles' folder: STATE_DIR,
else `.citebot/<corpus name>/` beside the corpus. The articles' folder is only ever read (`add`
copies articles into it because it is asked to), so it can be a read-only volume.
"""

from __future__ import annotations

from pathlib import Path

from bot.config import Settings
from bot.errors import CitebotError


def check_paths(settings: Settings) -> None:
    """Refuse settings under which Citebot could damage files it did not create (one-line CitebotError).
    The index folder is checked by the index itself (`bot.index.store.check_folder`)."""
    corpus = settings.corpus_dir.resolve()
    for name, path in (("STATE_DIR", settings.state_folder), ("EVENTS_DB", settings.events_file)):
        if _inside(path, corpus):
            raise CitebotError(
                f"{name} {path} is inside the articles' folder {settings.corpus_dir}; "
                "Citebot keeps its own files outside it"
            )
    if settings.state_folder.exists() and not settings.state_folder.is_dir():
        raise CitebotError(f"STATE_DIR {settings.state_folder} is a file, not a folder")
    if settings.events_file.is_dir():
        raise CitebotError(f"EVENTS_DB {settings.events_file} is a folder, not a file")


def _inside(path: Path, folder: Path) -> bool:
    resolved = path.resolve()
    return resolved == folder or folder in resolved.parents
