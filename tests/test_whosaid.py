"""/whosaid over the seeds: phrases to speakers, names to what they said, nothing for nonsense."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import answer, parse
from bot.answers.whosaid import speaker_named
from bot.domain import shipped_domain
from bot.index import SearchIndex

PHRASES = [
    # "…, says X, role" / X after the quote, mid-sentence
    ("a long shot", "Bence Németh"),
    ("troops that Russia sees as friendly from China or India", "Bence Németh"),
    ("clearly stated US political backing for the European deployment", "Camille Grand"),
    # direct quotations, missing punctuation, a sentence from the middle of the quote
    ("this isnt merely a matter of ukraines sovereignty", "Keir Starmer"),
    ("If Russia is victorious the repercussions will reverberate across Europe", "Keir Starmer"),
    ("we need something sustainable", "an unnamed European diplomat"),
    # two speakers in one sentence: each clause to its own
    ("constructing security assurances is a European responsibility", "Emmanuel Macron"),
    ("the UK is prepared to play an active role in peacekeeping", "Keir Starmer"),
    # reported speech with the verbs of the brief
    ("security assurances from allied nations are critical to a sustainable peace", "Volodymyr Zelenskyy"),
    ("only a matter of time before Russia makes another incursion", "Volodymyr Zelenskyy"),
    ("tens of thousands of allied troops", "Volodymyr Zelenskyy"),
    ("meaningful talks cannot happen without unbreakable security guarantees", "Volodymyr Zelenskyy"),
    ("abandonment of NATO aspirations and new territorial realities", "Vladimir Putin"),
    ("ruled out signing a peace deal that includes western forces", "Vladimir Putin"),
    ("preferential access to minerals would be enough of a security guarantee", "Donald Trump"),
    # a pronoun and an epithet
    ("called for US troops on the ground", "Volodymyr Zelenskyy"),
    ("readiness to negotiate without preconditions", "Vladimir Putin"),
    ("demilitarized and neutral Ukraine", "Vladimir Putin"),
    # a person's words quoted inside the author's sentence
    ("high levels of taxes tariffs and sanctions", "Donald Trump"),
    # groups and unnamed sources
    ("categorically unacceptable", "former Russian officials"),
    ("Trump showed interest but has not taken a definitive stance", "sources familiar with the talks"),
    ("expose advanced western defense technologies to russia", "experts"),
    ("logistical support air defense capabilities intelligence gathering", "European officials"),
    ("they will only send troops if there is a lasting peace", "European leaders"),
    ("the deployed troops could train Ukrainian troops", "some officials"),
    ("do not need a green light from moscow", "British and French officials"),
    (
        "western european leaders are considering deploying troops as part of a ceasefire",
        "The Washington Post",
    ),
    # the article's own voice: its author
    ("Putin has no legitimate security interests", "Alena Getmanchuk"),
    ("Trump may seek a quick win in Ukraine", "Naila Huseynova"),
]

TYPOS = [
    ("categoricaly unaceptable", "former Russian officials"),
    ("a long shoot says nemeth", "Bence Németh"),
    ("the repercusions will reverbrate across Europe", "Keir Starmer"),
    ("readyness to negotiate without precondtions", "Vladimir Putin"),
    ("a longshot says nemeth", "Bence Németh"),
]

REORDERED = [
    ("sovereignty of Ukraine is not merely the matter", "Keir Starmer"),
    ("sustainable something we need", "an unnamed European diplomat"),
    ("unacceptable categorically", "former Russian officials"),
]

# Same words, different wording: only closeness of wording tells these apart.
WORDING = [
    ("It would then be only a matter of time", "Alena Getmanchuk"),
    ("it would be only a matter of time", "Volodymyr Zelenskyy"),
]

OFF_TOPIC = [
    "the quick brown fox jumps over the lazy dog",
    "bananas are an excellent source of potassium",
    "the stock market crashed yesterday",
    "to be or not to be",
    "I love pizza with pineapple",
]


@pytest.mark.parametrize(("phrase", "speaker"), PHRASES + TYPOS + REORDERED + WORDING)
def test_top_answer_names_the_speaker(seed_index: SearchIndex, phrase: str, speaker: str) -> None:
    result = answer(f"/whosaid {phrase}", seed_index)
    assert result.command == "whosaid" and result.found
    assert speaker in (result.answers[0].speaker or "")


@pytest.mark.parametrize("phrase", OFF_TOPIC)
def test_off_topic_phrases_are_not_found(seed_index: SearchIndex, phrase: str) -> None:
    result = answer(f"/whosaid {phrase}", seed_index)
    assert not result.found and result.answers == []


def test_a_clause_is_quoted_when_the_sentence_has_two_speakers(seed_index: SearchIndex) -> None:
    result = answer("/whosaid the UK is prepared to play an active role", seed_index)
    assert result.answers[0].quote == (
        "Starmer echoed that the U.K. is prepared to play an active role in any forthcoming peacekeeping operations."
    )


@pytest.mark.parametrize(
    ("name", "canonical"),
    [
        ("Putin", "Vladimir Putin"),
        ("Vladimir Putin", "Vladimir Putin"),
        ("Russian President Vladimir Putin", "Vladimir Putin"),
        ("the Kremlin dictator", "Vladimir Putin"),
        ("Zelensky", "Volodymyr Zelenskyy"),
        ("Zelenskyy", "Volodymyr Zelenskyy"),
        ("zelenskiy", "Volodymyr Zelenskyy"),
        ("Vladimir Zelensky", "Volodymyr Zelenskyy"),
        ("President Volodymyr Zelenskyy", "Volodymyr Zelenskyy"),
        ("Macron", "Emmanuel Macron"),
        ("French President Emmanuel Macron", "Emmanuel Macron"),
        ("Starmer", "Keir Starmer"),
        ("keir starmer", "Keir Starmer"),
        ("Nemeth", "Bence Németh"),
        ("Camille Grand", "Camille Grand"),
        ("Trump", "Donald Trump"),
        ("Alena Getmanchuk", "Alena Getmanchuk"),
        ("Naila Huseynova", "Naila Huseynova"),
    ],
)
def test_a_name_lists_what_that_person_said(
    seeds_dir: Path, seed_index: SearchIndex, name: str, canonical: str
) -> None:
    result = answer(f"/whosaid {name}", seed_index)
    assert result.found and result.speaker == canonical
    assert result.answers
    for quote in result.answers:
        assert canonical in (quote.speaker or "")
        assert quote.quote in (seeds_dir / quote.citation.doc_id).read_text(encoding="utf-8")


def test_a_persons_statements_span_articles(seed_index: SearchIndex) -> None:
    result = answer("/whosaid Putin", seed_index)
    assert len(result.answers) == 3
    assert len({q.citation.doc_id for q in result.answers}) == 3


def test_a_name_with_a_topic(seed_index: SearchIndex) -> None:
    result = answer("/whosaid Putin about NATO", seed_index)
    assert result.found and "NATO aspirations" in result.answers[0].quote
    off = answer("/whosaid Macron about bananas", seed_index)
    assert not off.found and "not about bananas" in (off.message or "")


def test_groups_and_outlets_are_speakers_too(seed_index: SearchIndex) -> None:
    for name, label in [
        ("European officials", "European officials"),
        ("the Washington Post", "The Washington Post"),
    ]:
        result = answer(f"/whosaid {name}", seed_index)
        assert result.found and all(q.speaker == label for q in result.answers)


def test_a_person_mentioned_but_never_quoted(seed_index: SearchIndex) -> None:
    result = answer("/whosaid Mark Rutte", seed_index)
    assert not result.found and "Mark Rutte" in (result.message or "")


def test_speaker_lookup_does_not_swallow_phrases(seed_index: SearchIndex) -> None:
    assert speaker_named("a long shot", seed_index) is None
    assert speaker_named("Putin ruled out a deal", seed_index) is None
    assert speaker_named("Russian leaders", seed_index) is None


@pytest.mark.parametrize(
    ("text", "argument"),
    [
        ("who said a long shot?", "a long shot"),
        ("Who said “we need something sustainable”?", "we need something sustainable"),
        ("who is quoted saying that peace talks need guarantees", "peace talks need guarantees"),
        ("Which official said the force would need a mandate?", "the force would need a mandate"),
        ("/ask who said categorically unacceptable", "categorically unacceptable"),
    ],
)
def test_free_text_who_said_routes_to_whosaid(seed_index: SearchIndex, text: str, argument: str) -> None:
    request = parse(text, shipped_domain())
    assert (request.command, request.argument) == ("whosaid", argument)
    assert answer(text, seed_index).command == "whosaid"


def test_what_did_a_person_say_routes_to_whosaid_but_moscow_to_its_position(seed_index: SearchIndex) -> None:
    result = answer("What did Zelensky say about security guarantees?", seed_index)
    assert result.command == "whosaid" and result.speaker == "Volodymyr Zelenskyy"
    assert answer("What did Putin say about NATO?", seed_index).command == "russia-position"
    assert answer("What did the weather say?", seed_index).command == "ask"


def test_misspelt_words_are_corrected_against_the_corpus(seed_index: SearchIndex) -> None:
    assert seed_index.correct("unaceptable") == ["unaccept"]
    assert seed_index.correct("longshot") == ["long", "shot"]
    assert seed_index.correct("xylophone") == []
