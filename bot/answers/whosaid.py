"""/whosaid: who said a phrase (the statement that matches it, and its speaker), or what a person said.

A phrase is matched against statements, not just sentences: a sentence that reports two speakers
("Macron asserted …, while Starmer echoed …") is two statements, and a person's words quoted inside
an author's sentence are that person's. Matching is BM25 for recall (with misspelt words corrected
against the corpus's own words) and rapidfuzz for closeness, so paraphrase, reordered words, missing
punctuation and small typos still find the statement; a phrase nothing matches well is `found: false`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.answers.models import Answer, Quote
from bot.answers.retrieval import (
    CANDIDATES,
    MIN_COVERAGE,
    Ranked,
    coverage,
    found,
    not_found,
    query_problem,
    quote,
)
from bot.answers.routing import strip_quotes
from bot.attribution import Person, Statement, speaks_for_passage
from bot.attribution.people import person_key
from bot.index import SearchIndex
from bot.text import fold, words

PHRASE_COVERAGE = 0.6  # share of the phrase's idf weight a statement must contain …
CLOSE_WORDING = 85  # … unless its wording is this close (rapidfuzz, 0-100)
SAME_ANSWER = 0.9  # further statements are shown when they match nearly as closely as the best one
NAME_MATCH = 85  # a word this close to a name counts as the name ("Zelenskiy", "Nemet")

_TOPIC = re.compile(r"\s+(?:about|on|regarding|concerning)\s+", re.IGNORECASE)
_TITLE_WORDS = frozenset(
    "the president prime minister mr mrs ms dr chief former secretary general chancellor foreign defense "
    "defence u.s. us uk u.k. french russian ukrainian british american nato".split()
)


@dataclass(frozen=True, slots=True)
class _Match:
    pid: int
    statement: Statement
    score: float
    lexical: float
    wording: float


def whosaid(argument: str, index: SearchIndex, max_quotes: int = 3) -> Answer:
    """/whosaid <phrase>: who said it; /whosaid <person> [about <topic>]: what they said."""
    argument = strip_quotes(argument)
    name, _, topic = (part.strip() for part in _partition_topic(argument))
    key = speaker_named(name, index)
    if key is not None:
        return said_by(key, topic, argument, index, max_quotes)
    return who_said(argument, index, max_quotes)


def speaker_named(name: str, index: SearchIndex, *, people_only: bool = False) -> str | None:
    """The speaker key that `name` names ("Putin", "President Zelenskiy", "European officials"), if any."""
    folded = fold(name).strip(" ?.!").removeprefix("the ")
    if not folded or len(folded.split()) > 6:
        return None
    person = index.people.epithet(folded) or index.people.find(name.strip(" ?.!"))
    person = person or _person_by_words(folded, index)
    if person is not None:
        return f"p:{person.key}"
    named = f"p:{person_key(name)}"  # someone quoted under a name the corpus never gives in full
    if len(folded.split()) >= 2 and named in index.speakers:
        return named
    if people_only:
        return None
    groups = (
        key
        for key, speaker in index.speakers.items()
        if speaker.kind in ("described", "group", "organisation", "outlet")
    )
    return next((key for key in groups if fuzz.ratio(folded, key[2:]) >= 92), None)


def said_by(key: str, topic: str, argument: str, index: SearchIndex, max_quotes: int) -> Answer:
    """What one speaker said, across all articles: about `topic` if given, else the clearest first."""
    name = _speaker_name(key, index)
    said = index.statements_by(key)
    if not said:
        return not_found("whosaid", argument, f"The articles mention {name} but quote nothing {name} said.")
    terms = index.analyzer.tokenize_query(topic)
    if terms and query_problem(topic, terms, index) is None:
        scores = index.scores(terms)
        ranked = [
            (pid, s, float(scores[pid])) for pid, s in said if coverage(index, pid, terms) >= MIN_COVERAGE
        ]
        if not ranked:
            return not_found("whosaid", argument, f"{name} is quoted in the articles, but not about {topic}.")
        ranked.sort(key=lambda item: -item[2])
    else:
        terms = []
        ranked = [(pid, s, _clarity(s)) for pid, s in _across_articles(said, index)]
    quotes: list[Quote] = []
    seen: set[int] = set()
    for pid, statement, score in ranked:
        if pid in seen:
            continue
        seen.add(pid)
        quotes.append(quote(index, Ranked(pid, score), terms, statement=statement))
        if len(quotes) == max_quotes:
            break
    return found("whosaid", argument, quotes).model_copy(update={"speaker": name})


def who_said(phrase: str, index: SearchIndex, max_quotes: int) -> Answer:
    """The statements that best match `phrase`, best first, each with its speaker."""
    terms = _corrected_terms(phrase, index)
    problem = query_problem(phrase, terms, index)
    if problem is not None:
        return not_found("whosaid", phrase, problem)
    scores = index.scores(terms)
    matches = [_best_statement(pid, phrase, terms, index) for pid in index.top(scores, CANDIDATES)]
    good = [
        m for m in matches if m.lexical >= PHRASE_COVERAGE or (m.wording >= CLOSE_WORDING and m.lexical > 0)
    ]
    if not good:
        return not_found(
            "whosaid", phrase, "No article quotes anyone saying that. Try other words, or a name."
        )
    good.sort(key=lambda m: (-m.score, index.order(m.pid)))
    chosen = [m for m in good if m.score >= SAME_ANSWER * good[0].score][:max_quotes]
    return found(
        "whosaid",
        phrase,
        [quote(index, Ranked(m.pid, m.score), terms, statement=m.statement) for m in chosen],
    )


def _partition_topic(argument: str) -> tuple[str, str, str]:
    match = _TOPIC.search(argument)
    if match is None:
        return argument, "", ""
    return argument[: match.start()], match.group(), argument[match.end() :]


def _person_by_words(folded: str, index: SearchIndex) -> Person | None:
    """A person whose names account for every word of `folded` (titles aside), one of them a name."""
    asked = [w for w in words(folded) if w not in _TITLE_WORDS]
    if not asked:
        return None
    best: tuple[float, Person] | None = None
    for person in index.people:
        names = _name_words(person)
        closeness = [max(fuzz.ratio(word, n) for n in names) for word in asked]
        if min(closeness) >= NAME_MATCH and (best is None or sum(closeness) > best[0]):
            best = (sum(closeness), person)
    return best[1] if best else None


def _name_words(person: Person) -> set[str]:
    return set(words(person.name))


def _speaker_name(key: str, index: SearchIndex) -> str:
    if key.startswith("p:"):
        person = index.people.by_key(key[2:])
        if person is not None:
            return person.name
    speaker = index.speakers.get(key)
    return speaker.name if speaker else key[2:]


def _clarity(statement: Statement) -> float:
    """Without a topic, a direct quotation says most about what someone said, then reported speech."""
    return {"quoted": 3.0, "reported": 2.0}.get(statement.kind, 1.0) - (
        0.5 if not speaks_for_passage(statement) else 0
    )


def _across_articles(said: list[tuple[int, Statement]], index: SearchIndex) -> list[tuple[int, Statement]]:
    """Clearest statements first, taking each article's best before any article's second."""
    by_doc: dict[str, list[tuple[int, Statement]]] = {}
    for pid, statement in sorted(said, key=lambda item: (-_clarity(item[1]), index.order(item[0]))):
        by_doc.setdefault(index.doc_id(pid), []).append((pid, statement))
    rounds: list[tuple[int, Statement]] = []
    depth = 0
    while len(rounds) < len(said):
        layer = [items[depth] for items in by_doc.values() if depth < len(items)]
        rounds.extend(sorted(layer, key=lambda item: (-_clarity(item[1]), index.order(item[0]))))
        depth += 1
    return rounds


def _corrected_terms(phrase: str, index: SearchIndex) -> list[str]:
    """The phrase's index terms, each unknown word replaced by the closest word the corpus uses."""
    terms = []
    for word, term in index.analyzer.analyse_query(phrase):
        terms.extend([term] if index.knows(term) else index.correct(word) or [term])
    return terms


def _best_statement(pid: int, phrase: str, terms: list[str], index: SearchIndex) -> _Match:
    """The statement of passage `pid` that matches `phrase` best, scored by words and wording."""
    passage = index.passage(pid)
    wanted = set(terms)
    total = sum(index.idf(t) for t in wanted) or 1.0
    folded_phrase = fold(phrase)
    best: _Match | None = None
    for statement in index.statements_of(pid):
        said = passage.text[statement.said[0] - passage.start : statement.said[1] - passage.start]
        # A whole-sentence statement has the passage's terms, which include a person named only as "he".
        whole = statement.said == (passage.start, passage.end)
        said_terms = set(index.terms(pid)) if whole else set(index.analyzer.tokenize(said))
        lexical = sum(index.idf(t) for t in wanted & said_terms) / total
        folded_said = fold(said)
        wording = max(
            fuzz.partial_ratio(folded_phrase, folded_said), fuzz.token_set_ratio(folded_phrase, folded_said)
        )
        score = 0.6 * lexical + 0.4 * wording / 100 + (0.01 if statement.kind != "voice" else 0.0)
        if best is None or score > best.score:
            best = _Match(pid, statement, score, lexical, wording)
    assert best is not None
    return best
