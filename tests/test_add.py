"""`python -m bot add PATH…`: what was extracted from each file, why a file was refused, an index
that is current afterwards."""

from __future__ import annotations

import json
import logging
import shutil
from pathlib import Path

import pytest

from bot.index import open_index
from tests.test_cli import run

PAGES = Path(__file__).resolve().parent / "pages"
SEEDS = Path(__file__).resolve().parent.parent / "seeds"


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, folder / path.name)
    return folder


def add(corpus: Path, *paths: Path) -> tuple[int, list[dict[str, object]]]:
    result = run("add", "--json", "--corpus", str(corpus), *map(str, paths))
    return result.returncode, [json.loads(line) for line in result.stdout.splitlines()]


def test_adding_pages_reports_what_was_extracted(corpus: Path) -> None:
    code, outcomes = add(corpus, PAGES)
    assert code == 0
    by_file = {Path(str(o["file"])).name: o for o in outcomes}
    page = by_file["daily-example-peace-plan.html"]
    assert page["added"] and page["doc_id"] == "daily-example-peace-plan.html"
    assert (page["title"], page["author"], page["date"], page["outlet"]) == (
        "Europe Readies a Ukraine Force",
        "Jane Doe",
        "2025-03-04",
        "The Daily Example",
    )
    assert isinstance(page["words"], int) and 100 < page["words"] < 200
    wire = by_file["northern-herald-wire.html"]
    assert wire["added"] and "same story" in str(wire["note"])
    front = by_file["section-front.html"]
    assert not front["added"] and "not an article" in str(front["refused"])
    assert (corpus / "daily-example-peace-plan.html").read_bytes() == (
        PAGES / "daily-example-peace-plan.html"
    ).read_bytes()
    assert not (corpus / "section-front.html").exists()


def test_the_index_is_current_after_adding(corpus: Path, caplog: pytest.LogCaptureFixture) -> None:
    add(corpus, PAGES / "daily-example-peace-plan.html")
    with caplog.at_level(logging.INFO, logger="bot.index"):
        index = open_index(corpus)
    assert not caplog.records  # loaded, not rebuilt
    assert "daily-example-peace-plan.html" in index.articles
    answer = run(
        "ask", "--json", "--corpus", str(corpus), "/whosaid nobody is sending soldiers into an active war"
    )
    data = json.loads(answer.stdout)
    assert (
        data["found"]
        and data["answers"][0]["citation"]["url"]
        == "https://daily.example.com/world/europe-readies-ukraine-force"
    )


@pytest.mark.parametrize(
    ("name", "content", "reason"),
    [
        ("empty.txt", b"", "empty"),
        ("binary.md", b"\x00\x01\x02\x03", "binary"),
        ("latin1.txt", "Café".encode("latin-1"), "not UTF-8"),
        (
            "junk.txt",
            b"0\n\xe2\x80\xa6\nSubscribe to get the latest posts sent to your email.\n",
            "boilerplate",
        ),
        ("notes.pdf", b"%PDF-1.7", "not a readable PDF"),
        ("photo.png", b"\x89PNG", "not an article file"),
    ],
)
def test_refusals_say_why(corpus: Path, tmp_path: Path, name: str, content: bytes, reason: str) -> None:
    path = tmp_path / name
    path.write_bytes(content)
    code, [outcome] = add(corpus, path)
    assert code == 1 and not outcome["added"] and reason in str(outcome["refused"])
    assert not (corpus / name).exists()


def test_an_unreadable_file_is_refused(corpus: Path, tmp_path: Path) -> None:
    missing = tmp_path / "gone.txt"
    missing.symlink_to(tmp_path / "nowhere.txt")
    _, [outcome] = add(corpus, missing)
    assert "unreadable" in str(outcome["refused"])


def test_duplicates_are_refused(corpus: Path, tmp_path: Path) -> None:
    _, [same_file] = add(corpus, SEEDS / "003_beecce86ed0f1ada.txt")
    assert same_file["refused"] == "already on the shelf as 003_beecce86ed0f1ada.txt (the same file)"
    resaved = tmp_path / "resaved.txt"  # the same story saved again, with a different header line
    resaved.write_text(
        "Saved from the web\n" + (SEEDS / "003_beecce86ed0f1ada.txt").read_text("utf-8"), "utf-8"
    )
    _, [same_story] = add(corpus, resaved)
    assert str(same_story["refused"]).startswith("duplicate of 003_beecce86ed0f1ada.txt")


def test_a_name_already_taken_by_another_article_is_kept_apart(corpus: Path, tmp_path: Path) -> None:
    other = tmp_path / "000_4783fe5308dc631c.txt"
    other.write_text("Penguin Plan\nPenguins will deploy to Antarctica in spring, officials say.\n", "utf-8")
    _, [outcome] = add(corpus, other)
    assert outcome["doc_id"] == "000_4783fe5308dc631c-2.txt"


def test_readable_report_without_json(corpus: Path) -> None:
    result = run(
        "add",
        "--corpus",
        str(corpus),
        str(PAGES / "daily-example-peace-plan.html"),
        str(PAGES / "section-front.html"),
    )
    assert (
        "added    " in result.stdout
        and "“Europe Readies a Ukraine Force”, by Jane Doe, 2025-03-04" in result.stdout
    )
    assert "refused  " in result.stdout and "Index updated: 6 articles" in result.stdout
