"""Whether this host's articles' folder matches the shelf the shared state lists (`state check`)."""

from __future__ import annotations

from pathlib import Path

from bot.corpus import article_entries, file_digest, read_bytes
from bot.errors import CitebotError
from bot.shared.base import SharedState


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
