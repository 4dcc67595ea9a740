"""The people of a corpus: one entity per person, whatever form of the name an article uses.

A full name ("Roy Cooper") is a person; the surname alone or with a title ("Cooper", "Mr. Cooper")
is the person of that surname the same article names in full, else the only one the corpus names.
Two people who share a surname stay apart (Roy Cooper, Anderson Cooper). Spelling variants across
articles (Zelensky, Zelenskyy, Zelenskiy) are one person when their surnames fold to nearly the same
word and their first names, where both are given, agree.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from functools import lru_cache
from typing import Protocol

from rapidfuzz import fuzz

from bot.attribution.lexicon import lexicon
from bot.attribution.models import Person
from bot.text import fold, words

SURNAME_MATCH = 88  # rapidfuzz ratio of folded surnames for spelling variants of one name
FIRST_NAME_MATCH = 70  # … with first names this close, where both are given,
SAME_INITIAL_MATCH = 55  # … or this close with the same initial (Volodymyr, Vladimir; not John, Jane)
_WORD = re.compile(r"[^\W\d_][\w'’-]*")


@lru_cache(maxsize=65_536)
def name_key(word: str) -> str:
    """A surname folded to match its variants: Németh = Nemeth, Putin's = Putin."""
    # Folded, not stemmed: a stemmer's rules are for words ("Zelensky" would become "zelenski", farther
    # from "Zelenskyy" than the names are).
    folded = words(word.rstrip("’'s").rstrip("’'"))
    return folded[-1] if folded else fold(word)


def name_words(name: str) -> list[str]:
    """The parts of a name without titles and suffixes: "Sen. Lindsey Graham Jr." -> Lindsey, Graham."""
    lex = lexicon()
    parts = [w.rstrip(".") for w in _WORD.findall(name)]
    while len(parts) > 1 and parts[-1] in lex.suffixes:
        parts.pop()
    while len(parts) > 1 and parts[0] in lex.titles:  # a title first; last, it is a surname (King, May)
        parts.pop(0)
    return parts


def person_key(name: str) -> str:
    """The key of a full name: folded first name and surname key; a surname alone is its key."""
    words = name_words(name)
    if not words:
        return ""
    last = name_key(words[-1])
    return f"{fold(words[0])} {last}" if len(words) > 1 else last


class People:
    """Everyone the corpus names as a person, each under one canonical name and key."""

    def __init__(self, persons: Iterable[Person], epithets: dict[str, str] | None = None) -> None:
        """`epithets` maps a description to the full name of the person it means (shelf data)."""
        self._by_key = {p.key: p for p in sorted(persons, key=lambda p: p.key)}
        self._by_surname: dict[str, list[Person]] = {}
        for person in self._by_key.values():
            self._by_surname.setdefault(person.key.split()[-1], []).append(person)
        self._epithets: dict[str, str] = {}
        for description, full_name in (epithets or {}).items():
            meant = self.find(full_name)
            if meant is not None:
                self._epithets[fold(description).removeprefix("the ")] = meant.key

    @classmethod
    def from_names(
        cls, names: Iterable[tuple[str, str | None]], epithets: dict[str, str] | None = None
    ) -> People:
        """People from (full name, role) sightings, in corpus order; spelling variants merged.

        `epithets` maps a description to the full name of the person it means ("the Kremlin leader":
        "Vladimir Putin"): shelf knowledge, given as data.
        """
        forms: dict[str, Counter[str]] = {}
        roles: dict[str, Counter[str]] = {}
        for name, role in names:
            key = person_key(name)
            if " " not in key:
                continue  # a surname alone names no one until a full name is seen
            forms.setdefault(key, Counter())[" ".join(name_words(name))] += 1
            if role:
                roles.setdefault(key, Counter())[role] += 1
        merged = _merge_variants(sorted(forms, key=lambda k: (-sum(forms[k].values()), k)))
        persons: dict[str, Person] = {}
        for key in sorted(forms):
            home = merged[key]
            person = persons.setdefault(home, Person(name="", key=home))
            person.roles.update(roles.get(key, Counter()))
        for home, person in persons.items():
            counts = Counter[str]()
            for key, target in merged.items():
                if target == home:
                    counts.update(forms[key])
            person.name = sorted(counts.items(), key=lambda item: (-item[1], -len(item[0]), item[0]))[0][0]
        return cls(persons.values(), epithets)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and key in self._by_key

    def __iter__(self) -> Iterator[Person]:
        return iter(self._by_key.values())  # in key order, as made

    def __len__(self) -> int:
        return len(self._by_key)

    def by_key(self, key: str) -> Person | None:
        """The person with this key, if any."""
        return self._by_key.get(key)

    def epithet(self, text: str) -> Person | None:
        """The person a known description means ("the Kremlin leader"), if it is one."""
        key = self._epithets.get(fold(text).removeprefix("the "))
        return self._by_key.get(key) if key else None

    def find(self, name: str, local: dict[str, Person] | None = None) -> Person | None:
        """The person a name refers to: a full name, or a surname the article (`local`) or corpus makes unique."""
        if (person := self.epithet(name)) is not None:
            return person
        words = name_words(name)
        if not words:
            return None
        surname = name_key(words[-1])
        if len(words) == 1:
            if local and surname in local:
                return local[surname]
            same = self._surname_matches(surname)
            return same[0] if len(same) == 1 else None
        key = person_key(name)
        if key in self._by_key:
            return self._by_key[key]
        given = [fold(w) for w in words[:-1]]  # "Russian Vladimir Putin": any word may be the first name
        close = [
            p
            for p in self._surname_matches(surname)
            if any(first_names_agree(g, p.key.split()[0]) for g in given)
        ]
        return close[0] if len(close) == 1 else None

    def _surname_matches(self, surname: str) -> list[Person]:
        exact = self._by_surname.get(surname)
        if exact:
            return exact
        return [
            p
            for s, persons in self._by_surname.items()
            if s[:1] == surname[:1] and fuzz.ratio(s, surname) >= SURNAME_MATCH
            for p in persons
        ]


class PeopleLookup(Protocol):
    """What attribution asks of the corpus's people."""

    def find(self, name: str, local: dict[str, Person] | None = None) -> Person | None: ...

    def epithet(self, text: str) -> Person | None: ...


# What attribution learned from one lookup: (method, name, the article's people by surname as
# (surname, key) pairs, and what was found as (name, key, usual role)). Attribution reads nothing else
# of a person, so an article whose lookups all find the same again is attributed the same.
Found = tuple[str, str, str | None]
Lookup = tuple[str, str, tuple[tuple[str, str], ...] | None, Found | None]


class RecordedPeople:
    """People that note each lookup and what it found (`lookups`), to be checked against another
    corpus's people with `lookups_hold`: attribution of an article can then be kept, not redone."""

    def __init__(self, people: People) -> None:
        self._people = people
        self._seen: dict[tuple[str, str, tuple[tuple[str, str], ...] | None], Found | None] = {}

    @property
    def lookups(self) -> list[Lookup]:
        """Every distinct lookup made so far, in order, with what it found."""
        return [(*call, found) for call, found in self._seen.items()]

    def find(self, name: str, local: dict[str, Person] | None = None) -> Person | None:
        person = self._people.find(name, local)
        self._seen.setdefault(("find", name, _local_keys(local)), _found(person))
        return person

    def epithet(self, text: str) -> Person | None:
        person = self._people.epithet(text)
        self._seen.setdefault(("epithet", text, None), _found(person))
        return person


def lookups_hold(lookups: Iterable[Lookup], people: People) -> bool:
    """Every lookup finds what it found before (so attribution would come out the same)."""
    for method, name, local, found in lookups:
        if method == "epithet":
            person = people.epithet(name)
        else:
            mapped: dict[str, Person] = {}
            for surname, key in local or ():
                known = people.by_key(key)
                if known is None:
                    return False
                mapped[surname] = known
            person = people.find(name, mapped or None)
        if _found(person) != found:
            return False
    return True


def usual_role(person: Person) -> str | None:
    """The role to give a person the article gives none: the fullest the corpus gives ("Russian
    President" over "President"), then the most seen."""
    if not person.roles:
        return None
    return sorted(person.roles.items(), key=lambda item: (-len(item[0].split()), -item[1], item[0]))[0][0]


def _found(person: Person | None) -> Found | None:
    return None if person is None else (person.name, person.key, usual_role(person))


def _local_keys(local: dict[str, Person] | None) -> tuple[tuple[str, str], ...] | None:
    return tuple(sorted((surname, person.key) for surname, person in local.items())) if local else None


def _merge_variants(keys: list[str]) -> dict[str, str]:
    """Each key -> the key of its person: the most seen of its spelling variants."""
    home: dict[str, str] = {}
    for key in keys:
        first, _, last = key.partition(" ")
        target = next(
            (
                h
                for h in dict.fromkeys(home.values())
                if h.split()[-1][:1] == last[:1]
                and fuzz.ratio(h.split()[-1], last) >= SURNAME_MATCH
                and first_names_agree(h.split()[0], first)
            ),
            key,
        )
        home[key] = target
    return home


def first_names_agree(one: str, other: str) -> bool:
    """Two folded first names that may be one person's: close, or nearly so with the same initial."""
    ratio = fuzz.ratio(one, other)
    return ratio >= FIRST_NAME_MATCH or (one[:1] == other[:1] and ratio >= SAME_INITIAL_MATCH)
