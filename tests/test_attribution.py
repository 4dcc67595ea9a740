"""attribution: who said what, read from the text: the seeds, and small articles of our own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.answers import answer
from bot.index import SearchIndex
from tests.conftest import OWN_ARTICLES
from tests.slack_kit import ROOT, clean_environ


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
        # a stated position ("denied Ukraine's sovereignty") is its holder's, "he" the last person named
        ("He has consistently denied", "Russian President Vladimir Putin"),
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


# ----------------------------------------------------------------------------------------------
# Small articles of our own (tests/articles/): described and unnamed sources, shared surnames,
# names that are also words, '' quote marks, quotations over several sentences and paragraphs.

ARTICLES = OWN_ARTICLES


@pytest.mark.parametrize(
    ("fragment", "speaker", "kind"),
    [
        ("The commander said the channel", "the commander", "described"),
        ("The mayor warned that fishing", "the mayor", "described"),
        ("The harbour is mined", "the admiral", "described"),
        ("Nobody sails until we say so", "the admiral", "described"),
        ("Officials in Kyiv said", "officials in Kyiv", "group"),
        ("A senior official at the port authority", "a senior official at the port authority", "described"),
        ("The closure is the third this year", "Ana Ferreira (author, The Coastal Ledger)", "author"),
        ("We have waited long enough", "Councillor Maria Okafor", "person"),
        ("This line will carry", "Councillor Maria Okafor", "person"),
        ("It will also cut the traffic", "Councillor Maria Okafor", "person"),
        ("construction would start in spring", "Roy Cooper, the transport director", "person"),
        ("the works would ruin his trade", "Anderson Cooper, a shop owner on the route", "person"),
        ("the line was welcome", "Theresa May", "person"),
        ("the old bridge could not carry trams", "Stephen King, a local author", "person"),
        ("The bridge is fine", "Sen. Lindsey Graham", "person"),
        (
            "We will not accept foreign troops",
            "Sergei Volkov, the chairman of the defence committee",
            "person",
        ),
        ("Any such force would be a target", "Sergei Volkov", "person"),
        ("The session ended without a vote", "Ivan Petrov (author)", "author"),
    ],
)
def test_sources_as_news_writes_them(own_index: SearchIndex, fragment: str, speaker: str, kind: str) -> None:
    [statement] = own_index.statements_of(passage_with(own_index, fragment))
    assert (statement.speaker.kind, statement.speaker.label) == (kind, speaker) or (
        statement.speaker.kind == kind and statement.speaker.label.startswith(speaker)
    ), statement.speaker


def test_people_who_share_a_surname_stay_apart(own_index: SearchIndex) -> None:
    roy = own_index.people.find("Roy Cooper")
    anderson = own_index.people.find("Anderson Cooper")
    assert roy is not None and anderson is not None and roy is not anderson
    assert {p.name for p in own_index.people} >= {"Theresa May", "Stephen King", "Maria Okafor"}


def test_person_mode_puts_their_own_words_first(own_index: SearchIndex) -> None:
    result = answer("/whosaid Maria Okafor", own_index)
    assert result.found and result.speaker == "Maria Okafor"
    assert all("Maria Okafor" in (q.speaker or "") for q in result.answers)


def test_the_same_corpus_gives_the_same_answers_whatever_the_hash_seed(tmp_path: Path) -> None:
    questions = "/whosaid Cooper\n/whosaid Roy Cooper\n/whosaid the bridge is fine\n/whosaid Okafor\n"
    outputs = []
    for seed in ("1", "2"):
        env = clean_environ() | {"PYTHONHASHSEED": seed, "STATE_DIR": str(tmp_path / seed)}
        result = subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--json", "--corpus", str(ARTICLES), "-"],
            input=questions,
            capture_output=True,
            text=True,
            env=env,
            cwd=ROOT,
            timeout=120,
            check=True,
        )
        outputs.append(result.stdout)
    assert outputs[0] == outputs[1]
