"""quotes: who said what, attributed from the text."""

from __future__ import annotations

import pytest

from bot.index import SearchIndex


def passage_with(index: SearchIndex, fragment: str) -> int:
    """The one passage that contains `fragment`."""
    matches = [i for i in range(len(index)) if fragment in index.passage_text(i)]
    assert len(matches) == 1, fragment
    return matches[0]


def speakers_of(index: SearchIndex, fragment: str) -> list[str]:
    """Speaker labels of the statements in the passage that contains `fragment`."""
    return [s.speaker.label for s in index.statements_of(passage_with(index, fragment))]


@pytest.mark.parametrize(
    ("fragment", "speaker"),
    [
        # "…, says X, role" and the speaker named after the quote
        ("is a long shot, says", "Bence Németh, a defense expert at King’s College London"),
        ("such as including troops that Russia sees as friendly", "Bence Németh"),
        (
            "said Camille Grand",
            "Camille Grand, a former senior NATO official now at the European Council on Foreign Relations",
        ),
        # direct quotation, speaker after the verb, with role
        ("This isn’t merely a matter", "U.K. Prime Minister Keir Starmer"),
        # direct quotation, unnamed source before the verb
        ("We need something sustainable", "an unnamed European diplomat"),
        # groups and unnamed sources
        ("According to statements from former Russian officials", "former Russian officials"),
        ("Sources familiar with the talks", "sources familiar with the talks"),
        ("officials say.", "officials"),
        ("according to European officials", "European officials"),
        ("Some officials say the deployed troops", "some officials"),
        ("experts caution that", "experts"),
        # pronouns and epithets resolve to the person
        ("He also called for US troops", "President Volodymyr Zelenskyy"),
        ("He expressed Russia’s readiness", "Russian President Vladimir Putin"),
        ("He reiterated in Brussels", "Ukrainian President Volodymyr Zelenskyy"),
        ("The Kremlin dictator continues to insist", "Russian President Vladimir Putin"),
        # outlets, including "the newspaper" and "The Post"
        ("according to a report by The Washington Post", "The Washington Post"),
        ("according to the newspaper", "The Washington Post"),
        ("The Post reported that", "The Washington Post"),
        # the article's own voice: author, else outlet, else the article
        ("Trump may seek a quick win", "Naila Huseynova (author, Caliber.Az)"),
        ("Caliber.Az reports via foreign media", "Naila Huseynova (author, Caliber.Az)"),
        ("He has consistently denied", "Naila Huseynova (author, Caliber.Az)"),
        ("Ongoing discussions also focus on clarifying", "Defence Talks"),
        (
            "President Trump so far hasn’t committed",
            "the article “Europe Hatches Plans for Ukraine Peacekeepers Without U.S.”",
        ),
    ],
)
def test_one_speaker(seed_index: SearchIndex, fragment: str, speaker: str) -> None:
    assert speakers_of(seed_index, fragment) == [speaker]


def test_two_speakers_in_one_sentence_split_by_clause(seed_index: SearchIndex) -> None:
    i = passage_with(seed_index, "Macron has asserted")
    said = {s.speaker.label: seed_index.span_text(i, *s.span) for s in seed_index.statements_of(i)}
    assert said["French President Emmanuel Macron"].endswith("fundamentally a European responsibility")
    assert said["U.K. Prime Minister Keir Starmer"].startswith("Starmer echoed that the U.K. is prepared")


def test_a_quoted_phrase_inside_the_authors_sentence_is_the_persons(seed_index: SearchIndex) -> None:
    i = passage_with(seed_index, "high levels of Taxes")
    by_kind = {s.kind: s for s in seed_index.statements_of(i)}
    quoted = by_kind["quoted"]
    assert seed_index.span_text(i, *quoted.said) == "high levels of Taxes, Tariffs, and Sanctions"
    assert by_kind["voice"].speaker.name == "Naila Huseynova"
    assert quoted.speaker.name == "Donald Trump"


def test_name_variants_are_one_person(seed_index: SearchIndex) -> None:
    names = {
        s.speaker.name
        for i in range(len(seed_index))
        for s in seed_index.statements_of(i)
        if s.speaker.kind == "person" and "zelensk" in s.speaker.name.lower()
    }
    assert names == {"Volodymyr Zelenskyy"}
    assert seed_index.people.find("Vladimir Zelensky") is seed_index.people.find("Zelenskyy")
    putin = seed_index.people.find("Russian President Vladimir Putin")
    assert putin is not None and putin.name == "Vladimir Putin"
    assert seed_index.people.find("the Kremlin dictator") is putin


def test_a_noun_that_looks_like_a_verb_is_not_speech(seed_index: SearchIndex) -> None:
    # "erase the Ukrainian state": "state" is a noun here, so the author speaks.
    assert speakers_of(seed_index, "he still seeks to erase the Ukrainian state") == [
        "Alena Getmanchuk (author, Director of the New Europe Center and a nonresident senior fellow at the Atlantic "
        "Council’s Eurasia Center)"
    ]
