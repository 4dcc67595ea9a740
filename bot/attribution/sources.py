"""Who a sentence says is speaking: a cue (a verb of saying or thinking, "according to") and its source.

A sentence is read as tokens with quotations masked, so that words inside a quotation are never its
cue or its source. The source is the noun phrase that is the cue's subject ("The mayor warned that"),
follows it when inverted ("…,” said Sen. Lindsey Graham (R-S.C.)") or follows "according to"; an
apposition ("Ana Ruiz, a historian at the university, said") is its role. Only general English is used:
the lexicon (lexicon.toml) holds the words, this module the grammar.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.attribution.lexicon import Lexicon, lexicon

SourceKind = Literal["name", "described", "group", "organisation", "outlet", "pronoun"]

_TOKEN = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:[-'’.&][^\W_]+)*|''|``|[^\w\s]")
_DETERMINERS = frozenset(
    "the a an his her its their our one two three four five several some many most few other".split()
)
_PREPOSITIONS = frozenset("in of at from for with on to by".split())
_REFUSED = frozenset(
    "it this that these those they them we i you which there what who whom something someone".split()
)
_QUOTE_MARKS = frozenset({'"', "“", "”", "''", "``"})
_APPOSITION_START = frozenset(
    "a an the who whose which one his her its their now then also himself herself".split()
)
_NOUN_MARKERS = frozenset("the a an his her its their our my your this that these those whose".split())
_SUBORDINATORS = frozenset(
    "while although though whereas if when because after before since unless as".split()
)
_SIGNATURE = re.compile(
    r"(?:^\s*[-—–]\s*(?P<name>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3}?)\.?\s*$)"
    r"|(?:[—–]\s*(?P<tweeter>[A-Z][\w.'’-]+(?:\s+[A-Z][\w.'’-]+){0,3})\s*\(@\w+\))"
)
_DASHES = frozenset({"—", "–", "-"})
_AFFILIATION = re.compile(r"[A-Z][\w-]+\s+(?:of|from)\s+[A-Z]")  # "Republican of Minnesota"
_FUNCTION = frozenset(
    "and or but nor that than as if so then also not no yes who whom whose which when where while after before"
    " over under about against between into through during without within like since until upon across behind"
    " beyond near toward towards around along amid among despite".split()
)
_BE = frozenset("be been being is was are were".split())
_DO = frozenset("do does did will shall".split())
_MODALS = frozenset("may might could would should can must".split())
_POST_MODIFIER = re.compile(
    r"\s+(?:familiar\s+with|close\s+to|briefed\s+on|knowledgeable\s+about)\s+(?:the\s+|this\s+)?[\w-]+(?:\s+[\w-]+)?$"
)
_TIMES = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday night morning afternoon evening".split()
)
_WEEKDAYS = frozenset("monday tuesday wednesday thursday friday saturday sunday".split())
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


def find_source(masked: str, text: str) -> Source | None:
    """The source of a sentence (quotations masked out of `masked`): of its cues with a source, the one
    that attributes the sentence ("according to X"; a closing "…, X said"; a main clause's cue before a
    leading "While …," clause's), and that source."""
    lex = lexicon()
    toks = tokens(masked)
    for i, tok in enumerate(toks):  # "according to X" attributes the whole sentence, wherever it is
        if (length := _according(toks, i, lex)) is not None:
            found = _after(toks, i + length, text, lex, according=True)
            if found is not None:
                return Source(found.kind, found.name, found.role, found.role_first, tok.start, "according to")
    candidates = [(i, found) for i in range(len(toks)) if (found := _at_cue(toks, i, masked, text, lex))]
    if not candidates:
        return _label(toks, text, lex)
    lead = _leading_subordinate(toks)
    main = [c for c in candidates if c[0] > lead] or candidates
    closing = [c for c in main if _closing(toks, c[0])]
    i, found = (closing or main)[-1 if closing else 0]
    return Source(found.kind, found.name, found.role, found.role_first, toks[i].start, toks[i].lower)


def _at_cue(toks: list[Token], i: int, masked: str, text: str, lex: Lexicon) -> Source | None:
    """The source of the cue at token i, if token i is a cue and has one."""
    tok = toks[i]
    lower = tok.lower
    continued = lower in {"continued", "continues"} and (
        _inverted(toks, i, masked)
        or i + 1 >= len(toks)
        or toks[i + 1].text in {":", ".", ","} | _QUOTE_MARKS  # "…,'' Mr. Graham continued."
    )
    if not (continued or lower in lex.cue_forms or _phrase_cue(toks, i, lex) or _stance(toks, i, lex)):
        return None
    if toks[i + 1 : i + 2] and toks[i + 1].lower == "by" and lower.endswith("ed"):
        return _after(toks, i + 2, text, lex)  # "as first reported by the New York Times"
    before = toks[i - 1].lower if i > 0 else ""
    if tok.capitalised and i > 0 and toks[i - 1].text not in _QUOTE_MARKS and toks[i - 1].text != ",":
        return None  # "the United States", "Fox News Reports": a capitalised word mid-sentence is a name
    if lower in lex.cue_participles and all(t.lower.endswith("ly") for t in toks[:i]):
        return None  # "Hastily responding to …, Trump said": the main clause says who
    if (
        lower.endswith("s")
        and not _source_noun(before, lex)
        and any(t.lower.endswith(("’s", "'s")) for t in toks[max(0, i - 3) : i])
    ):
        return None  # "last Friday's deadly attacks": a plural noun after a possessive
    if (
        before in _NOUN_MARKERS
        or before.endswith(("’s", "'s"))
        or (lower in lex.cue_lemmas and before in _PREPOSITIONS - {"to"})
    ):
        return None  # "his comments", "Trump's claims": a noun, not a verb
    if _auxiliary(toks, i) in _BE and (
        lower.endswith("ed") or lower in {"told", "said", "thought", "known", "seen"}
    ):
        return None  # "would be considered", "was asked by": passive, its subject did not say it
    if _auxiliary(toks, i) in _MODALS and lower not in {"say", "tell", "warn", "comment"}:
        return None  # "The mayor may seek a deal": the writer's guess, not a statement
    found: Source | None
    back = _skip_back(toks, i - 1, lex)
    if (
        back >= 0
        and toks[back].lower in {"and", "but"}
        and not (lower.endswith("s") and lower not in {"says", "tells"})  # "interviews and tweets": nouns
    ):  # "X won, but told …", "X won and on Monday said …"
        found = _clause_subject(toks, i - 1, text, lex)
    elif (
        lower in lex.cue_participles
        and (back := _skip_back(toks, i - 1, lex)) >= 0
        and (toks[back].text in {","} | _DASHES | _QUOTE_MARKS)
    ):
        found = _before(toks, i, text, lex) or _clause_subject(toks, i, text, lex)
    elif _inverted(toks, i, masked):
        after_quote = masked[: tok.start].rstrip().endswith(('"', "”", "''"))
        if after_quote:
            found = _after(toks, i + 1, text, lex) or _before(toks, i, text, lex)
        else:  # "X, a role, said" or "…, says X"
            found = _before(toks, i, text, lex) or (
                None if lower in {"told", "tells", "tell"} else _after(toks, i + 1, text, lex)
            )
            if (
                found is not None
                and found.kind == "pronoun"
                and toks[i + 1 : i + 2]
                and toks[i + 1].lower in {"he", "she"}
            ):
                found = None  # ", said he would" is the start of what was said
    else:
        found = _before(toks, i, text, lex)
    if (
        found is not None
        and lower in lex.cue_lemmas
        and found.kind in ("name", "described", "organisation", "outlet")
        and _auxiliary(toks, i) not in _MODALS | _DO | {"to"}
    ):
        # A bare verb does not agree with one person or body ("a Facebook post", "the most populous
        # state", "his rival … state"): it is a noun, unless "to", "will" or "did" comes before it.
        return None
    return found


def _auxiliary(toks: list[Token], i: int) -> str:
    """The word before the verb at i, past "not", "never" and adverbs: "would not say" -> "would"."""
    j = i - 1
    while j >= 0 and (toks[j].lower in {"not", "never", "n't"} or toks[j].lower.endswith("ly")):
        j -= 1
    word = toks[j].lower if j >= 0 else ""
    return (
        re.sub(r"n[’']t$", "", word)
        if word not in {"can't", "can’t", "won't", "won’t"}
        else {"c": "can", "w": "will"}[word[0]]
    )


def _leading_subordinate(toks: list[Token]) -> int:
    """The index of the comma that ends a leading "While …," or "Although …," clause, else -1."""
    if not toks or toks[0].lower not in _SUBORDINATORS:
        return -1
    return next((k for k, t in enumerate(toks[:40]) if t.text == ","), -1)


def _closing(toks: list[Token], i: int) -> bool:
    """A cue whose source closes the sentence: "…, Politico recently reported." / "…, said X."."""
    j = i - 1
    while j >= 0 and (
        toks[j].capitalised
        or toks[j].text == "."
        or toks[j].lower.endswith("ly")
        or toks[j].lower in {"the", "a", "an", "he", "she"}
    ):
        j -= 1
    if j < 0 or j == i - 1 or (toks[j].text not in {",", "—", "–"} and toks[j].text not in _QUOTE_MARKS):
        return False
    rest = [t for t in toks[i + 1 :] if t.text not in {".", "!", "?"}]
    return len(rest) <= 8 and not any(t.text == "," for t in rest[:1])


def _according(toks: list[Token], i: int, lex: Lexicon) -> int | None:
    for phrase in lex.according:
        if tuple(t.lower for t in toks[i : i + len(phrase)]) == phrase:
            return len(phrase)
    return None


def _phrase_cue(toks: list[Token], i: int, lex: Lexicon) -> bool:
    return any(
        tuple(t.lower for t in toks[i : i + len(p)]) == p for p in lex.phrase_cues.get(toks[i].lower, ())
    )


def _stance(toks: list[Token], i: int, lex: Lexicon) -> bool:
    """ "X is confident that", "X was adamant": a stated position."""
    return (
        toks[i].lower in {"is", "are", "was", "were", "been", "be"}
        and i + 1 < len(toks)
        and toks[i + 1].lower in lex.stance_adjectives
    )


def _inverted(toks: list[Token], i: int, masked: str) -> bool:
    """ "…,” said X" or "…, says X": the cue comes right after a quotation or a comma."""
    if i == 0:
        return toks[0].capitalised  # "Said Smith: …"; a clause starting "accused …" has its subject earlier
    before = masked[: toks[i].start].rstrip()
    return before.endswith((",", '"', "”", "''", ":", "—")) or not before.strip(" \"“”'")


# ----------------------------------------------------------------------------------------------
# The source before its cue: "The mayor warned", "Ana Ruiz, a historian at …, says"


def _before(toks: list[Token], i: int, text: str, lex: Lexicon) -> Source | None:
    j = _skip_back(toks, i - 1, lex)
    j = _skip_enclosed(toks, j, "(", ")")
    if j >= 0 and toks[j].text in _DASHES:  # "Joyce — who is listed as an attorney — told"
        j = _skip_back(toks, _skip_enclosed(toks, j, toks[j].text, toks[j].text), lex)
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
        if toks[k].text in _QUOTE_MARKS or toks[k].text in {";", ":"}:
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
        if toks[k].text in _QUOTE_MARKS:
            break
        if toks[k].text not in {",", "—"} or k + 1 >= j or k == 0:
            continue
        first, last, named = toks[k + 1], toks[j - 1], toks[k - 1]
        opens = (
            first.lower in _APPOSITION_START
            or first.lower in lex.modifiers
            or (not first.capitalised and first.lower not in _FUNCTION)
            or first.lower.endswith(("’s", "'s"))
            or (first.lower in {"of", "from"} and toks[k + 2 : k + 3] and toks[k + 2].capitalised)
            or (j - k <= 4 and not any(t.capitalised for t in toks[k + 1 : j]))
            or (_source_noun(last.lower, lex) and not any(t.text == "," for t in toks[k + 1 : j]))
            or re.fullmatch(r"[RDI]-[A-Z][\w.]*", first.text) is not None
            or _AFFILIATION.match(text, first.start) is not None
        )
        after_name = (
            named.capitalised
            or named.text in {")", "."}
            or _source_noun(named.lower, lex)
            or _POST_MODIFIER.search(text, 0, named.end) is not None
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
    tail = None if _source_noun(toks[k - 1].lower, lex) else _pp_tail(toks, k - 1, lex)
    if tail is None and not _source_noun(toks[k - 1].lower, lex):
        return None
    name = toks[k + 1 : j]
    if not name or not all(t.capitalised or t.text == "." for t in name):
        return None
    found = classify(name, text, lex)
    if found is None or found.kind != "name":
        return None
    start = _np_start(toks, k - 1 if tail is None else tail - 2, lex)  # "The author | of the book"
    role = text[toks[start].start : toks[k - 1].end] if start is not None else None
    role = role[0].lower() + role[1:] if role and toks[start or 0].lower in _DETERMINERS else role
    return Source("name", found.name, role or found.role, role_first=found.role is not None and role is None)


def _np_before(toks: list[Token], j: int, text: str, lex: Lexicon, role: str | None) -> Source | None:
    if j >= 1 and toks[j].text == "." and _abbreviation(toks[j - 1].text, lex):
        j -= 1  # "Joseph R. Biden Jr., who …"
    if j < 0:
        return None
    post = _POST_MODIFIER.search(text, 0, toks[j].end)
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
        and toks[start - 1].lower in _PREPOSITIONS - {"of", "at", "from"}
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
        or role.split()[0].lower() in _PREPOSITIONS | _FUNCTION
    ):
        return found  # "Corey Lewandowski, in a statement …, said": a circumstance, not a role
    return Source(found.kind, found.name, role, role_first=False)


def _skip_back(toks: list[Token], j: int, lex: Lexicon) -> int:
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
        elif lower in _WEEKDAYS and j >= 1 and toks[j - 1].lower == "on":
            j -= 2
        elif lower in _TIMES:
            j -= 1
        else:
            break
    return j


def _np_start(toks: list[Token], j: int, lex: Lexicon) -> int | None:
    """Where the noun phrase that ends at token j begins, or None if j ends no noun phrase."""
    head = toks[j]
    if head.lower in _REFUSED or head.text in _QUOTE_MARKS or not head.text[:1].isalnum():
        return None
    if head.lower in {"he", "she"}:
        return j
    if not head.capitalised and not _source_noun(head.lower, lex):
        return None
    k = j
    while k - 1 >= 0 and j - (k - 1) < MAX_NP_TOKENS:
        prev = toks[k - 1]
        lower = prev.lower
        if (prev.text == "." and k - 2 >= 0 and _abbreviation(toks[k - 2].text, lex)) or (
            prev.capitalised and prev.text not in lex.not_names
        ):
            k -= 1
        elif prev.capitalised and prev.text in lex.not_names and lower in {"the"}:
            k -= 1
            break
        elif (
            lower in lex.modifiers
            or _source_noun(lower, lex)
            or lower in lex.particles
            or (
                lower in _PREPOSITIONS
                and k - 2 >= 0
                and (
                    _pp_allowed(toks, k - 2, lex)
                    or (lower in {"of", "for"} and toks[k - 2].capitalised and toks[k].capitalised)
                )
            )
        ):
            k -= 1
        elif prev.text in {"'", "’"} and k - 2 >= 0 and toks[k - 2].capitalised:
            k -= 1  # "Sanders' team"
        elif (
            prev.text.isalpha()
            and _source_noun(toks[k].lower, lex)
            and k - 2 >= 0
            and (
                toks[k - 2].capitalised
                or (k == j and toks[k - 2].lower in _DETERMINERS | lex.modifiers)  # "a senior port official"
            )
            and lower not in _FUNCTION | _PREPOSITIONS | _DETERMINERS
        ):
            k -= 1  # "White House press secretary", "Clinton campaign spokesman"
        elif lower in _DETERMINERS or lower.endswith(("’s", "'s")):
            k -= 1
            if lower in _DETERMINERS:
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
        if toks[k].lower in _PREPOSITIONS and k >= 1 and _source_noun(toks[k - 1].lower, lex) and k < j + 1:
            return k + 1
        if toks[k].text in {",", ";"} or toks[k].text in _QUOTE_MARKS:
            return None
    return None


def _pp_allowed(toks: list[Token], k: int, lex: Lexicon) -> bool:
    """ "officials in Kyiv", "Secretary of State": a preposition inside a source's noun phrase."""
    word = toks[k]
    return _source_noun(word.lower, lex) or word.text in lex.titles or word.text in lex.organisation_words


def _abbreviation(word: str, lex: Lexicon) -> bool:
    return word in lex.titles or (len(word) == 1 and word.isupper()) or word in lex.suffixes


def is_source_noun(word: str) -> bool:
    """A lower-case noun that can name who speaks: "official", "officials", "spokesman", "campaign"."""
    return _source_noun(word, lexicon())


def _source_noun(lower: str, lex: Lexicon) -> bool:
    return (
        lower in lex.person_nouns
        or lower in lex.group_nouns
        or (lower.endswith("s") and lower[:-1] in lex.person_nouns)
        or (lower.endswith("men") and lower[:-3] + "man" in lex.person_nouns)
    )


def _role_word_before_name(toks: list[Token], j: int) -> bool:
    """A lower-case word of a role right before a name: "conservative activist Bob Klaus"."""
    tok = toks[j]
    if tok.capitalised or (not tok.text.isalpha() and "-" not in tok.text):
        return False
    if tok.lower in _PREPOSITIONS or tok.lower in _FUNCTION or tok.lower in _REFUSED:
        return False
    ahead = toks[j + 1 : j + 3]
    if not ahead or ahead[0].text in _QUOTE_MARKS:
        return False
    if ahead[0].capitalised:  # "ranking Democrat Elijah Cummings"
        return True
    # "conservative activist Bob Klaus": two role words, the second a plain word, then the name
    plain = (
        ahead[0].text.isalpha() and ahead[0].lower not in _PREPOSITIONS | _FUNCTION | _DETERMINERS | _REFUSED
    )
    return plain and len(ahead) > 1 and ahead[1].capitalised


def _clause_subject(toks: list[Token], i: int, text: str, lex: Lexicon) -> Source | None:
    """The subject of the clause a participle cue hangs on ("Kasich bemoaned …, saying that …"): the
    first noun phrase, after the start or a comma or dash, that a verb follows ("The day before, at a
    rally in Beaumont, Tex., Mr. Trump was just as blunt, claiming …": Mr. Trump)."""
    first = next((k + 1 for k in range(i - 1, -1, -1) if toks[k].text in {";", ":"}), 0)
    starts = [first, *(k + 1 for k in range(first, i) if toks[k].text in {","} | _DASHES)]
    for start in starts:
        if start < i and toks[start].lower in {"but", "and", "yet", "so"}:
            start += 1
        end = _np_end(toks, start, i, lex)
        if end == start or end >= len(toks):
            continue
        follower = toks[end]
        trusted = end == _skip_back(toks, i - 1, lex) and follower.text == ","  # "Trump, later alleging"
        verb_follows = (
            follower.text.isalpha() and not follower.capitalised and follower.lower not in _PREPOSITIONS
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
            or _source_noun(tok.lower, lex)
            or (tok.lower in _DETERMINERS | {"he", "she"} and end == start)
            or (tok.text == "." and end > start and _abbreviation(toks[end - 1].text, lex))
            or (_role_word_before_name(toks, end) and not any(t.capitalised for t in toks[start:end]))
        ):
            end += 1
        else:
            break
    return end


# ----------------------------------------------------------------------------------------------
# The source after its cue: "…,” said Sen. Lindsey Graham (R-S.C.)", "according to the mayor"


def _after(toks: list[Token], i: int, text: str, lex: Lexicon, *, according: bool = False) -> Source | None:
    if according:
        i = _past_document(toks, i, lex)
    j = i
    while j < len(toks) and j - i < MAX_NP_TOKENS:
        tok = toks[j]
        lower = tok.lower
        if (
            (tok.capitalised and (tok.text not in lex.not_names or (j == i and lower == "the")))
            or (lower in _DETERMINERS and j == i)
            or (lower in {"he", "she"} and j == i)
            or lower in lex.modifiers
            or _source_noun(lower, lex)
            or lower in lex.particles
            or lower in lex.outlet_nouns
            or (tok.text == "." and j > i and _abbreviation(toks[j - 1].text, lex) and j + 1 < len(toks))
            or (
                lower in _PREPOSITIONS
                and j > i
                and _pp_allowed(toks, j - 1, lex)
                and j + 1 < len(toks)
                and (toks[j + 1].capitalised or (toks[j + 2 : j + 3] and toks[j + 2].capitalised))
            )
            or (lower.endswith(("’s", "'s")) and tok.capitalised)
            or (_role_word_before_name(toks, j) and sum(t.capitalised for t in toks[i:j]) <= 1)
        ):
            j += 1
        else:
            break
    if j == i:
        return None
    found = classify(toks[i:j], text, lex)
    if found is None:
        return None
    if j < len(toks) and toks[j].text == "(":
        close = next((k for k in range(j + 1, min(len(toks), j + 12)) if toks[k].text == ")"), None)
        j = close + 1 if close is not None else j
    if j + 1 < len(toks) and toks[j].text == "," and toks[j + 1].lower in {"a", "an", "the"}:
        end = next(
            (
                k
                for k in range(j + 1, min(len(toks), j + MAX_APPOSITION_TOKENS))
                if toks[k].text in {",", ".", ";", "—"}
            ),
            len(toks),
        )
        if end > j + 1 and found.kind == "name":
            role = text[toks[j + 1].start : toks[end - 1].end]
            return Source(found.kind, found.name, role, role_first=False)
    return found


def _past_document(toks: list[Token], i: int, lex: Lexicon) -> int:
    """ "according to a recent report from X" -> X."""
    for k in range(i, min(len(toks), i + 6)):
        if toks[k].lower in lex.document_nouns:
            for m in range(k + 1, min(len(toks), k + 4)):  # "a court document filed by X"
                if toks[m].lower in {"from", "by", "of", "in"}:
                    return m + 1
            return i
    return i


def _label(toks: list[Token], text: str, lex: Lexicon) -> Source | None:
    """Transcripts and lists: "PENCE: …", "Sen. Tim Kaine: …" at the start of a sentence or after a
    dash ("Pollsters agree - Carl Bialik: …")."""
    signed = _SIGNATURE.search(text)
    if signed is not None:  # "… — Paul Ryan (@SpeakerRyan) July 5, 2016", "- Bernie Sanders."
        return Source("name", (signed["name"] or signed["tweeter"]).rstrip("."))
    starts = [0, *(k + 1 for k, t in enumerate(toks[:40]) if t.text in _DASHES)]
    for first in starts:
        for k in range(first, min(len(toks), first + 6)):
            tok = toks[k]
            if tok.text == ":" and k > first:
                name = toks[first:k]
                if len(name) == 1 and len(name[0].text) == 1:
                    break  # "Q:" and "A:" of an interview are not names
                if all(t.text.isupper() and len(t.text) > 1 for t in name):
                    return Source("name", text[name[0].start : name[-1].end])  # a transcript: "PENCE:"
                if all(t.capitalised or t.text == "." for t in name):
                    return classify(name, text, lex)
                break
            if not (tok.capitalised or tok.text == "."):
                break
    return None


# ----------------------------------------------------------------------------------------------
# What a noun phrase names


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
        words[0].lower in _DETERMINERS or (words[0].text in lex.not_names and words[0].lower == "the")
    ):
        words = words[1:]
    if not words:
        return None
    head = words[-1]
    if (
        head.capitalised
        and _source_noun(head.lower, lex)
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
    span = text[np[0].start if np[0].lower in _DETERMINERS else words[0].start : head.end]
    first = span.split()[0].lower()
    if span[:1].isupper() and (first in _DETERMINERS or first in lex.modifiers or _source_noun(first, lex)):
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
    if _source_noun(lower, lex):
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
    if len(before) >= 2 and before[-1].lower in _PREPOSITIONS and _source_noun(before[-2].lower, lex):
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
        t.text in lex.titles or _source_noun(t.lower, lex) or t.lower in lex.modifiers for t in role_tokens
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
