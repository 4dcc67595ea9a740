"""Who a sentence says is speaking: a cue (a verb of saying or thinking, "according to") and its source.

A sentence is read as tokens with quotations masked, so that words inside a quotation are never its
cue or its source. The source is the noun phrase that is the cue's subject ("The mayor warned that"),
follows it when inverted ("…,” said Sen. Lindsey Graham (R-S.C.)") or follows "according to"; an
apposition ("Ana Ruiz, a historian at the university, said") is its role. Only general English is used:
the lexicon (lexicon.toml) holds the words; `grammar` the word classes, `noun_phrases` the source
before its cue, `naming` what a noun phrase names, and this module the cue and the source after it.
"""

from __future__ import annotations

import re

from bot.attribution.grammar import (
    BE,
    DASHES,
    DETERMINERS,
    DO,
    MAX_APPOSITION_TOKENS,
    MAX_NP_TOKENS,
    MODALS,
    NOUN_MARKERS,
    PREPOSITIONS,
    QUOTE_MARKS,
    SIGNATURE,
    SUBORDINATORS,
    Source,
    Token,
    abbreviation,
    source_noun,
    tokens,
)
from bot.attribution.lexicon import Lexicon, lexicon
from bot.attribution.naming import classify
from bot.attribution.noun_phrases import (
    clause_subject,
    pp_allowed,
    role_word_before_name,
    skip_back,
    source_before,
)


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
        or toks[i + 1].text in {":", ".", ","} | QUOTE_MARKS  # "…,'' Mr. Graham continued."
    )
    if not (continued or lower in lex.cue_forms or _phrase_cue(toks, i, lex) or _stance(toks, i, lex)):
        return None
    if toks[i + 1 : i + 2] and toks[i + 1].lower == "by" and lower.endswith("ed"):
        return _after(toks, i + 2, text, lex)  # "as first reported by the New York Times"
    before = toks[i - 1].lower if i > 0 else ""
    if tok.capitalised and i > 0 and toks[i - 1].text not in QUOTE_MARKS and toks[i - 1].text != ",":
        return None  # "the United States", "Fox News Reports": a capitalised word mid-sentence is a name
    if lower in lex.cue_participles and all(t.lower.endswith("ly") for t in toks[:i]):
        return None  # "Hastily responding to …, Trump said": the main clause says who
    if (
        lower.endswith("s")
        and not source_noun(before, lex)
        and any(t.lower.endswith(("’s", "'s")) for t in toks[max(0, i - 3) : i])
    ):
        return None  # "last Friday's deadly attacks": a plural noun after a possessive
    if (
        before in NOUN_MARKERS
        or before.endswith(("’s", "'s"))
        or (lower in lex.cue_lemmas and before in PREPOSITIONS - {"to"})
    ):
        return None  # "his comments", "Trump's claims": a noun, not a verb
    if _auxiliary(toks, i) in BE and (
        lower.endswith("ed") or lower in {"told", "said", "thought", "known", "seen"}
    ):
        return None  # "would be considered", "was asked by": passive, its subject did not say it
    if _auxiliary(toks, i) in MODALS and lower not in {"say", "tell", "warn", "comment"}:
        return None  # "The mayor may seek a deal": the writer's guess, not a statement
    found: Source | None
    back = skip_back(toks, i - 1, lex)
    if (
        back >= 0
        and toks[back].lower in {"and", "but"}
        and not (lower.endswith("s") and lower not in {"says", "tells"})  # "interviews and tweets": nouns
    ):  # "X won, but told …", "X won and on Monday said …"
        found = clause_subject(toks, i - 1, text, lex)
    elif (
        lower in lex.cue_participles
        and (back := skip_back(toks, i - 1, lex)) >= 0
        and (toks[back].text in {","} | DASHES | QUOTE_MARKS)
    ):
        found = source_before(toks, i, text, lex) or clause_subject(toks, i, text, lex)
    elif _inverted(toks, i, masked):
        after_quote = masked[: tok.start].rstrip().endswith(('"', "”", "''"))
        if after_quote:
            found = _after(toks, i + 1, text, lex) or source_before(toks, i, text, lex)
        else:  # "X, a role, said" or "…, says X"
            found = source_before(toks, i, text, lex) or (
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
        found = source_before(toks, i, text, lex)
    if (
        found is not None
        and lower in lex.cue_lemmas
        and found.kind in ("name", "described", "organisation", "outlet")
        and _auxiliary(toks, i) not in MODALS | DO | {"to"}
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
    if not toks or toks[0].lower not in SUBORDINATORS:
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
    if j < 0 or j == i - 1 or (toks[j].text not in {",", "—", "–"} and toks[j].text not in QUOTE_MARKS):
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


def _after(toks: list[Token], i: int, text: str, lex: Lexicon, *, according: bool = False) -> Source | None:
    if according:
        i = _past_document(toks, i, lex)
    j = i
    while j < len(toks) and j - i < MAX_NP_TOKENS:
        tok = toks[j]
        lower = tok.lower
        if (
            (tok.capitalised and (tok.text not in lex.not_names or (j == i and lower == "the")))
            or (lower in DETERMINERS and j == i)
            or (lower in {"he", "she"} and j == i)
            or lower in lex.modifiers
            or source_noun(lower, lex)
            or lower in lex.particles
            or lower in lex.outlet_nouns
            or (tok.text == "." and j > i and abbreviation(toks[j - 1].text, lex) and j + 1 < len(toks))
            or (
                lower in PREPOSITIONS
                and j > i
                and pp_allowed(toks, j - 1, lex)
                and j + 1 < len(toks)
                and (toks[j + 1].capitalised or (toks[j + 2 : j + 3] and toks[j + 2].capitalised))
            )
            or (lower.endswith(("’s", "'s")) and tok.capitalised)
            or (role_word_before_name(toks, j) and sum(t.capitalised for t in toks[i:j]) <= 1)
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
    signed = SIGNATURE.search(text)
    if signed is not None:  # "… — Paul Ryan (@SpeakerRyan) July 5, 2016", "- Bernie Sanders."
        return Source("name", (signed["name"] or signed["tweeter"]).rstrip("."))
    starts = [0, *(k + 1 for k, t in enumerate(toks[:40]) if t.text in DASHES)]
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
