"""PDF reports: text joined back into paragraphs, title and author from the metadata, quotes verbatim."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.answers import answer
from bot.corpus import article_from_bytes, load_corpus
from bot.errors import ArticleError
from bot.index import SearchIndex, open_index
from bot.pdf import extract_pdf
from bot.render import render_text
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


def test_quotes_from_a_pdf_cite_their_page(tmp_path: Path) -> None:
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    (shelf / "harbour.pdf").write_bytes(REPORT)
    (shelf / "bakery.txt").write_text(
        "Bakery news\n\nThe town bakery raised its bread prices again.\n", "utf-8"
    )
    (shelf / "ferry.txt").write_text(
        "Ferry news\n\nFerries to the islands run every hour in summer.\n", "utf-8"
    )
    index = SearchIndex.build(load_corpus(shelf))
    result = answer("/ask When does the council want the ferry timetable changed?", index)
    [first, *_] = result.answers
    assert first.citation.doc_id == "harbour.pdf" and first.citation.page == 2
    assert "page 2, paragraph" in render_text(result)
    breakwater = answer("/ask What does the northern harbour need before the winter storms?", index)
    assert breakwater.answers[0].citation.page == 1


def test_the_page_survives_the_saved_index(tmp_path: Path) -> None:
    shelf = tmp_path / "shelf"
    shelf.mkdir()
    (shelf / "harbour.pdf").write_bytes(REPORT)
    open_index(shelf, tmp_path / "index")
    loaded = open_index(shelf, tmp_path / "index")  # mapped from the saved index, not built
    assert (
        loaded.articles["harbour.pdf"].page_starts == article_from_bytes(REPORT, "h.pdf", ".pdf").page_starts
    )
    assert len(loaded.articles["harbour.pdf"].page_starts) == 2
