"""What a shelf is about, as data: its topic commands, aliases and known people (validated at start-up)."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

BUILT_IN_COMMANDS = frozenset({"whosaid", "ask", "help"})
_COMMAND_NAME = re.compile(r"^[a-z][a-z0-9_-]{0,30}$")  # Slack: lower case, at most 32 with the slash


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Cues(_Strict):
    """Words of a question, each a word or phrase; a trailing `*` matches any ending ("deploy*")."""

    words: tuple[str, ...] = Field(min_length=1)

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        alternatives = sorted(
            (re.escape(w.rstrip("*")).replace(r"\ ", r"\s+") + (r"\w*" if w.endswith("*") else r"\b"))
            for w in self.words
        )
        return re.compile(r"(?<!\w)(?:" + "|".join(alternatives) + ")", re.IGNORECASE)

    def found_in(self, text: str) -> bool:
        return self.pattern.search(text) is not None


class Route(_Strict):
    """Free text goes to a topic command when it holds a cue from every group of one of its routes."""

    all: tuple[Cues, ...] = Field(min_length=1)

    @field_validator("all", mode="before")
    @classmethod
    def _groups(cls, value: object) -> object:
        # In the file a group is a plain list of words.
        if isinstance(value, list) and all(isinstance(group, list) for group in value):
            return [{"words": group} for group in value]
        return value

    def matches(self, text: str) -> bool:
        return all(group.found_in(text) for group in self.all)


class Facet(_Strict):
    """One aspect of a topic: general words that describe it, and the question words that ask for it."""

    name: str = Field(pattern=r"^[a-z][a-z0-9-]*$")
    label: str = Field(min_length=1, max_length=40)
    description: str = Field(min_length=3, description="General words, searched like a question.")
    asked_by: Cues
    answer: Literal["number", "names"] | None = Field(
        default=None, description="What an answer holds: a number (how many), or names (which ones)."
    )

    @field_validator("asked_by", mode="before")
    @classmethod
    def _cues(cls, value: object) -> object:
        return {"words": value} if isinstance(value, list) else value


class Topic(_Strict):
    """A topic command: `/name [question]`, answered from passages about the topic, facet by facet."""

    command: str
    title: str = Field(min_length=1, max_length=60, description="The heading of its answers.")
    description: str = Field(min_length=1, max_length=100, description="One line for help and the manifest.")
    example: str = Field(min_length=1, description="A question to show in help.")
    usage_hint: str = Field(min_length=1, max_length=100)
    other_names: tuple[str, ...] = Field(default=(), description="Other names typed for the command.")
    context: str = Field(min_length=3, description="Words that place a passage in the topic.")
    question_words: str = Field(default="", description="How questions on it are phrased; not content.")
    side: tuple[str, ...] = Field(
        default=(),
        description="For a position command: whose statements answer it (names, places, institutions).",
    )
    facets: tuple[Facet, ...] = Field(min_length=1, alias="facet")
    routes: tuple[Route, ...] = Field(
        default=(), alias="route", description="When free text plainly asks for it."
    )

    @field_validator("command", "other_names")
    @classmethod
    def _name(cls, value: str | tuple[str, ...]) -> str | tuple[str, ...]:
        for name in (value,) if isinstance(value, str) else value:
            if not _COMMAND_NAME.match(name):
                raise ValueError(f"{name!r} is not a command name (lower-case letters, digits, - or _)")
            if name in BUILT_IN_COMMANDS:
                raise ValueError(f"{name!r} is a built-in command")
        return value

    @field_validator("facets")
    @classmethod
    def _distinct_facets(cls, value: tuple[Facet, ...]) -> tuple[Facet, ...]:
        names = [f.name for f in value]
        if len(names) != len(set(names)):
            raise ValueError("two facets have the same name")
        return value

    def routes_to(self, text: str) -> bool:
        return any(route.matches(text) for route in self.routes)

    def spoken_by_side(self, text: str) -> bool:
        return bool(self.side) and Cues(words=self.side).found_in(text)


@dataclass(frozen=True)
class Knowledge:
    """What an index is built with besides the articles: the shelf's aliases and people's epithets."""

    aliases: dict[str, tuple[str, ...]] = field(default_factory=dict)
    epithets: dict[str, str] = field(default_factory=dict)
    clutter: tuple[str, ...] = ()

    @property
    def fingerprint(self) -> str:
        """Changes when anything that changes the index changes."""
        data = json.dumps([self.aliases, self.epithets, self.clutter], sort_keys=True, ensure_ascii=False)
        return hashlib.blake2b(data.encode(), digest_size=8).hexdigest()


class KnownPerson(_Strict):
    """Someone this shelf refers to by description ("the Kremlin leader") as well as by name."""

    name: str = Field(min_length=3)
    epithets: tuple[str, ...] = ()


class App(_Strict):
    """How the app presents itself in Slack (manifest) and in help."""

    name: str = Field(default="Citebot", min_length=1, max_length=35)
    description: str = Field(min_length=1, max_length=139)
    long_description: str = Field(min_length=175, max_length=4000)
    background_color: str = Field(default="#1d3557", pattern=r"^#[0-9a-fA-F]{6}$")
    ask_example: str = Field(min_length=1, description="A question to show for /ask.")
    whosaid_examples: tuple[str, ...] = Field(min_length=1, description="Phrases or names for /whosaid.")


class Domain(_Strict):
    """Everything specific to one shelf. The engine reads it; nothing about a shelf lives in code."""

    app: App
    topics: tuple[Topic, ...] = Field(default=(), alias="topic")
    aliases: dict[str, tuple[str, ...]] = Field(
        default_factory=dict, description="One term and the other words or phrases that name the same thing."
    )
    people: tuple[KnownPerson, ...] = Field(default=(), alias="person")
    clutter: tuple[str, ...] = Field(
        default=(),
        description="Whole lines to leave out of every article (an outlet's own furniture); `*` ends a prefix.",
    )

    @model_validator(mode="after")
    def _distinct_commands(self) -> Domain:
        names = [n for t in self.topics for n in (t.command, *t.other_names)]
        doubled = sorted({n for n in names if names.count(n) > 1})
        if doubled:
            raise ValueError(f"command names used twice: {', '.join(doubled)}")
        return self

    def topic(self, command: str) -> Topic | None:
        return next((t for t in self.topics if t.command == command), None)

    def slash_commands(self) -> tuple[str, ...]:
        """The slash commands the app registers and the manifest declares, in help's order."""
        return ("whosaid", *(t.command for t in self.topics), "ask")

    def command_names(self) -> dict[str, str]:
        """Every name a command may be typed as, to the command it means."""
        names = {name: name for name in BUILT_IN_COMMANDS}
        names |= {"who-said": "whosaid", "who_said": "whosaid"}
        for topic in self.topics:
            names[topic.command] = topic.command
            names[topic.command.replace("-", "_")] = topic.command
            names |= dict.fromkeys(topic.other_names, topic.command)
        return names

    def epithets(self) -> dict[str, str]:
        """Descriptions that mean one person on this shelf, to that person's name."""
        return {epithet: person.name for person in self.people for epithet in person.epithets}

    def knowledge(self) -> Knowledge:
        """What the index of this shelf is built with: its aliases and epithets."""
        return Knowledge(dict(self.aliases), self.epithets(), tuple(self.clutter))
