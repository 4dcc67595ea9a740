"""Follow-up questions in a conversation: "and what did Macron say?" read with the question before it.

A follow-up opens with a continuation word (followup.toml) and leaves out what the earlier question
said: "and what did Macron say?" after a question on troops means what Macron said about troops, and
"what about Germany?" after "would Britain send troops?" asks the same of Germany. `follow_up` gives
the fuller readings, closest first; the caller answers the first that finds something and otherwise
the question as asked, so context is used only where it helps. What someone said "about" a whole
earlier question is often too narrow; the topic command that question went to names its subject in
the shelf's own words, and is tried next. A longer question after an opener ("and who leads the
mission in the north?") says what it asks on its own and is left alone.
"""

from __future__ import annotations

import functools
import re
import tomllib
from pathlib import Path

from bot.answers.routing import clean_input, parse
from bot.domain import Domain

_DATA = Path(__file__).with_name("followup.toml")
MAX_ELLIPSIS_WORDS = (
    4  # "what about Germany and Poland?" leans on the earlier question; longer ones stand alone
)
_ASKED_OF_SOMEONE = re.compile(
    r"^what\s+(?:did|does|has|have|had)\s+(?P<person>.+?)\s+(?:said|say|says|think|thought)\s*[?.!]*$",
    re.IGNORECASE,
)


@functools.cache
def _openers() -> re.Pattern[str]:
    with _DATA.open("rb") as file:
        words: list[str] = tomllib.load(file)["openers"]
    alternatives = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"^(?:{alternatives})\b[\s,]*", re.IGNORECASE)


def follow_up(question: str, earlier: str, domain: Domain) -> list[str]:
    """`question` read with `earlier` (the conversation's previous question), closest reading first;
    none when it is not a follow-up."""
    question, earlier = clean_input(question), clean_input(earlier).rstrip(" ?!.")
    opener = _openers().match(question)
    if opener is None or not earlier:
        return []
    rest = question[opener.end() :].strip()
    if not rest.strip(" ?!."):
        return []
    asked = _ASKED_OF_SOMEONE.match(rest)
    if asked is not None:  # "and what did X say?": what X said about the earlier question's subject
        person = asked["person"]
        readings = [f"/whosaid {person} about {earlier}"]
        routed = parse(earlier, domain).command
        if routed not in ("ask", "whosaid", "help"):
            readings.append(f"/whosaid {person} about {routed.replace('-', ' ')}")
        return readings
    if len(rest.split()) > MAX_ELLIPSIS_WORDS:
        return []
    return [f"{earlier} {rest}"]
