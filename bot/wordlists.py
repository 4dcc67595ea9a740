"""General word lists of the languages Citebot reads, as data (`wordlists.toml`): stop words, spelling,
abbreviations and sentence starters, the furniture lines of web pages, and the verbs of a who-said question. Not about any shelf: a
shelf's own knowledge is its domain file."""

from __future__ import annotations

import re
import tomllib
from functools import cache
from importlib import resources

from pydantic import BaseModel, ConfigDict

WORDS_FILE = "wordlists.toml"


class Words(BaseModel):
    """The lists, as sets of lower-case words (and the page furniture as one pattern)."""

    model_config = ConfigDict(frozen=True)

    stop_words: frozenset[str]
    ise_keep: frozenset[str]
    abbreviations: frozenset[str]
    sentence_starters: frozenset[str]
    junk_lines: tuple[str, ...]
    who_said_verbs: tuple[str, ...]
    what_did_verbs: tuple[str, ...]

    @property
    def junk(self) -> re.Pattern[str]:
        return _junk_pattern(self.junk_lines)


@cache
def wordlists() -> Words:
    """The shipped word lists, read once per process."""
    data = tomllib.loads(resources.files("bot").joinpath(WORDS_FILE).read_text(encoding="utf-8"))
    stop, sentences = data["stop_words"], data["sentences"]
    return Words(
        stop_words=frozenset(" ".join(stop.values()).split()),
        ise_keep=frozenset(data["spelling"]["ise_keep"].split()),
        abbreviations=frozenset(sentences["abbreviations"].split()),
        sentence_starters=frozenset(sentences["starters"].split()),
        junk_lines=tuple(data["pages"]["junk_lines"]),
        who_said_verbs=tuple(data["questions"]["who_said"].split()),
        what_did_verbs=tuple(data["questions"]["what_did"].split()),
    )


@cache
def _junk_pattern(lines: tuple[str, ...]) -> re.Pattern[str]:
    return re.compile("^(?:" + "|".join(f"(?:{line})" for line in lines) + ")$", re.IGNORECASE)
