"""passages: sentence splitting with offsets, around abbreviations, numbers and quotations."""

from __future__ import annotations

import pytest

from bot.corpus import Corpus, parse_article
from bot.passages import split_article, split_sentences


def sentences(text: str) -> list[str]:
    return [text[s:e] for s, e in split_sentences(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "U.S. President Donald Trump spoke. The U.K. agreed.",
            ["U.S. President Donald Trump spoke.", "The U.K. agreed."],
        ),
        (
            "Europe wants a commitment from the U.S. that it will intervene. Kyiv agrees.",
            ["Europe wants a commitment from the U.S. that it will intervene.", "Kyiv agrees."],
        ),
        (
            "It lacks support from the U.S. The plan stalls.",
            ["It lacks support from the U.S.", "The plan stalls."],
        ),
        (
            "Gen. Smith and Mr. Starmer met Dr. Jones. They talked.",
            ["Gen. Smith and Mr. Starmer met Dr. Jones.", "They talked."],
        ),
        ("J. K. Rowling wrote it. Then she left.", ["J. K. Rowling wrote it.", "Then she left."]),
        (
            "Sending 10,000 to 30,000 troops costs $60 a barrel, or 3.5 per cent. Maybe more.",
            ["Sending 10,000 to 30,000 troops costs $60 a barrel, or 3.5 per cent.", "Maybe more."],
        ),
        (
            "“This is one. And this is two,” said Starmer. Next sentence.",
            ["“This is one. And this is two,” said Starmer.", "Next sentence."],
        ),
        (
            "It might ignite “uncontrolled escalation.” Still, advisors disagree.",
            ["It might ignite “uncontrolled escalation.”", "Still, advisors disagree."],
        ),
        ("Is it real? Yes! It is.", ["Is it real?", "Yes!", "It is."]),
        ("It was cut short… and then resumed.", ["It was cut short… and then resumed."]),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


def test_passages_are_exact_slices_with_paragraph_numbers(seed_corpus: Corpus) -> None:
    for article in seed_corpus.articles:
        passages = split_article(article)
        assert passages, article.doc_id
        assert [p.paragraph for p in passages] == sorted(p.paragraph for p in passages)
        assert {p.paragraph for p in passages} == set(range(1, len(article.paragraphs) + 1))
        for passage in passages:
            assert article.text[passage.start : passage.end] == passage.text
            assert passage.text == passage.text.strip()


def test_a_quotation_stays_with_its_attribution(seed_corpus: Corpus) -> None:
    article = next(a for a in seed_corpus.articles if a.doc_id.startswith("001"))
    starmer = [p for p in split_article(article) if "Keir Starmer" in p.text]
    assert len(starmer) == 1
    assert starmer[0].text.startswith("“This isn’t merely a matter of Ukraine’s sovereignty. If Russia")
    assert starmer[0].paragraph == 4


def test_offsets_survive_front_matter() -> None:
    text = "---\ntitle: T\n---\nFirst sentence here. Second sentence here.\n"
    article = parse_article(text, "a.md", markdown=True)
    passages = split_article(article)
    assert [text[p.start : p.end] for p in passages] == ["First sentence here.", "Second sentence here."]
