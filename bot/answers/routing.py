"""Which command a line of user text asks for, and with what argument."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

from bot.answers.models import Command
from bot.attribution.grammar import is_source_noun
from bot.domain import Domain
from bot.wordlists import wordlists

MAX_QUERY_CHARS = 1000

_URL = re.compile(r"\b(?:https?://|www\.)\S+", re.I)
_SLASH = re.compile(r"^/(?P<name>[\w-]+)(?:\s+(?P<arg>.*))?$", re.S)


@cache
def _who_said() -> re.Pattern[str]:
    """ "who said …", "which minister warned that …": the verbs are wordlists.toml's."""
    verbs = "|".join(wordlists().who_said_verbs)
    return re.compile(
        r"^(?:and\s+)?(?:who|which\s+(?P<noun>\w+))\s+(?:(?:has|had|have|once)\s+)?"
        rf"(?:{verbs}|called\s+for|is\s+quoted\s+(?:as\s+)?saying|was\s+quoted\s+(?:as\s+)?saying)"
        r"\b[\s:,]*(?:that\s+|this\s*:?\s*)?(?P<arg>.*)$",
        re.IGNORECASE | re.S,
    )


@cache
def _what_did() -> re.Pattern[str]:
    """ "what did X say about …": the verbs are wordlists.toml's."""
    verbs = "|".join(wordlists().what_did_verbs)
    return re.compile(
        rf"^(?:and\s+)?what\s+(?:did|does|has|have|had)\s+(?P<person>.+?)\s+(?:{verbs})\b"
        r"(?:\s+(?:about|on|regarding|of)\b)?\s*(?P<topic>.*?)[?.!]*$",
        re.IGNORECASE | re.S,
    )


_ADD = re.compile(r"^(?:/ask\s+)?(?:add\s+)?(?P<url>https?://\S+)$", re.IGNORECASE)
_FEED = re.compile(
    r"^(?:/ask\s+)?(?P<action>follow|unfollow)\s+(?P<url>https?://\S+)(?:\s+every\s+(?P<every>\S+))?$",
    re.IGNORECASE,
)
_EMOJI_CODE = re.compile(r":[a-z0-9_+'-]+:(?::skin-tone-\d:)?", re.I)  # how Slack sends emoji in text
_EMOJI_CATEGORIES = frozenset({"So", "Sk", "Mn"})  # pictographs, modifiers, variation selectors
_HELP_WORDS = frozenset({"help", "?", "commands", "usage", "hi", "hello", "hey"})


@dataclass(frozen=True, slots=True)
class Request:
    """A parsed question: which command, its argument, and whether free text was routed to it."""

    command: Command
    argument: str
    routed: bool = False
    unknown: str | None = None
    suggestion: str | None = None  # for an unknown command, the known one it most looks like
    question: str = ""  # free text as asked, for a plain /ask answer when the routed command finds nothing


def link_to_add(text: str) -> str | None:
    """The address to add when the text is only a link, or `add <link>` (also after `/ask`)."""
    match = _ADD.match(" ".join(text.split()))
    return match["url"].rstrip(">)].,") if match else None


class FeedRequest(NamedTuple):
    """`follow <url> [every 2h]` or `unfollow <url>`: a feed to follow or to stop following."""

    action: str  # "follow" or "unfollow"
    url: str
    every: str | None


def feed_request(text: str) -> FeedRequest | None:
    """The feed to follow or unfollow when the text asks for one (also after `/ask`)."""
    match = _FEED.match(" ".join(text.split()))
    if match is None:
        return None
    return FeedRequest(match["action"].lower(), match["url"].rstrip(">)].,"), match["every"])


def clean_input(text: str) -> str:
    """Question text with control characters and web addresses removed and white space collapsed.

    An address is where something is, not words to look for: "https", "www" and a site's name would
    only pull the search toward articles that print links.
    """
    printable = "".join(
        " " if ch.isspace() else ch for ch in text if ch.isspace() or unicodedata.category(ch)[0] != "C"
    )
    return " ".join(_URL.sub(" ", printable).split())


def parse(text: str, domain: Domain, is_person: Callable[[str], bool] | None = None) -> Request:
    """Which command a line of text asks for, as a user types it in Slack (commands: the domain's).

    `is_person` tells whether a name is someone the articles quote, so that "what did X say about Y"
    can go to /whosaid for a person and stay a question about anyone else.
    """
    text = _drop_leading_emoji(clean_input(text))
    slash = _SLASH.match(text)
    if slash is not None:
        name = slash["name"].lower()
        argument = (slash["arg"] or "").strip()
        names = domain.command_names()
        command = names.get(name)
        if command is None:
            close = difflib.get_close_matches(name, list(names), n=1, cutoff=0.6)
            suggestion = f"/{names.get(close[0], 'help')}" if close else None
            return Request("help", argument, unknown=f"/{name}", suggestion=suggestion)
        if argument.lower() in {"help", "-h", "--help", "?"}:
            return Request("help", command)
        if command == "ask" and argument:
            return route(argument, domain, is_person)
        return Request(command, argument)
    if text.lower().strip(" !.") in _HELP_WORDS:
        return Request("help", "")
    return route(text, domain, is_person)


def route(text: str, domain: Domain, is_person: Callable[[str], bool] | None = None) -> Request:
    """Send free text to the command it plainly asks for (the domain's routes); anything else is /ask."""
    who_said = _who_said().match(text)
    if who_said is not None and who_said["noun"] and not is_source_noun(who_said["noun"].lower()):
        who_said = None  # "Which theory states that …" asks about a theory, not a speaker
    if who_said is not None and who_said["arg"].strip(" ?\"'“”"):
        return Request("whosaid", strip_quotes(who_said["arg"]), routed=True, question=text)
    what_did = _what_did().match(text)
    person = what_did["person"] if what_did else ""
    # A side's people go to its position command, which quotes them first and then others on their side.
    side = next((t for t in domain.topics if t.spoken_by_side(person)), None) if what_did else None
    if what_did and is_person is not None and is_person(person) and side is None:
        about = re.sub(
            r"^(?:from|to|for|with|of|about|on|regarding)\s+", "", what_did["topic"].strip(), flags=re.I
        )
        return Request(
            "whosaid",
            f"{what_did['person']} about {about}" if about else what_did["person"],
            routed=True,
            question=text,
        )
    if side is not None:
        return Request(side.command, text, routed=True, question=text)
    # Position commands first: "what does Moscow think of the troops" asks for Moscow's view.
    for topic in sorted(domain.topics, key=lambda t: not t.side):
        if topic.routes_to(text):
            return Request(topic.command, text, routed=True, question=text)
    return Request("ask", text)


def _drop_leading_emoji(text: str) -> str:
    """Text without the emoji a line may open with ("🙂 /troops …", Slack's ":wave: who said …")."""
    while text:
        code = _EMOJI_CODE.match(text)
        if code is not None:
            text = text[code.end() :].lstrip()
        elif unicodedata.category(text[0]) in _EMOJI_CATEGORIES:
            text = text[1:].lstrip()
        else:
            break
    return text


def strip_quotes(text: str) -> str:
    return text.strip().strip("\"'“”‘’").strip().rstrip("?").strip().strip("\"'“”‘’").strip()
