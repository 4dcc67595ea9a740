"""Articles and questions in other scripts: Russian, Ukrainian and Chinese sentences of our own
(tests/articles/) are found by questions in the same language, and kept verbatim."""

from __future__ import annotations

import pytest

from bot.answers import answer
from bot.index import SearchIndex
from bot.passages import split_sentences
from bot.text import tokenize
from tests.conftest import OWN_ARTICLES

ARTICLES = OWN_ARTICLES


@pytest.mark.parametrize(
    ("question", "expected", "doc_id"),
    [
        ("Где пройдут переговоры о прекращении огня?", "продолжатся в Женеве", "ru-kremlin.md"),
        ("Что будет с иностранными военными на украинской территории?", "законной целью", "ru-kremlin.md"),
        ("Хто міг би охороняти порти на Чорному морі?", "європейський контингент", "uk-kyiv.md"),
        ("Які гарантії потрібні країні?", "надійних гарантій безпеки", "uk-kyiv.md"),
        ("美国将提供什么支持？", "情报和后勤支持", "zh-summit.md"),
    ],
)
def test_a_question_finds_the_sentence_in_its_language(
    own_index: SearchIndex, question: str, expected: str, doc_id: str
) -> None:
    result = answer(f"/ask {question}", own_index)
    assert result.found, result.message
    top = result.answers[0]
    assert expected in top.quote and top.citation.doc_id == doc_id
    assert top.quote in (ARTICLES / doc_id).read_text("utf-8")


def test_words_of_every_script_are_terms_and_inflections_meet() -> None:
    # Russian is stemmed (переговоры / переговоров), Greek too; Chinese is cut into characters and pairs.
    assert tokenize("переговоры")[0] == tokenize("переговоров")[0]
    assert tokenize("Ελλάδα") and tokenize("欧洲") == ["欧", "洲", "欧洲"]
    # Ukrainian has no Snowball stemmer: its words are cut to their first letters, so forms meet.
    assert tokenize("гарантії") == tokenize("гарантій") and tokenize("країні") == tokenize("країна")


def test_sentences_split_in_other_scripts_and_around_abbreviations() -> None:
    def parts(text: str) -> list[str]:
        return [text[a:b] for a, b in split_sentences(text)]

    assert parts("Министр заявил это. Войска не будут размещены.") == [
        "Министр заявил это.",
        "Войска не будут размещены.",
    ]
    assert parts("欧洲正在讨论维和部队。美国表示支持。") == ["欧洲正在讨论维和部队。", "美国表示支持。"]
    assert parts("Sweden v. Russia was heard in 1950. It cost 3.5 million. Case No. 5 came next.") == [
        "Sweden v. Russia was heard in 1950.",
        "It cost 3.5 million.",
        "Case No. 5 came next.",
    ]


def test_an_unrelated_question_in_another_language_is_not_answered(own_index: SearchIndex) -> None:
    assert not answer("/ask Сколько стоит килограмм бананов в Лиссабоне?", own_index).found
