"""Saved web pages: article text and metadata in, menus, banners, share buttons and comments out;
copies of one story cited once; the newer of two equal quotes preferred, and said so."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from bot.answers import answer
from bot.corpus import article_from_bytes, load_corpus, read_article
from bot.errors import ArticleError
from bot.index import SearchIndex
from bot.render import render

PAGES = Path(__file__).resolve().parent / "pages"
BOILERPLATE = [
    "cookie",
    "Accept all",
    "Share on",
    "Email this story",
    "Related stories",
    "Markets rally",
    "Comments",
    "Great article",
    "reader42",
    "Sign up",
    "newsletter",
    "Morning Briefing",
    "All rights reserved",
    "Privacy policy",
    "Advertisement",
    "ADVERTISEMENT",
    "Most read",
    "republished here",
    "By Jane Doe",
    "Home",
]


@pytest.mark.parametrize(
    ("page", "title", "author", "date", "outlet", "url"),
    [
        (
            "daily-example-peace-plan.html",
            "Europe Readies a Ukraine Force",
            "Jane Doe",
            "2025-03-04",
            "The Daily Example",
            "https://daily.example.com/world/europe-readies-ukraine-force",
        ),
        (
            "northern-herald-wire.html",
            "Europe readies a Ukraine force",
            "Jane Doe",
            "2025-03-05",
            "Northern Herald",
            "https://herald.example.org/news/2025/03/05/europe-ukraine-force",
        ),
    ],
)
def test_metadata_from_the_page(page: str, title: str, author: str, date: str, outlet: str, url: str) -> None:
    article = read_article(PAGES / page, page)
    assert (article.title, article.author, article.date, article.outlet, article.url) == (
        title,
        author,
        date,
        outlet,
        url,
    )


@pytest.mark.parametrize("page", ["daily-example-peace-plan.html", "northern-herald-wire.html"])
def test_no_boilerplate_in_the_article_text(page: str) -> None:
    article = read_article(PAGES / page, page)
    kept = "\n".join(article.paragraph_text(i) for i in range(1, len(article.paragraphs) + 1))
    assert kept.startswith("European leaders on Tuesday drew up plans")
    assert kept.endswith("treat any Western soldiers in Ukraine as legitimate targets.")
    for junk in BOILERPLATE:
        assert junk not in kept, junk


def test_a_page_without_an_article_is_refused() -> None:
    with pytest.raises(ArticleError, match="not an article"):
        read_article(PAGES / "section-front.html", "section-front.html")


def test_a_page_in_another_encoding(tmp_path: Path) -> None:
    html = (
        (PAGES / "daily-example-peace-plan.html").read_text(encoding="utf-8").replace("utf-8", "windows-1252")
    )
    html = (
        html.replace("Nobody is sending", "Personne n’envoie — nobody is sending")
        .replace("“", '"')
        .replace("”", '"')
    )
    path = tmp_path / "cp1252.html"
    path.write_bytes(html.replace("’", "'").replace("—", "-").encode("cp1252", errors="replace"))
    article = read_article(path, path.name)
    assert article.title == "Europe Readies a Ukraine Force" and "nobody is sending" in article.text


@pytest.fixture
def copies(tmp_path: Path) -> SearchIndex:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for page in ("northern-herald-wire.html", "daily-example-peace-plan.html"):
        shutil.copy(PAGES / page, folder / page)
    return SearchIndex.build(load_corpus(folder))


def test_a_story_in_two_outlets_is_quoted_once_and_noted(copies: SearchIndex) -> None:
    texts = [copies.passage_text(i) for i in range(len(copies))]
    assert len(texts) == len(set(texts))
    result = answer("/whosaid nobody is sending soldiers into an active war", copies)
    assert result.found and len(result.answers) == 1
    citation = result.answers[0].citation
    # The first publication is cited (by date, whatever the file names), the other noted.
    assert citation.doc_id == "daily-example-peace-plan.html"
    assert [s.outlet for s in citation.also_in] == ["Northern Herald"]
    blocks = json.dumps(render(result).blocks)
    assert (
        "<https://daily.example.com/world/europe-readies-ukraine-force|Europe Readies a Ukraine Force>"
        in blocks
    )
    assert "2025-03-04" in blocks
    assert (
        "also in <https://herald.example.org/news/2025/03/05/europe-ukraine-force|Northern Herald>" in blocks
    )


def test_every_answer_shows_each_quote_once(copies: SearchIndex) -> None:
    for question in (
        "/troops",
        "/ask what would the force guard?",
        "/whosaid Marcel Duval",
        "/russia-position",
    ):
        quotes = [q.quote for q in answer(question, copies).answers]
        assert len(quotes) == len(set(quotes)), question


def test_the_newer_of_two_equally_good_quotes_is_preferred_and_said_so(tmp_path: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    filler = "Other matters were discussed at length by the ministers in the capital."
    (folder / "a-older.md").write_text(
        f"---\ntitle: Older\ndate: 2025-01-10\n---\nOfficials said the coalition would deploy 15,000 troops in spring.\n{filler}\n",
        encoding="utf-8",
    )
    (folder / "b-newer.md").write_text(
        f"---\ntitle: Newer\ndate: 2025-05-20\n---\nIn spring the coalition would deploy 15,000 troops, officials said.\n{filler} Again.\n",
        encoding="utf-8",
    )
    (folder / "c-other.md").write_text(
        "---\ntitle: Other\n---\nA different subject entirely, about farming.\n", encoding="utf-8"
    )
    index = SearchIndex.build(load_corpus(folder))
    best = answer("/ask coalition deploy 15,000 troops spring", index).answers[0]
    assert best.citation.doc_id == "b-newer.md"
    assert best.note is not None and "2025-01-10" in best.note and "2025-05-20" in best.note


# -- extraction details, on small pages of our own ------------------------------------------------

STORY = (
    "<p>The harbour council voted on Monday to rebuild the old ferry pier before the summer season, "
    "after engineers found cracks in three of its supporting columns during a routine inspection.</p>"
    "<p>Work will start in March and should take about eleven weeks, the council's engineer said, "
    "and ferries will use the fishing quay until the pier reopens to passengers and cars.</p>"
)


def page(head: str, body: str) -> bytes:
    return (
        f"<!doctype html><html><head><meta charset='utf-8'>{head}</head><body>{body}</body></html>".encode()
    )


def test_the_title_is_the_headline_without_the_sites_name() -> None:
    head = "<title>Council rebuilds the ferry pier | Harbour Gazette</title><meta property='og:site_name' content='Harbour Gazette'>"
    article = article_from_bytes(page(head, f"<article><h1>Pier</h1>{STORY}</article>"), "a.html", ".html")
    assert (article.title, article.outlet) == ("Council rebuilds the ferry pier", "Harbour Gazette")


def test_a_title_that_is_only_the_sites_name_gives_way_to_the_headline() -> None:
    head = (
        "<title>Harbour Gazette</title><meta property='og:site_name' content='Harbour Gazette'>"
        "<meta property='og:title' content='Council rebuilds the ferry pier'>"
    )
    article = article_from_bytes(page(head, f"<article>{STORY}</article>"), "a.html", ".html")
    assert article.title == "Council rebuilds the ferry pier"


@pytest.mark.parametrize(
    ("byline", "author"),
    [
        ("By Ana Ferreira, Staff writer", "Ana Ferreira"),
        ("Ana Ferreira is a reporter for the Harbour Gazette", "Ana Ferreira"),
        ("Analysis by Ana Ferreira, Harbour Gazette Editor-at-large", "Ana Ferreira"),
    ],
)
def test_bylines_lose_their_role_text(byline: str, author: str) -> None:
    head = f"<title>Council rebuilds the ferry pier</title><meta name='author' content='{byline}'>"
    article = article_from_bytes(page(head, f"<article>{STORY}</article>"), "a.html", ".html")
    assert article.author == author


def test_the_canonical_address_is_found_wherever_the_parser_put_it() -> None:
    body = f"<link rel='canonical' href='https://gazette.example/pier'><article>{STORY}</article>"
    article = article_from_bytes(page("<title>Pier</title>", body), "a.html", ".html")
    assert article.url == "https://gazette.example/pier"


def test_an_article_laid_out_in_a_table_is_kept() -> None:
    body = (
        "<table><tr><td>"
        + STORY.replace("<p>", "").replace("</p>", "</td></tr><tr><td>")
        + "</td></tr></table>"
    )
    article = article_from_bytes(
        page("<title>Council rebuilds the ferry pier</title>", body), "a.html", ".html"
    )
    assert "cracks in three of its supporting columns" in article.text


def test_an_article_without_spaces_between_words_is_long_enough() -> None:
    story = (
        "<p>"
        + "港の評議会は月曜日、夏の観光シーズンの前に古いフェリー桟橋を建て直すことを決めた。" * 3
        + "</p>"
    )
    article = article_from_bytes(
        page("<title>桟橋の建て替え</title>", f"<article>{story}</article>"), "a.html", ".html"
    )
    assert article.title == "桟橋の建て替え" and "フェリー桟橋" in article.text


def test_a_paragraph_with_separators_is_not_a_menu() -> None:
    dateline = (
        "<p>HARBOUR CITY | Monday | The harbour council voted to rebuild the old ferry pier after engineers "
        "found cracks in three of its supporting columns.</p>"
    )
    menu = "<p>News | Sport | Weather | Opinion</p>"
    article = article_from_bytes(
        page("<title>Pier</title>", f"<article>{menu}{dateline}{STORY}</article>"), "a.html", ".html"
    )
    assert "voted to rebuild the old ferry pier" in article.text
    assert "Weather" not in "".join(article.paragraph_text(n) for n in range(1, len(article.paragraphs) + 1))


def test_a_page_is_extracted_once_then_read_from_the_cache(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shelf, cache = tmp_path / "shelf", tmp_path / "cache"
    shelf.mkdir()
    (shelf / "pier.html").write_bytes(
        page("<title>Council rebuilds the ferry pier</title>", f"<article>{STORY}</article>")
    )
    (shelf / "empty.html").write_bytes(page("<title>Nothing</title>", "<nav>Home</nav>"))
    first = load_corpus(shelf, cache=cache)
    assert len(list(cache.rglob("*.json"))) == 2  # the refusal is remembered too

    def extract_again(data: bytes) -> None:
        raise AssertionError("extracted again")

    monkeypatch.setattr("bot.corpus.loading.extract_webpage", extract_again)
    second = load_corpus(shelf, cache=cache)
    assert second.articles == first.articles
    assert [s.reason for s in second.skipped] == [s.reason for s in first.skipped]
    (shelf / "pier.html").write_bytes(page("<title>Changed</title>", f"<article>{STORY}</article>"))
    with pytest.raises(AssertionError, match="extracted again"):  # new bytes: extracted, not cached
        load_corpus(shelf, cache=cache)


def test_an_element_marked_as_the_byline_names_the_author_when_the_page_gives_only_a_label() -> None:
    body = (
        "<div class='user-menu'><span class='author'>Username</span></div>"
        "<div class='story-byline'>By <a href='/people/ana'>Ana Ferreira</a></div>"
        f"<article>{STORY}</article>"
    )
    article = article_from_bytes(
        page("<title>Council rebuilds the ferry pier</title>", body), "a.html", ".html"
    )
    assert article.author == "Ana Ferreira"


@pytest.mark.parametrize(
    ("site_name", "outlet"),
    [
        ("Copyright 2014 Harbour Gazette", "Harbour Gazette"),
        ("https://gazette.example/", None),
        ("© 2014", None),
    ],
)
def test_a_site_name_is_a_name(site_name: str, outlet: str | None) -> None:
    head = (
        f"<title>Council rebuilds the ferry pier</title><meta property='og:site_name' content='{site_name}'>"
    )
    article = article_from_bytes(page(head, f"<article>{STORY}</article>"), "a.html", ".html")
    assert article.outlet == outlet


@pytest.mark.parametrize(
    "block",
    [
        '{"@type": "NewsArticle", "author": {"@type": "Person", "name": "Marta  Quill"}}',
        '<![CDATA[ {"@graph": [{"@type": "WebPage"}, {"@type": "NewsArticle", '
        '"author": [{"@type": "Person", "name": "Marta Quill"}]}]} ]]>',
        '{"@type": "NewsArticle", "author": "Marta Quill"};',
    ],
    ids=["person", "graph in CDATA", "plain name"],
)
def test_the_author_is_read_from_linked_data_when_nothing_else_names_one(block: str) -> None:
    head = (
        f"<title>Council rebuilds the ferry pier</title><script type='application/ld+json'>{block}</script>"
    )
    article = article_from_bytes(page(head, f"<article>{STORY}</article>"), "a.html", ".html")
    assert article.author == "Marta Quill"


def test_an_organisation_in_linked_data_is_not_an_author() -> None:
    block = '{"@type": "NewsArticle", "author": {"@type": "Organization", "name": "Harbour Gazette"}}'
    head = (
        f"<title>Council rebuilds the ferry pier</title><script type='application/ld+json'>{block}</script>"
    )
    article = article_from_bytes(page(head, f"<article>{STORY}</article>"), "a.html", ".html")
    assert article.author is None


UPDATED = "<p class='updated'>Updated <time datetime='2025-01-07T09:08:22+00:00'>7 January 2025</time></p>"


@pytest.mark.parametrize(
    ("head", "day"),
    [
        (
            '<script type=\'application/ld+json\'>{"@graph": [{"@type": "NewsArticle", '
            '"datePublished": "2020-07-10T14:15:42+00:00", "dateModified": "2025-01-07T09:08:22+00:00"}]}'
            "</script><meta property='article:modified_time' content='2025-01-07T09:08:22+00:00'>",
            "2020-07-10",
        ),
        ("<meta property='article:published_time' content='2019-03-04T08:00:00Z'>", "2019-03-04"),
        (
            "<meta property='article:published_time' content='2019-05-06T08:00:00Z'>"
            '<script type=\'application/ld+json\'>{"@type": "NewsArticle", "datePublished": "2019-04-01"}'
            "</script>",
            "2019-04-01",
        ),
    ],
    ids=["linked data over an update", "open graph", "linked data over open graph"],
)
def test_the_declared_publication_date_beats_a_later_update(head: str, day: str) -> None:
    body = f"<article>{UPDATED}{STORY}</article>"
    article = article_from_bytes(
        page(f"<title>Council rebuilds the ferry pier</title>{head}", body), "a.html", ".html"
    )
    assert article.date == day


def test_of_a_title_in_many_parts_the_one_the_page_shows_as_a_heading_is_the_headline() -> None:
    head = "<title>Pier reopens after the storm - Part 2 - Quill | Coastal Diaries | Tales of the Northern Sea Coast</title>"
    body = f"<h1>Harbour Gazette</h1><article><h2>Pier reopens after the storm</h2>{STORY}</article>"
    article = article_from_bytes(page(head, body), "a.html", ".html")
    assert article.title == "Pier reopens after the storm"  # not the longest part, a collection's name
