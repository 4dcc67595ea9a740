"""The words of a sentence as attribution reads them: tokens, word classes, and what a source is."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.attribution.lexicon import Lexicon, lexicon

SourceKind = Literal["name", "described", "group", "organisation", "outlet", "pronoun"]


_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:[-'’.&][^\W_]+)*|''|``|[^\w\s]")
DETERMINERS = frozenset(
    "the a an his her its their our one two three four five several some many most few other".split()
)
PREPOSITIONS = frozenset("in of at from for with on to by".split())
REFUSED = frozenset(
    "it this that these those they them we i you which there what who whom something someone".split()
)
QUOTE_MARKS = frozenset({'"', "“", "”", "''", "``"})
APPOSITION_START = frozenset(
    "a an the who whose which one his her its their now then also himself herself".split()
)
NOUN_MARKERS = frozenset("the a an his her its their our my your this that these those whose".split())
SUBORDINATORS = frozenset(
    "while although though whereas if when because after before since unless as".split()
)
SIGNATURE = re.compile(
    r"(?:^\s*[-—–]\s*(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}?)\.?\s*$)"
    r"|(?:[—–]\s*(?P<tweeter>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s*\(@\w+\))"
)
DASHES = frozenset({"—", "–", "-"})
AFFILIATION = re.compile(r"[A-Z][\w-]+\s+(?:of|from)\s+[A-Z]")  # "Republican of Minnesota"
FUNCTION = frozenset(
    "and or but nor that than as if so then also not no yes who whom whose which when where while after before"
    " over under about against between into through during without within like since until upon across behind"
    " beyond near toward towards around along amid among despite".split()
)
BE = frozenset("be been being is was are were".split())
DO = frozenset("do does did will shall".split())
MODALS = frozenset("may might could would should can must".split())
POST_MODIFIER = re.compile(
    r"\s+(?:familiar\s+with|close\s+to|briefed\s+on|knowledgeable\s+about)\s+(?:the\s+|this\s+)?[\w-]+(?:\s+[\w-]+)?$"
)
TIMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday night morning afternoon evening".split()
)
WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
MAX_NP_TOKENS = 12
MAX_APPOSITION_TOKENS = 45


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int

    @property
    def lower(self) -> str:
        return self.text.lower()

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()


@dataclass(frozen=True, slots=True)
class Source:
    """The words that name a speaker, as found in one sentence."""

    kind: SourceKind
    name: str  # the name ("Lindsey Graham"), or the description ("the mayor", "officials in Kyiv")
    role: str | None = None  # "Sen.", "a historian at the university"
    role_first: bool = True
    start: int = 0  # where the cue is, so that clauses can be told apart
    cue: str = ""


def tokens(text: str) -> list[Token]:
    """Words and punctuation of `text` with their offsets."""
    return [Token(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(text)]


def abbreviation(word: str, lex: Lexicon) -> bool:
    return word in lex.titles or (len(word) == 1 and word.isupper()) or word in lex.suffixes


def is_source_noun(word: str) -> bool:
    """A lower-case noun that can name who speaks: "official", "officials", "spokesman", "campaign"."""
    return source_noun(word, lexicon())


def source_noun(lower: str, lex: Lexicon) -> bool:
    return (
        lower in lex.person_nouns
        or lower in lex.group_nouns
        or (lower.endswith("s") and lower[:-1] in lex.person_nouns)
        or (lower.endswith("men") and lower[:-3] + "man" in lex.person_nouns)
    )
