"""PDF reports: text joined back into paragraphs, title and author from the metadata, quotes verbatim."""

from __future__ import annotations

import pytest

from bot.corpus import article_from_bytes
from bot.errors import ArticleError
from bot.pdf import extract_pdf
from tests.pdf_kit import make_pdf

REPORT = make_pdf(
    [
        [
            "Harbour Safety Review",
            "The review found that the northern harbour needs new lights on the break-",
            "water before the winter storms, and that the ferry pier must be rebuilt.",
            "The port authority will pay for it.",
        ],
        ["Second page: the council wants the ferry timetable changed in May.", "2"],
    ],
    title="Harbour Safety Review",
    author="Port Authority of Lisbon",
)


def test_a_pdf_becomes_paragraphs_with_its_metadata() -> None:
    page = extract_pdf(REPORT)
    assert page.meta == {"title": "Harbour Safety Review", "author": "Port Authority of Lisbon"}
    paragraphs = page.text.strip().split("\n\n")
    assert paragraphs[0] == "Harbour Safety Review"
    # Lines joined, the word broken at a line's end rejoined; pages kept apart; page numbers dropped.
    assert "lights on the breakwater before the winter storms" in paragraphs[1]
    assert paragraphs[-1] == "Second page: the council wants the ferry timetable changed in May."


def test_a_pdf_article_is_cited_and_quoted_from_its_text() -> None:
    article = article_from_bytes(REPORT, "harbour.pdf", ".pdf")
    assert (article.title, article.author) == ("Harbour Safety Review", "Port Authority of Lisbon")
    texts = [article.paragraph_text(n) for n in range(1, len(article.paragraphs) + 1)]
    assert any(t.startswith("The review found") for t in texts)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"%PDF-1.7 nothing else", "not a readable PDF"),
        (make_pdf([["Too short."]]), "no text in the PDF"),
    ],
)
def test_broken_or_empty_pdfs_are_refused_with_a_reason(data: bytes, reason: str) -> None:
    with pytest.raises(ArticleError, match=reason):
        extract_pdf(data)
