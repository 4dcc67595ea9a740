"""Quotation and clause marks of a sentence: what is quoted, what is open, where clauses part."""

from __future__ import annotations

import re

from bot.attribution.lexicon import lexicon

_OPENING = {"“": True, "”": False, "``": True}


_LOWER_WORD = re.compile(r"[a-z]+")


QUOTE = re.compile(r"``|''|[“”\"]")


def mask_quotations(text: str, inside: bool) -> tuple[str, bool]:
    """`text` with the words inside quotation marks blanked, and whether a quotation is open at its end.

    Curly quotes open and close; straight double quotes and the '' of some newspapers toggle.
    """
    out = []
    at = 0
    for match in QUOTE.finditer(text):
        mark = match.group()
        if inside:
            out.append(" " * (match.start() - at))
        else:
            out.append(text[at : match.start()])
        out.append(mark)
        at = match.end()
        inside = _OPENING.get(mark, not inside)
    out.append(" " * (len(text) - at) if inside else text[at:])
    return "".join(out), inside


def only_quotation(masked: str) -> bool:
    """Nothing but a quotation (and punctuation) in the sentence."""
    return not re.search(r"[^\W\d_]", QUOTE.sub("", masked))


def cue_possible(text: str) -> bool:
    lex = lexicon()
    if ":" in text or "(@" in text or text.lstrip()[:1] in "-—–" or QUOTE.search(text):
        return True
    found = set(_LOWER_WORD.findall(text.lower()))
    return not lex.cue_forms.isdisjoint(found) or "according" in found


CLAUSE_SPLIT = re.compile(r",\s+(?:while|whereas|but|and|yet)\s+|;\s+")
