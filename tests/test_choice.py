"""attribution.choice: candidates proposed by the rules, chosen by the trained model (or the rules).

The article in tests/wire is our own, written in the style of a wire story: the author's own
sentences, a described and an unnamed source, a reported complaint, a named economist's expectation,
a quotation that runs on over a paragraph break, and a phrase the writer puts in quotation marks.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest

from bot.attribution import article_names, attribute, people_of
from bot.attribution.choice import (
    ORIGINS,
    Candidate,
    Chooser,
    choose,
    packaged_chooser,
    rule_choice,
)
from bot.attribution.models import Speaker
from bot.corpus import read_article
from bot.passages import split_article

WIRE = Path(__file__).parent / "wire"


def labels(decide_with: Chooser | None) -> dict[str, str]:
    """Each sentence of the wire article -> its first statement's speaker."""
    article = read_article(WIRE / "harbour-prices.md", "harbour-prices.md")
    names = article_names(article)
    passages = split_article(article)
    said = attribute(
        article, passages, people_of([names]), names, lambda _n, cands: choose(cands, decide_with)
    )
    return {p.text: s[0].speaker.label for p, s in zip(passages, said, strict=True)}


AUTHOR = "Tomas Lind (author, Coastal Wire)"
WIRE_SPEAKERS = [
    ("The ferry line will run three crossings", "the transport ministry"),  # "…, X said on Monday."
    ("Fees for lorries had been planned to ris", AUTHOR),  # a passive: no one is said to speak
    ("The harbour handled 1.2 million passenge", AUTHOR),  # no cue, no quotation: the author's
    ("Residents of the island complained that ", "residents of the island"),  # reported, unnamed
    ("Economist Marta Keel expects prices to r", "Economist Marta Keel"),  # an expectation, named
    ('"We cannot keep five boats on a route th', "Jonas Berg, the ferry line's director"),
    ('"Not now.', "Jonas Berg, the ferry line's director"),  # the quotation goes on …
    ('"Perhaps in the spring."', "Jonas Berg, the ferry line's director"),  # … over a paragraph break
    ("A senior port official said the timetab", "a senior port official"),  # described
    ("Officials declined to say how many jobs ", "officials"),
    ("The island's only bakery already calls ", AUTHOR),  # a phrase in quotation marks: the writer's
]


@pytest.mark.parametrize("chooser", ["model", "rules"])
@pytest.mark.parametrize(("sentence", "speaker"), WIRE_SPEAKERS)
def test_wire_story_speakers(chooser: str, sentence: str, speaker: str) -> None:
    found = labels(packaged_chooser() if chooser == "model" else None)
    [said_by] = [label for text, label in found.items() if text.startswith(sentence)]
    assert said_by == speaker


def test_the_trained_model_ships_and_loads() -> None:
    chooser = packaged_chooser()
    assert chooser is not None, "bot/attribution/chooser.json is missing: run scripts/train_attribution.py"
    assert "PolNeAR" in chooser.trained_on
    assert len(chooser.weights) > 20
    # Every weight belongs to a candidate origin: no feature names an article's words.
    assert {name.split("|")[0] for name in chooser.weights} <= set(ORIGINS)


def _candidate(origin: str, rule: bool = True, **weights: float) -> Candidate:
    speaker = None if origin == "voice" else Speaker(origin.title(), "person")
    described = {origin: 1.0, **weights}
    return Candidate(speaker, origin, lambda: described, rule=rule)  # type: ignore[arg-type]


def test_rules_take_the_first_candidate_they_accept() -> None:
    cands: Sequence[Candidate] = [
        _candidate("last", rule=False),
        _candidate("colon"),
        _candidate("voice"),
    ]
    assert rule_choice(cands).origin == "colon"
    assert choose(cands, None).origin == "colon"
    assert rule_choice([_candidate("voice")]).origin == "voice"


def test_the_model_takes_the_best_score_and_keeps_the_earlier_on_a_tie() -> None:
    chooser = Chooser(weights={"cue": 0.5, "voice": 2.0, "last": 2.0})
    cands = [_candidate("cue"), _candidate("last", rule=False), _candidate("voice")]
    assert chooser.choose(cands).origin == "last"
    assert Chooser(weights={"cue": 3.0}).choose(cands).origin == "cue"
    assert chooser.score(cands[0]) == pytest.approx(0.5)


def clause_speakers(name: str) -> list[tuple[str, str]]:
    """(clause text, speaker label) for every statement of an article of tests/wire."""
    article = read_article(WIRE / name, name)
    names = article_names(article)
    passages = split_article(article)
    said = attribute(article, passages, people_of([names]), names)
    return [
        (article.text[s.span[0] : s.span[1]], "voice" if s.kind == "voice" else s.speaker.label)
        for group in said
        for s in group
    ]


def speaker_of_words(name: str, words: str) -> set[str]:
    return {who for clause, who in clause_speakers(name) if words in clause}


def test_an_infinitive_cue_speaks_for_its_own_clause_only() -> None:
    # "The council hoped to reopen the bridge by May, and a second delay would push …": the
    # council's hope is the first clause; the rest of the sentence is the writer's.
    assert speaker_of_words("bridge-works.md", "reopen the bridge by May") == {"the council"}
    assert speaker_of_words("bridge-works.md", "onto the coast road") == {"voice"}


def test_a_clause_that_starts_with_to_again_stays_the_speakers() -> None:
    assert speaker_of_words("bridge-works.md", "plant trees along it") == {"the mayor"}


def test_a_verb_of_speech_speaks_for_the_clauses_after_it() -> None:
    # What someone said runs on over ", and …"; only an infinitive's content stops at its clause.
    assert speaker_of_words("bridge-works.md", "the contractor would pay") == {"the mayor"}
