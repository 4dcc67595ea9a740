"""What kind of answer a question asks for, and whether a sentence holds one: who → a name, when → a
date, where → a place, how many / how much → a number or amount.

Language cues only (question words, how dates and amounts are written), in English, Russian and
Ukrainian; no word or name taken from any article. A sentence that holds the kind asked for ranks up
in /ask; one that does not is not ruled out, because the cue is a hint, not a filter.
"""

from __future__ import annotations

import re
from typing import Literal

Kind = Literal["person", "date", "place", "number"]

_QUESTION = [
    ("number", re.compile(r"\b(how (many|much|old|long|far|big|large|tall|often)|what (percentage|number|amount)|сколько|скільки)\b", re.I)),
    ("date", re.compile(r"\b(when|what (year|day|date|month|time)|which (year|day|month)|когда|коли|в каком году|якого року)\b", re.I)),
    ("place", re.compile(r"\b(where|what (city|country|town|state|region)|which (city|country|town)|где|куда|откуда|де|куди)\b", re.I)),
    ("person", re.compile(r"\b(who|whom|whose|which (man|woman|person|group|company|organization)|кто|кого|кому|хто|кого)\b", re.I)),
]  # fmt: skip

_MONTHS = (
    "January|February|March|April|May|June|July|August|September|October|November|December|"
    "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec"
)
_WEEKDAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE = re.compile(
    rf"\b(({_MONTHS})\.?\s+\d{{1,2}}|\d{{1,2}}\s+({_MONTHS})|({_MONTHS})\s+\d{{4}}|1[5-9]\d\d|20\d\d|"
    rf"{_WEEKDAYS}|(yesterday|today|tonight|tomorrow|last (week|month|year)|this (week|month|year))|"
    r"(январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|октябр|ноябр|декабр|січн|лют|берез|квіт|"
    r"травн|червн|липн|серпн|вересн|жовтн|листопад|грудн)\w*|\d+(st|nd|rd|th)? century|\d+s\b)",
    re.I,
)
_NUMBER = re.compile(
    r"(\d|\b(one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|"
    r"hundred|thousand|million|billion|dozens?|half|percent)\b|[$€£¥%])",
    re.I,
)
# A capitalised word that does not open the sentence: a name (of a person, a group or a place).
_NAME = re.compile(r"(?<=[\w,;:)] )[A-ZА-ЯЁІЇЄҐ][\w'’-]+")
_PLACE = re.compile(
    r"\b(in|at|from|near|to|into|outside|across|в|у|из|на|під|біля)\s+(the\s+)?[A-ZА-ЯЁІЇЄҐ][\w'’-]+"
)


def asks_for(question: str) -> Kind | None:
    """The kind of answer `question` asks for, if its question word says."""
    for kind, cue in _QUESTION:
        if cue.search(question):
            return kind  # type: ignore[return-value]
    return None


def holds(kind: Kind | None, sentence: str) -> bool:
    """`sentence` holds an answer of `kind` (a name, a date, a place, a number)."""
    if kind is None:
        return False
    if kind == "date":
        return bool(_DATE.search(sentence))
    if kind == "number":
        return bool(_NUMBER.search(sentence))
    if kind == "place":
        return bool(_PLACE.search(sentence))
    return bool(_NAME.search(sentence))
