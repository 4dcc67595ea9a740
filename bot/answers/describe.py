""" "Who is X?" and "What is X?" about a name: how the articles describe X, quoted.

News introduces a person or an organisation once, where it first names them, in one of two shapes that
English grammar gives: an appositive right after the name ("Marta Ilves, a harbour engineer at the port, …",
"Ilves, 52, who runs the port, …") or a copula ("The Ferry Board is the agency that …"). A sentence that
names X in such a shape answers the question; one that only mentions X does not. The cues are the
grammar's function words (determiners, relative pronouns, forms of "to be", an age), never words of a
particular story. Only a name is asked about this way (capitalised words, as a user types a name):
"What is the capital of France?" stays an ordinary question.
"""

from __future__ import annotations

import re

from bot.answers.models import Answer
from bot.answers.retrieval import Ranked, found, quote
from bot.index import SearchIndex

_NAME_WORD = r"[A-Z\u0400-\u04FF][\w.'’-]*"
_LINK_WORD = r"(?:of|for|on|and|de|du|van|von|der|al|bin)"  # small words inside names ("Council on …")
_QUESTION = re.compile(
    rf"^(?i:who|what)\s+(?i:is|was|are|were)\s+(?P<name>(?i:the\s+)?{_NAME_WORD}(?:\s+(?:{_NAME_WORD}|{_LINK_WORD}))*)"
    r"\s*[?.!]*$"
)
# What follows a name that introduces it: an appositive (a comma or bracket, then a determiner, a relative
# pronoun or an age) or a copula with a determiner.
_INTRODUCED = re.compile(
    r"^(?:\s*[,(—–]\s*(?:(?:a|an|the|who|which|one\s+of)\b|\d{1,3}\s*[,)])"
    r"|\s+(?:is|was|are|were|has\s+been|had\s+been|became|remains)\s+(?:a|an|the|one\s+of)\b)",
    re.IGNORECASE,
)
CANDIDATES = 200  # passages naming X looked at for a description


def asked_name(question: str) -> str | None:
    """The name a "Who is X?" / "What is X?" question asks about, or None for any other question."""
    match = _QUESTION.match(" ".join(question.split()))
    if match is None:
        return None
    name = re.sub(r"^the\s+", "", match["name"], flags=re.IGNORECASE)
    return name if len(name.split()) <= 8 else None


def describe(question: str, index: SearchIndex, max_quotes: int = 3) -> Answer | None:
    """The sentences that introduce the name asked about, best first; None if the question is not of
    that kind or no sentence introduces the name (the caller then answers it as any question)."""
    name = asked_name(question)
    if name is None:
        return None
    terms = index.analyzer.tokenize_query(name)
    if not terms:
        return None
    mention = re.compile(r"\b" + r"\s+".join(re.escape(w) for w in name.split()) + r"\b", re.IGNORECASE)
    scores = index.scores(terms)
    introduced: list[Ranked] = []
    seen: set[str] = set()
    for pid in index.top(scores, CANDIDATES):
        if scores[pid] <= 0 or len(introduced) >= max_quotes:
            break
        text = index.passage_text(pid)
        if text in seen:
            continue
        if any(_INTRODUCED.match(text[m.end() :]) for m in mention.finditer(text)):
            seen.add(text)
            introduced.append(Ranked(pid, float(scores[pid])))
    if not introduced:
        return None
    return found("ask", question, [quote(index, ranked, terms) for ranked in introduced])
