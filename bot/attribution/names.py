"""The people an article names (authors, titled names, named sources) and the people of a corpus."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Iterator, Sequence
from functools import cache

from bot.attribution.lexicon import lexicon
from bot.attribution.marks import CLAUSE_SPLIT, cue_possible, mask_quotations
from bot.attribution.people import (
    People,
)
from bot.attribution.sources import find_source
from bot.corpus import Article
from bot.passages import split_sentences


def people_of(
    names: Iterable[Sequence[tuple[str, str | None]]], epithets: dict[str, str] | None = None
) -> People:
    """Every person the corpus names in full as a source, with a title, or as an author, from each
    article's `article_names`; `epithets` (the domain file's) maps descriptions to people's names."""
    return People.from_names(itertools.chain.from_iterable(names), epithets)


def article_names(article: Article) -> list[tuple[str, str | None]]:
    """(name, role) for the people one article names: its authors, titled names, named sources, and the
    full names of sources it names by surname. Paragraphs with no speech cue are only scanned for titles."""
    names: list[tuple[str, str | None]] = [
        (author, None) for author in re.split(r"\s*(?:,|\band\b|&)\s*", article.author or "") if author
    ]
    surnames: set[str] = set()
    for start, end in article.paragraphs:
        paragraph = article.text[start:end]
        names.extend(titled_names(paragraph))
        if not cue_possible(paragraph):
            continue
        for s_start, s_end in split_sentences(paragraph):
            for name, role in _sources_named(paragraph[s_start:s_end]):
                if " " in name:
                    names.append((name, role))
                else:
                    surnames.add(name)
    names.extend(_full_names(article.text, surnames))
    return names


def _full_names(text: str, surnames: set[str]) -> Iterator[tuple[str, str | None]]:
    """For a source named by surname alone ("McDonough wrote"), the full name the article gives it
    elsewhere ("White House Chief of Staff Denis McDonough")."""
    lex = lexicon()
    for surname in sorted(surnames):
        pattern = rf"((?:[A-ZÀ-Þ][\w'’-]+\s+(?:[A-Z]\.\s+)?){{1,2}}){re.escape(surname)}\b"
        for match in re.finditer(pattern, text):
            words = match.group(1).split()
            while words and (words[0] in lex.not_names or words[0].rstrip(".") in lex.titles):
                words.pop(0)
            if words and not {w.rstrip(".") for w in words} & (lex.titles | lex.organisation_words):
                yield " ".join([*words, surname]), None
                break


def _sources_named(text: str) -> Iterator[tuple[str, str | None]]:
    """Names a sentence gives as sources (one per clause), with the role before the name, if any."""
    if not cue_possible(text):
        return
    masked, _ = mask_quotations(text, False)
    cuts = [0, *(m.end() for m in CLAUSE_SPLIT.finditer(masked)), len(text)]
    for start, end in itertools.pairwise(cuts):
        source = find_source(masked[start:end], text[start:end])
        if source is not None and source.kind == "name":
            yield source.name, source.role if source.role_first else None


@cache
def _titled_name() -> re.Pattern[str]:
    lex = lexicon()
    titles = "|".join(sorted((re.escape(t) for t in lex.titles), key=len, reverse=True))
    name = r"[A-ZÀ-Þ][a-zà-ÿ'’-]+"
    lead = r"(?:(?:[A-Z][\w’'-]*|[A-Z]\.(?:[A-Z]\.)+)\s+){0,2}"  # "U.S.", "Russian", "Prime"
    return re.compile(
        rf"(?<![\w.])(?P<title>{lead}(?:{titles})\.?)\s+(?P<name>{name}(?:\s+(?:[A-Z]\.\s+)?{name}){{1,2}})\b"
    )


def titled_names(text: str) -> Iterator[tuple[str, str | None]]:
    """("Lindsey Graham", "Sen.") for every title followed by a full name."""
    lex = lexicon()
    for match in _titled_name().finditer(text):
        words = match["name"].split()
        if words[0] in lex.not_names or words[0] in lex.titles:
            continue
        if {w for w in words} & (lex.organisation_words | lex.outlet_words):
            continue
        title = match["title"].split()
        while title and title[0] in lex.not_names:
            title.pop(0)
        yield match["name"], " ".join(title) or None
