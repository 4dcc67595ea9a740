"""What attribution produces: speakers, statements, and the people of a corpus."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal

from bot.text import fold

# person: named; described: a person by role ("the commander"); group: several people ("officials in
# Kyiv"); organisation: a body ("the White House", "the IMF"); outlet: a news outlet; author, article:
# the article's own voice.
SpeakerKind = Literal["person", "described", "group", "organisation", "outlet", "author", "article"]
StatementKind = Literal["quoted", "reported", "voice"]


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a statement is attributed to, with their role where the text states one."""

    name: str
    kind: SpeakerKind
    role: str | None = None
    role_first: bool = True
    key: str | None = None  # a person's key in People, where the speaker is a known person

    @property
    def label(self) -> str:
        """The speaker as the text gives them: "Attorney General Roy Cooper", "Ana Ruiz, a …"."""
        if self.kind == "author":
            return f"{self.name} (author{', ' + self.role if self.role else ''})"
        if not self.role:
            return self.name
        return f"{self.role} {self.name}" if self.role_first else f"{self.name}, {self.role}"


@dataclass(frozen=True, slots=True)
class Statement:
    """Words attributed to a speaker: `said` is what they said, `span` what to quote (both offsets)."""

    speaker: Speaker
    kind: StatementKind
    span: tuple[int, int]
    said: tuple[int, int]


@dataclass(slots=True)
class Person:
    """A person the corpus names, under one canonical name."""

    name: str
    key: str
    roles: Counter[str] = field(default_factory=Counter)


def speaker_key(speaker: Speaker) -> str:
    """One key per speaker across articles: a person by their People key, others by label."""
    if speaker.kind in ("person", "author"):
        return "p:" + (speaker.key or fold(speaker.name))
    return "l:" + fold(speaker.name).removeprefix("the ")


def speaks_for_passage(statement: Statement) -> bool:
    """An attributed statement of a whole sentence or clause, not a phrase quoted inside one."""
    return statement.kind != "voice" and statement.said == statement.span
