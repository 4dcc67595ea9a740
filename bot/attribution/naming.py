"""What a noun phrase names: a person, a description, a group, an organisation or an outlet."""

from __future__ import annotations

import re

from bot.attribution.grammar import DETERMINERS, PREPOSITIONS, Source, SourceKind, Token, source_noun
from bot.attribution.lexicon import Lexicon


def classify(np: list[Token], text: str, lex: Lexicon) -> Source | None:
    """A noun phrase as a source: a name with its role, a described person, a group or a body."""
    words = [t for t in np if t.text not in {",", "(", ")"}]
    while words and words[-1].text == ".":
        words.pop()
    if not words:
        return None
    head = words[-1]
    if len(words) == 1 and head.lower in {"he", "she"}:
        return Source("pronoun", head.lower)
    article = words[0].lower == "the"
    the = words[0].text + " " if article else ""
    while words and (
        words[0].lower in DETERMINERS or (words[0].text in lex.not_names and words[0].lower == "the")
    ):
        words = words[1:]
    if not words:
        return None
    head = words[-1]
    if (
        head.capitalised
        and source_noun(head.lower, lex)
        and head.text not in lex.titles
        and (len(words) == 1 or all(not w.capitalised or w.lower in lex.modifiers for w in words[1:-1]))
        and not any(w.capitalised for w in words[1:-1])
    ):
        head = Token(head.lower, head.start, head.end)  # "Sources said": a noun that starts the sentence
        if len(words) == 1:
            return _description(text, np, words, head, lex)
    if not head.capitalised:
        return _description(text, np, words, head, lex)
    return _named(text, words, head, the, lex)


def _description(text: str, np: list[Token], words: list[Token], head: Token, lex: Lexicon) -> Source | None:
    """A source named by what it is: "the commander" (described), "officials" (group), "the campaign"."""
    span = text[np[0].start if np[0].lower in DETERMINERS else words[0].start : head.end]
    first = span.split()[0].lower()
    if span[:1].isupper() and (first in DETERMINERS or first in lex.modifiers or source_noun(first, lex)):
        span = span[0].lower() + span[1:]  # a sentence's first word, not a name
    lower = head.lower
    singular = not lower.endswith("s") or lower in lex.person_nouns
    if singular and len(words) == 1 and np[0] is words[0] and not lower.endswith("man"):
        return None  # "agency rules": one singular noun with no article is no one's name
    if lower in lex.outlet_nouns:
        return Source("outlet", span)
    if lower in lex.person_nouns or lower.endswith("man"):
        return Source("described", span)
    if lower in lex.group_nouns and not lower.endswith("s"):
        return Source("organisation", span)
    if source_noun(lower, lex):
        return Source("group", span)
    return None


def _named(text: str, words: list[Token], head: Token, the: str, lex: Lexicon) -> Source | None:
    article = bool(the)
    # The trailing run of capitalised words (with initials, particles and suffixes) is the name.
    k = len(words) - 1
    while k - 1 >= 0 and (
        words[k - 1].capitalised
        or words[k - 1].text == "."
        or words[k - 1].lower in lex.particles
        or words[k - 1].lower in {"of", "for", "and", "&"}
    ):
        k -= 1
    run = words[k:]
    before = words[:k]
    if len(before) >= 2 and before[-1].lower in PREPOSITIONS and source_noun(before[-2].lower, lex):
        # "officials in Kyiv", "a spokesman for the Pentagon": described by where they are from.
        described = text[words[0].start : head.end]
        described = described[0].lower() + described[1:] if not article else "the " + described
        kind: SourceKind = "group" if before[-2].lower.endswith("s") else "described"
        return Source(kind, described)
    # Titles inside the run belong to the role: "Attorney General Roy Cooper", "Sen. Graham".
    # A title word last in the run is a surname ("Stephen King", "Theresa May") unless the whole run is
    # titles ("Prime Minister").
    titled = [
        t.text in lex.titles
        or (not t.capitalised and t.lower in lex.person_nouns)
        or (t.text == "." and n > 0 and run[n - 1].text in lex.titles)
        for n, t in enumerate(run)
    ]
    last_title = max((n for n, is_title in enumerate(titled[:-1]) if is_title), default=-1)
    if all(titled):
        last_title = len(run) - 1
    name_tokens = [t for t in run[last_title + 1 :] if t.text != "."]
    role_tokens = before + run[: last_title + 1]
    role_end = (
        run[last_title + 1].end
        if last_title >= 0 and run[last_title + 1 : last_title + 2] and run[last_title + 1].text == "."
        else (role_tokens[-1].end if role_tokens else 0)
    )
    role = text[role_tokens[0].start : role_end] if role_tokens else None
    if role is not None and not any(
        t.text in lex.titles or source_noun(t.lower, lex) or t.lower in lex.modifiers for t in role_tokens
    ):
        role = None
    if not name_tokens:
        label = text[run[0].start : run[-1].end]
        return Source("described", the + label)
    name = text[name_tokens[0].start : name_tokens[-1].end]
    texts = {t.text.rstrip(".") for t in name_tokens}
    if texts & lex.outlet_words or any(re.search(r"[a-z]\.[A-Za-z]{2,}$", t.text) for t in name_tokens):
        # a news word, or a site's address ("Caliber.Az", "Politico.com")
        return Source("outlet", the + name)
    if texts & lex.organisation_words or {"of", "for", "&"} & {t.lower for t in name_tokens}:
        return Source("organisation", the + name)
    if len(name_tokens) == 1 and re.fullmatch(r"[A-Z][A-Z.&-]+", name_tokens[0].text):
        return Source("organisation", the + name)
    if article and role is None:
        return Source("organisation", the + name)
    if name_tokens[0].text in lex.not_names:
        return None
    return Source("name", _possessive_free(name), role)


def _possessive_free(name: str) -> str:
    return re.sub(r"['’]s$", "", name)
