"""corpus: loading articles, honest metadata, boilerplate left out, bad files skipped."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.corpus import Corpus, load_corpus, parse_article
from bot.errors import CorpusError

SEED_META = {
    "000_4783fe5308dc631c.txt": (
        "UK, France, Germany, Poland may be among countries sending peacekeepers to Ukraine with US logistic support",
        "Caliber.Az",
        "Naila Huseynova",
    ),
    "001_70a8d252e6705c76.txt": (
        "Europe weighs the deployment of troops to Ukraine contingent on a ceasefire, but will Russia agree?",
        None,
        None,
    ),
    "002_f61723dec28d1900.txt": (None, "Defence Talks", None),
    "003_beecce86ed0f1ada.txt": ("Europe Hatches Plans for Ukraine Peacekeepers Without U.S.", None, None),
    "004_46221a2014137dce.txt": (None, None, "Alena Getmanchuk"),
}


def test_seeds_load_with_metadata_the_text_states(seed_corpus: Corpus) -> None:
    found = {a.doc_id: (a.title, a.outlet, a.author) for a in seed_corpus.articles}
    assert found == SEED_META
    assert seed_corpus.skipped == ()


def test_nothing_is_invented(seed_corpus: Corpus) -> None:
    for article in seed_corpus.articles:
        assert article.date is None and article.url is None


def test_author_bio_gives_the_role(seed_corpus: Corpus) -> None:
    article = next(a for a in seed_corpus.articles if a.author == "Alena Getmanchuk")
    assert article.author_role is not None and article.author_role.startswith(
        "Director of the New Europe Center"
    )


@pytest.mark.parametrize(
    "junk",
    [
        "0",
        "…",
        "Source: Source",
        "Previously:",
        "Subscribe to get the latest posts sent to your email.",
        "Discover more from Defence Talks | Defense News Hub, Military Updates, Security Insights",
        "By Naila Huseynova",
        "Here’s the “Security Backstop” Requested by the “Coalition of the Willing”",
    ],
)
def test_boilerplate_lines_are_not_paragraphs(seed_corpus: Corpus, junk: str) -> None:
    paragraphs = {a.paragraph_text(i) for a in seed_corpus.articles for i in range(1, len(a.paragraphs) + 1)}
    assert junk not in paragraphs


def test_breadcrumb_and_repeated_title_are_dropped(seed_corpus: Corpus) -> None:
    article = next(a for a in seed_corpus.articles if a.doc_id.startswith("001"))
    assert article.paragraph_text(1).startswith("With Russia continuing to press")
    assert all(
        "Home World Live" not in article.paragraph_text(i) for i in range(1, len(article.paragraphs) + 1)
    )


def test_kept_paragraphs_are_whole_lines_of_the_file(seeds_dir: Path, seed_corpus: Corpus) -> None:
    for article in seed_corpus.articles:
        lines = {
            line.strip() for line in (seeds_dir / article.doc_id).read_text(encoding="utf-8").splitlines()
        }
        for number in range(1, len(article.paragraphs) + 1):
            assert article.paragraph_text(number) in lines


def test_front_matter_wins(write_corpus) -> None:
    folder = write_corpus(
        {
            "story.md": "---\ntitle: The Real Title\noutlet: Daily Planet\nauthor: [Lois Lane, Clark Kent]\n"
            "date: 2025-03-01\nurl: https://example.com/story\n---\n# A Heading Title\n\nBy Someone Else\n\n"
            "The first paragraph says something useful about troops.\n"
        }
    )
    [article] = load_corpus(folder).articles
    assert (article.title, article.outlet, article.author) == (
        "The Real Title",
        "Daily Planet",
        "Lois Lane, Clark Kent",
    )
    assert (article.date, article.url) == ("2025-03-01", "https://example.com/story")
    assert article.paragraph_text(1) == "The first paragraph says something useful about troops."


def test_markdown_heading_is_the_title_and_wrapped_lines_join(write_corpus) -> None:
    folder = write_corpus(
        {
            "wrapped.md": "# Troops for Ukraine\n\nEuropean leaders discussed a force of\nseveral thousand troops "
            "that would\ndeploy after a ceasefire.\n\nA second paragraph follows here.\n"
        }
    )
    [article] = load_corpus(folder).articles
    assert article.title == "Troops for Ukraine"
    assert len(article.paragraphs) == 2
    assert article.paragraph_text(1).endswith("deploy after a ceasefire.")


def test_bad_files_are_skipped_with_one_warning_each(write_corpus, caplog: pytest.LogCaptureFixture) -> None:
    folder = write_corpus(
        {
            "good.txt": "A Good Title\nThe force would deploy after a ceasefire, officials say.\n",
            "empty.txt": "",
            "blank.md": "   \n\n",
            "binary.txt": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "latin1.txt": "Caf\u00e9 au lait".encode("latin-1"),
            "only-junk.txt": "0\n…\nSubscribe to get the latest posts sent to your email.\n",
        }
    )
    with caplog.at_level(logging.WARNING, logger="bot.corpus"):
        corpus = load_corpus(folder)
    assert [a.doc_id for a in corpus.articles] == ["good.txt"]
    assert sorted(s.path.name for s in corpus.skipped) == [
        "binary.txt",
        "blank.md",
        "empty.txt",
        "latin1.txt",
        "only-junk.txt",
    ]
    warned = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warned) == 5
    for name in ("binary.txt", "blank.md", "empty.txt", "latin1.txt", "only-junk.txt"):
        assert sum(name in message for message in warned) == 1


def test_hidden_and_other_files_are_ignored(write_corpus) -> None:
    folder = write_corpus(
        {
            "a.txt": "Title Line Here\nOfficials say the plan is ready.\n",
            ".hidden.txt": "Secret Title\nNot to be loaded.\n",
            ".index/b.txt": "Index Title\nNot an article.\n",
            "notes.json": "{}",
            "sub/c.md": "Nested Title Here\nNested articles load too.\n",
        }
    )
    assert [a.doc_id for a in load_corpus(folder).articles] == ["a.txt", "sub/c.md"]


def test_missing_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CorpusError, match="not found"):
        load_corpus(tmp_path / "nowhere")


def test_crlf_text_keeps_exact_offsets() -> None:
    text = "A Title For This\r\nFirst paragraph here.\r\n\r\nSecond one, officials say.\r\n"
    article = parse_article(text, "crlf.txt")
    assert article.title == "A Title For This"
    assert [article.paragraph_text(i) for i in (1, 2)] == [
        "First paragraph here.",
        "Second one, officials say.",
    ]


def test_short_unpunctuated_lines_are_separate_paragraphs(write_corpus) -> None:
    lines = [" ".join(["word"] * (3 + i % 9)) + f" number{i}" for i in range(40)]
    folder = write_corpus({"lines.txt": "A Title Of Lines\n" + "\n".join(lines) + "\n"})
    [article] = load_corpus(folder).articles
    assert len(article.paragraphs) == 40


def test_a_headline_written_as_a_sentence_is_the_title(write_corpus) -> None:
    folder = write_corpus(
        {
            "headline.txt": "Harbour reopens after divers clear the mines.\n\n"
            "The northern harbour reopened on Friday after divers removed the last two mines near the "
            "old breakwater.\n\nFishing boats were back by noon.\n",
            "deck.txt": "Tram line approved; \nCouncil votes after a long night.\n\n"
            "The city council approved the airport tram line after eleven hours of debate on Monday.\n\n"
            "Work starts in spring.\n",
            "lede.txt": "The northern harbour reopened on Friday after divers removed the last two mines near "
            "the old breakwater, the port authority said.\n\nFishing boats were back by noon.\n\nMore later.\n",
        }
    )
    titles = {a.doc_id: a.title for a in load_corpus(folder).articles}
    assert titles["headline.txt"] == "Harbour reopens after divers clear the mines."
    assert titles["deck.txt"] == "Tram line approved"
    assert titles["lede.txt"] is None  # a long first sentence is the article's, not a headline
