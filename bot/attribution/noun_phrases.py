"""The source before its cue: "The mayor warned", "Ana Ruiz, a historian at …, says", "Kasich bemoaned …, saying"."""

from __future__ import annotations

import re

from bot.attribution.grammar import (
    AFFILIATION,
    APPOSITION_START,
    DASHES,
    DETERMINERS,
    FUNCTION,
    MAX_APPOSITION_TOKENS,
    MAX_NP_TOKENS,
    POST_MODIFIER,
    PREPOSITIONS,
    QUOTE_MARKS,
    REFUSED,
    TIMES,
    WEEKDAYS,
    Source,
    Token,
    abbreviation,
    source_noun,
)
from bot.attribution.lexicon import Lexicon
from bot.attribution.naming import classify


def source_before(toks: list[Token], i: int, text: str, lex: Lexicon) -> Source | None:
    j = skip_back(toks, i - 1, lex)
    j = _skip_enclosed(toks, j, "(", ")")
    if j >= 0 and toks[j].text in DASHES:  # "Joyce — who is listed as an attorney — told"
        j = skip_back(toks, _skip_enclosed(toks, j, toks[j].text, toks[j].text), lex)
    if j >= 1 and toks[j].lower == "who" and toks[j - 1].text == ",":
        return _np_before(toks, j - 2, text, lex, None)
    if not (j >= 0 and toks[j].text == ","):
        return _np_before(toks, j, text, lex, None) or _open_apposition(toks, j, text, lex)
    # "Ana Ruiz, a historian at …, says": an apposition between commas is the role. Of the
    # commas that may open one, the farthest whose noun phrase before it names a source wins, so that
    # commas inside it ("from Ava, Mo., who is …") do not cut it short.
    for k in reversed(_apposition_openings(toks, j, text, lex)):
        role = text[toks[k + 1].start : toks[j - 1].end]
        found = _np_before(toks, _skip_enclosed(toks, k - 1, "(", ")"), text, lex, role)
        if found is not None and found.kind in ("described", "group"):
            # "the other candidate on the stage, former Secretary of State Hillary Clinton, said"
            named = classify(toks[k + 1 : j], text, lex)
            if named is not None and named.kind == "name":
                return Source("name", named.name, named.role or found.name, role_first=named.role is not None)
        if found is not None:
            return found
    return _role_then_name(toks, j, text, lex)


def _open_apposition(toks: list[Token], j: int, text: str, lex: Lexicon) -> Source | None:
    """ "Nate Silver, the polling guru who founded fivethirtyeight.com tweeted": an apposition that the
    writer did not close with a comma; the name before it speaks."""
    for k in range(j - 1, max(0, j - MAX_APPOSITION_TOKENS), -1):
        if toks[k].text in QUOTE_MARKS or toks[k].text in {";", ":"}:
            return None
        if toks[k].text == "," and toks[k + 1].lower in {"a", "an", "the"}:
            found = _np_before(toks, _skip_enclosed(toks, k - 1, "(", ")"), text, lex, None)
            if found is not None and found.kind == "name":
                return Source("name", found.name, text[toks[k + 1].start : toks[j].end], role_first=False)
            return None
    return None


def _skip_enclosed(toks: list[Token], j: int, opening: str, closing: str) -> int:
    """Past "(…)" or "— … —" that ends at token j; j itself when nothing is enclosed there."""
    if j < 0 or toks[j].text != closing:
        return j
    start = next(
        (k for k in range(j - 1, max(-1, j - MAX_APPOSITION_TOKENS), -1) if toks[k].text == opening), None
    )
    return start - 1 if start is not None else -1


def _apposition_openings(toks: list[Token], j: int, text: str, lex: Lexicon) -> list[int]:
    """Commas before the comma at j that may open an apposition ending there, nearest first."""
    openings = []
    for k in range(j - 1, max(-1, j - MAX_APPOSITION_TOKENS), -1):
        if toks[k].text in QUOTE_MARKS:
            break
        if toks[k].text not in {",", "—"} or k + 1 >= j or k == 0:
            continue
        first, last, named = toks[k + 1], toks[j - 1], toks[k - 1]
        opens = (
            first.lower in APPOSITION_START
            or first.lower in lex.modifiers
            or (not first.capitalised and first.lower not in FUNCTION)
            or first.lower.endswith(("’s", "'s"))
            or (first.lower in {"of", "from"} and toks[k + 2 : k + 3] and toks[k + 2].capitalised)
            or (j - k <= 4 and not any(t.capitalised for t in toks[k + 1 : j]))
            or (source_noun(last.lower, lex) and not any(t.text == "," for t in toks[k + 1 : j]))
            or re.fullmatch(r"[RDI]-[A-Z][\w.]*", first.text) is not None
            or AFFILIATION.match(text, first.start) is not None
        )
        after_name = (
            named.capitalised
            or named.text in {")", "."}
            or source_noun(named.lower, lex)
            or POST_MODIFIER.search(text, 0, named.end) is not None
            or _pp_tail(toks, k - 1, lex) is not None
        )
        if opens and after_name:
            openings.append(k)
    return openings


def _role_then_name(toks: list[Token], j: int, text: str, lex: Lexicon) -> Source | None:
    """ "A Twitter spokesman, Christopher Abboud, said": a role, then the name in commas (j is the second comma)."""
    k = next((k for k in range(j - 1, max(-1, j - 8), -1) if toks[k].text == ","), None)
    if k is None or k < 1:
        return None
    tail = None if source_noun(toks[k - 1].lower, lex) else _pp_tail(toks, k - 1, lex)
    if tail is None and not source_noun(toks[k - 1].lower, lex):
        return None
    name = toks[k + 1 : j]
    if not name or not all(t.capitalised or t.text == "." for t in name):
        return None
    found = classify(name, text, lex)
    if found is None or found.kind != "name":
        return None
    start = _np_start(toks, k - 1 if tail is None else tail - 2, lex)  # "The author | of the book"
    role = text[toks[start].start : toks[k - 1].end] if start is not None else None
    role = role[0].lower() + role[1:] if role and toks[start or 0].lower in DETERMINERS else role
    return Source("name", found.name, role or found.role, role_first=found.role is not None and role is None)


def _np_before(toks: list[Token], j: int, text: str, lex: Lexicon, role: str | None) -> Source | None:
    if j >= 1 and toks[j].text == "." and abbreviation(toks[j - 1].text, lex):
        j -= 1  # "Joseph R. Biden Jr., who …"
    if j < 0:
        return None
    post = POST_MODIFIER.search(text, 0, toks[j].end)
    if post is not None:  # "people familiar with the plan": the source is "people"
        inner = next((k for k in range(j, -1, -1) if toks[k].start <= post.start()), -1)
        found = _np_before(toks, inner, text, lex, role)
        if found is not None and found.kind in ("group", "described"):
            return Source(
                found.kind, found.name + text[post.start() : toks[j].end], found.role, found.role_first
            )
        return found
    start = _np_start(toks, j, lex)
    if start is None:
        tail = _pp_tail(toks, j, lex)
        if tail is None:
            return None
        found = _np_before(toks, tail - 2, text, lex, None)  # "a senior official | at the port authority"
        if found is None or found.kind not in ("described", "group"):
            return found
        return Source(found.kind, found.name + text[toks[tail - 2].end : toks[j].end], role)
    if (
        start > 0
        and toks[start - 1].lower in PREPOSITIONS - {"of", "at", "from"}
        and not (
            toks[start - 1].lower == "with" and toks[j + 1 : j + 2] and toks[j + 1].lower.endswith("ing")
        )
    ):
        return None  # "a vote for Trump ruled out": not the subject; "with Trump tweeting that …" is
    if start > 0 and toks[start - 1].lower in {"how", "whether", "why", "what", "when", "where", "if"}:
        return None  # "how the United States responds": a question about them, not their words
    if start > 0 and toks[start - 1].lower in lex.cue_forms - lex.cue_lemmas:
        return None  # "said Kristen Day, …, reports USA Today": that name is the object of a cue
    if start >= 2 and toks[start - 1].lower in {"of", "at", "from"} and toks[start - 2].capitalised:
        person = _np_before(toks, start - 2, text, lex, None)  # "Paul Krugman of the New York Times"
        if person is not None and person.kind == "name":
            return Source("name", person.name, text[toks[start - 1].start : toks[j].end], role_first=False)
    found = classify(toks[start : j + 1], text, lex)
    if (
        found is None
        or role is None
        or re.fullmatch(r"[RDI]-[A-Z][\w.]*", role)
        or found.kind != "name"
        or role.split()[0].lower() in PREPOSITIONS | FUNCTION
    ):
        return found  # "Corey Lewandowski, in a statement …, said": a circumstance, not a role
    return Source(found.kind, found.name, role, role_first=False)


def skip_back(toks: list[Token], j: int, lex: Lexicon) -> int:
    """Past the words that may stand between a subject and its verb ("has also repeatedly")."""
    while j >= 0:
        lower = toks[j].lower
        if lower in lex.between or (lower.endswith("ly") and len(lower) > 4 and not toks[j].capitalised):
            j -= 1
        elif (
            lower == "to"
            and j >= 1
            and (
                toks[j - 1].lower in lex.between
                or toks[j - 1].lower in lex.cue_forms
                or (
                    not toks[j - 1].capitalised
                    and toks[j - 1].lower.endswith(("ing", "ed", "es", "ts", "ns"))
                )
            )
        ):
            j -= 2  # "continues to insist", "wants to say", "is trying to show"
        elif lower in WEEKDAYS and j >= 1 and toks[j - 1].lower == "on":
            j -= 2
        elif lower in TIMES:
            j -= 1
        else:
            break
    return j


def _np_start(toks: list[Token], j: int, lex: Lexicon) -> int | None:
    """Where the noun phrase that ends at token j begins, or None if j ends no noun phrase."""
    head = toks[j]
    if head.lower in REFUSED or head.text in QUOTE_MARKS or not head.text[:1].isalnum():
        return None
    if head.lower in {"he", "she"}:
        return j
    if not head.capitalised and not source_noun(head.lower, lex):
        return None
    k = j
    while k - 1 >= 0 and j - (k - 1) < MAX_NP_TOKENS:
        prev = toks[k - 1]
        lower = prev.lower
        if (prev.text == "." and k - 2 >= 0 and abbreviation(toks[k - 2].text, lex)) or (
            prev.capitalised and prev.text not in lex.not_names
        ):
            k -= 1
        elif prev.capitalised and prev.text in lex.not_names and lower in {"the"}:
            k -= 1
            break
        elif (
            lower in lex.modifiers
            or source_noun(lower, lex)
            or lower in lex.particles
            or (
                lower in PREPOSITIONS
                and k - 2 >= 0
                and (
                    pp_allowed(toks, k - 2, lex)
                    or (lower in {"of", "for"} and toks[k - 2].capitalised and toks[k].capitalised)
                )
            )
        ):
            k -= 1
        elif prev.text in {"'", "’"} and k - 2 >= 0 and toks[k - 2].capitalised:
            k -= 1  # "Sanders' team"
        elif (
            prev.text.isalpha()
            and source_noun(toks[k].lower, lex)
            and k - 2 >= 0
            and (
                toks[k - 2].capitalised
                or (k == j and toks[k - 2].lower in DETERMINERS | lex.modifiers)  # "a senior port official"
            )
            and lower not in FUNCTION | PREPOSITIONS | DETERMINERS
        ):
            k -= 1  # "White House press secretary", "Clinton campaign spokesman"
        elif lower in DETERMINERS or lower.endswith(("’s", "'s")):
            k -= 1
            if lower in DETERMINERS:
                break
        elif re.fullmatch(r"\d[\d,.]*", lower) or (
            lower == "and" and k - 2 >= 0 and toks[k - 2].capitalised and toks[k].capitalised
        ):
            k -= 1
        else:
            break
    while k <= j and toks[k].text in {".", ","}:
        k += 1
    return k if k <= j else None


def _pp_tail(toks: list[Token], j: int, lex: Lexicon) -> int | None:
    """Where a prepositional phrase after a source noun starts, if one ends at token j ("an official
    | at the port authority"): the index of the preposition's object's first word."""
    for k in range(j, max(0, j - 5), -1):
        if toks[k].lower in PREPOSITIONS and k >= 1 and source_noun(toks[k - 1].lower, lex) and k < j + 1:
            return k + 1
        if toks[k].text in {",", ";"} or toks[k].text in QUOTE_MARKS:
            return None
    return None


def pp_allowed(toks: list[Token], k: int, lex: Lexicon) -> bool:
    """ "officials in Kyiv", "Secretary of State": a preposition inside a source's noun phrase."""
    word = toks[k]
    return source_noun(word.lower, lex) or word.text in lex.titles or word.text in lex.organisation_words


def role_word_before_name(toks: list[Token], j: int) -> bool:
    """A lower-case word of a role right before a name: "conservative activist Bob Klaus"."""
    tok = toks[j]
    if tok.capitalised or (not tok.text.isalpha() and "-" not in tok.text):
        return False
    if tok.lower in PREPOSITIONS or tok.lower in FUNCTION or tok.lower in REFUSED:
        return False
    ahead = toks[j + 1 : j + 3]
    if not ahead or ahead[0].text in QUOTE_MARKS:
        return False
    if ahead[0].capitalised:  # "ranking Democrat Elijah Cummings"
        return True
    # "conservative activist Bob Klaus": two role words, the second a plain word, then the name
    plain = ahead[0].text.isalpha() and ahead[0].lower not in PREPOSITIONS | FUNCTION | DETERMINERS | REFUSED
    return plain and len(ahead) > 1 and ahead[1].capitalised


def clause_subject(toks: list[Token], i: int, text: str, lex: Lexicon) -> Source | None:
    """The subject of the clause a participle cue hangs on ("Kasich bemoaned …, saying that …"): the
    first noun phrase, after the start or a comma or dash, that a verb follows ("The day before, at a
    rally in Beaumont, Tex., Mr. Trump was just as blunt, claiming …": Mr. Trump)."""
    first = next((k + 1 for k in range(i - 1, -1, -1) if toks[k].text in {";", ":"}), 0)
    starts = [first, *(k + 1 for k in range(first, i) if toks[k].text in {","} | DASHES)]
    for start in starts:
        if start < i and toks[start].lower in {"but", "and", "yet", "so"}:
            start += 1
        end = _np_end(toks, start, i, lex)
        if end == start or end >= len(toks):
            continue
        follower = toks[end]
        trusted = end == skip_back(toks, i - 1, lex) and follower.text == ","  # "Trump, later alleging"
        verb_follows = (
            follower.text.isalpha() and not follower.capitalised and follower.lower not in PREPOSITIONS
        )
        if not (trusted or verb_follows):
            continue
        found = classify(toks[start:end], text, lex)
        if found is not None and not toks[start].lower.endswith("ly"):
            return found
    return None


def _np_end(toks: list[Token], start: int, i: int, lex: Lexicon) -> int:
    """Where a noun phrase that starts at `start` ends (before token i)."""
    end = start
    while end < i and end - start < MAX_NP_TOKENS:
        tok = toks[end]
        if (
            tok.capitalised
            or tok.lower in lex.modifiers
            or source_noun(tok.lower, lex)
            or (tok.lower in DETERMINERS | {"he", "she"} and end == start)
            or (tok.text == "." and end > start and abbreviation(toks[end - 1].text, lex))
            or (role_word_before_name(toks, end) and not any(t.capitalised for t in toks[start:end]))
        ):
            end += 1
        else:
            break
    return end
