"""The words attribution knows, read from lexicon.toml: cue verbs in every inflection, titles, source nouns."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

LEXICON_FILE = Path(__file__).with_name("lexicon.toml")
_VOWELS = frozenset("aeiou")


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word sets for attribution; all lower case except where capitalisation is the point."""

    cue_forms: frozenset[str]  # every inflection of a cue verb: "say", "says", "said", "saying"
    cue_participles: frozenset[str]
    speech_forms: frozenset[str]  # the inflections of the cue verbs that report words said or written
    cue_lemmas: frozenset[
        str
    ]  # the bare forms: "say", "post", "claim"  # "saying", "adding", "warning": a cue whose subject is the clause's
    phrase_cues: dict[str, tuple[tuple[str, ...], ...]]  # by first word: "called" -> (("called", "for"),) …
    according: tuple[tuple[str, ...], ...]  # ("according", "to") …
    document_nouns: frozenset[str]
    modifiers: frozenset[str]
    stance_adjectives: frozenset[str]
    between: frozenset[str]
    titles: frozenset[str]  # as written, without a full stop: "Sen", "President"
    particles: frozenset[str]
    suffixes: frozenset[str]
    person_nouns: frozenset[str]
    group_nouns: frozenset[str]
    organisation_words: frozenset[str]
    outlet_words: frozenset[str]
    outlet_nouns: frozenset[str]
    not_names: frozenset[str]


def inflections(lemma: str) -> set[str]:
    """say -> says, sayed, saying (the wrong ones are harmless: no text uses them); carry -> carries, carried."""
    forms = {lemma}
    if lemma.endswith("e") and not lemma.endswith("ee"):
        forms |= {lemma + "s", lemma + "d", lemma[:-1] + "ing"}
    elif lemma.endswith("y") and len(lemma) > 2 and lemma[-2] not in _VOWELS:
        forms |= {lemma[:-1] + "ies", lemma[:-1] + "ied", lemma + "ing"}
    elif lemma.endswith(("s", "sh", "ch", "x", "z", "o")):
        forms |= {lemma + "es", lemma + "ed", lemma + "ing"}
    else:
        forms |= {lemma + "s", lemma + "ed", lemma + "ing"}
        if _doubles(lemma):
            forms |= {lemma + lemma[-1] + "ed", lemma + lemma[-1] + "ing"}
    return forms


def _doubles(lemma: str) -> bool:
    """A one-syllable verb ending consonant-vowel-consonant doubles it: slam -> slammed, quip -> quipped."""
    return (
        len(lemma) >= 3
        and lemma[-1] not in _VOWELS | {"w", "x", "y"}
        and lemma[-2] in _VOWELS
        and lemma[-3] not in _VOWELS
        and sum(ch in _VOWELS for ch in lemma) == 1
    )


def _words(text: str) -> list[str]:
    return text.split()


def _phrases(text: str) -> list[tuple[str, ...]]:
    return [tuple(part.split()) for part in text.replace("\n", " ").split("|") if part.strip()]


@cache
def lexicon() -> Lexicon:
    """The lexicon, read once."""
    data = tomllib.loads(LEXICON_FILE.read_text("utf-8"))
    cues, names, sources = data["cues"], data["names"], data["sources"]
    irregular = {
        line.split()[0]: set(line.split()[1:]) for line in cues["irregular"].splitlines() if line.strip()
    }
    forms: set[str] = set()
    participles: set[str] = set()
    for lemma in _words(cues["verbs"]):
        inflected = inflections(lemma) | irregular.get(lemma, set())
        forms |= inflected
        participles |= {f for f in inflected if f.endswith("ing")}
    speech = set().union(*(inflections(v) | irregular.get(v, set()) for v in _words(cues["speech"])))
    phrase_cues = []
    for first, *rest in _phrases(cues["phrases"]):
        for form in inflections(first) | irregular.get(first, set()):
            phrase_cues.append((form, *rest))
    return Lexicon(
        cue_forms=frozenset(forms),
        cue_participles=frozenset(participles),
        speech_forms=frozenset(speech & forms),
        cue_lemmas=frozenset(_words(cues["verbs"])),
        phrase_cues={
            first: tuple(sorted((p for p in phrase_cues if p[0] == first), key=len, reverse=True))
            for first in {p[0] for p in phrase_cues}
        },
        according=tuple(_phrases(cues["according"])),
        document_nouns=frozenset(_words(cues["document_nouns"])),
        modifiers=frozenset(_words(cues["modifiers"])),
        stance_adjectives=frozenset(_words(cues["stance_adjectives"])),
        between=frozenset(_words(data["skip"]["between"])),
        titles=frozenset(_words(names["titles"])),
        particles=frozenset(_words(names["particles"])),
        suffixes=frozenset(_words(names["suffixes"])),
        person_nouns=frozenset(w.lower() for w in _words(sources["person_nouns"])),
        group_nouns=frozenset(w.lower() for w in _words(sources["group_nouns"])),
        organisation_words=frozenset(_words(sources["organisation_words"])),
        outlet_words=frozenset(_words(sources["outlet_words"])),
        outlet_nouns=frozenset(_words(sources["outlet_nouns"])),
        not_names=frozenset(_words(sources["not_names"])),
    )
