"""A corpus as users really have them: read-only volumes, unreadable files, broken front matter, link
loops, odd file names. Each problem is one line naming the file; the rest still loads; no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.answers import answer
from bot.corpus import load_corpus
from bot.index import SearchIndex
from tests.sandbox import as_unprivileged, read_only_corpus
from tests.slack_kit import ROOT, clean_environ

HARBOUR = """The harbour pilots' strike

By Ana Ferreira

Pilots at the northern harbour stopped work on Monday over night-shift pay.

"We will not guide a single ship in until the rota is fixed," said Rui Costa, who leads the pilots' union.
"""
FERRY = """Ferry timetable cut for winter

The island ferry will sail twice a day from November, the operator said on Tuesday.
"""


def run(
    *args: str, env: dict[str, str] | None = None, unprivileged: bool = False
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "bot", *args]
    return subprocess.run(
        as_unprivileged(command) if unprivileged else command,
        capture_output=True,
        text=True,
        env={**clean_environ(), **(env or {})},
        cwd=ROOT / "tests",
        timeout=120,
        check=False,
    )


def one_line(result: subprocess.CompletedProcess[str]) -> str:
    assert "Traceback" not in result.stderr, result.stderr
    [line] = result.stderr.strip().splitlines()
    return line


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "harbour.txt").write_text(HARBOUR)
    (corpus / "ferry.txt").write_text(FERRY)
    return corpus


# -- 11. permissions -----------------------------------------------------------------------------------------


@pytest.fixture
def locked_state(tmp_path: Path) -> Iterator[Path]:
    """A state folder nobody may write to."""
    state = tmp_path / "state"
    state.mkdir()
    state.chmod(0o555)
    yield state
    state.chmod(0o755)


def test_index_into_an_unwritable_state_folder_is_one_line(shelf: Path, locked_state: Path) -> None:
    result = run("index", env={"CORPUS_DIR": str(shelf), "STATE_DIR": str(locked_state)}, unprivileged=True)
    assert result.returncode == 1
    line = one_line(result)
    assert line.startswith("citebot: Permission denied") and str(locked_state) in line and "STATE_DIR" in line


def test_add_to_a_read_only_corpus_refuses_each_file_in_one_line(tmp_path: Path) -> None:
    new = tmp_path / "new.txt"
    new.write_text(FERRY.replace("ferry", "bus"))
    with read_only_corpus(
        [ROOT / "seeds" / sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))[0]]
    ) as corpus:
        result = run("add", str(new), env={"CORPUS_DIR": str(corpus)}, unprivileged=True)
        assert sorted(p.name for p in corpus.iterdir()) != [] and not (corpus / "new.txt").exists()
    assert result.returncode == 1 and "Traceback" not in result.stderr, result.stderr
    [line] = result.stdout.strip().splitlines()
    assert line.startswith(f"refused  {new}: cannot write it into") and "Permission denied" in line


def test_add_skips_an_unreadable_corpus_file_as_index_does(shelf: Path, tmp_path: Path) -> None:
    locked = shelf / "locked.txt"
    locked.write_text(HARBOUR.replace("harbour", "airport"))
    locked.chmod(0o000)
    new = tmp_path / "new.txt"
    new.write_text(FERRY.replace("ferry", "tram"))
    try:
        index = run("index", env={"CORPUS_DIR": str(shelf)}, unprivileged=True)
        add = run("add", "--json", str(new), env={"CORPUS_DIR": str(shelf)}, unprivileged=True)
    finally:
        locked.chmod(0o644)
    assert index.returncode == 0 and "locked.txt: unreadable (Permission denied)" in index.stdout
    assert add.returncode == 0 and "Traceback" not in add.stderr, add.stderr
    assert json.loads(add.stdout)["added"] is True
    assert "skipped locked.txt: unreadable (Permission denied)" in add.stderr


# -- 12. front matter -----------------------------------------------------------------------------------------


def test_broken_front_matter_is_named_and_never_quoted(shelf: Path, caplog: pytest.LogCaptureFixture) -> None:
    (shelf / "broken.md").write_text(
        "---\ntitle: The pilots: a strike\nauthor: [Ana Ferreira\n---\n\nThe strike ended on Friday after talks.\n"
    )
    corpus = load_corpus(shelf)
    [article] = [a for a in corpus.articles if a.doc_id == "broken.md"]
    assert [article.paragraph_text(n) for n in range(1, len(article.paragraphs) + 1)] == [
        "The strike ended on Friday after talks."
    ]
    [warning] = [r.getMessage() for r in caplog.records if "front matter" in r.getMessage()]
    assert warning.startswith("broken.md: front matter is not valid YAML (line ")


def test_text_between_two_rules_is_still_the_article(shelf: Path) -> None:
    (shelf / "rules.md").write_text("---\nThe pilots voted to return on Friday.\n---\n\nTalks go on.\n")
    [article] = [a for a in load_corpus(shelf).articles if a.doc_id == "rules.md"]
    assert "The pilots voted to return on Friday." in article.text[article.paragraphs[0][0] :]


# -- 13. links and names ----------------------------------------------------------------------------------------


def test_a_link_loop_is_skipped_with_a_warning(shelf: Path, caplog: pytest.LogCaptureFixture) -> None:
    (shelf / "more").mkdir()
    (shelf / "more" / "late.txt").write_text(FERRY.replace("ferry", "train"))
    (shelf / "more" / "again").symlink_to(shelf)  # a link back to the top: a loop
    (shelf / "gone.txt").symlink_to(shelf / "nowhere.txt")
    corpus = load_corpus(shelf)
    assert sorted(a.doc_id for a in corpus.articles) == ["ferry.txt", "harbour.txt", "more/late.txt"]
    warnings = sorted(r.getMessage() for r in caplog.records)
    assert warnings == [
        "skipped gone.txt: a link to nothing (broken symbolic link)",
        "skipped more/again: a link back to a folder already read (a loop)",
    ]


def test_a_file_name_with_a_line_break_is_refused_with_a_warning(shelf: Path) -> None:
    (shelf / "two\nlines.txt").write_text(FERRY.replace("ferry", "boat"))
    result = run("index", env={"CORPUS_DIR": str(shelf), "STATE_DIR": str(shelf.parent / "state")})
    assert result.returncode == 0, result.stderr
    assert "Loaded 2 articles" in result.stdout
    assert "  two\\nlines.txt: its name holds a line break or control character; rename it" in result.stdout
    assert "skipped two\\nlines.txt: its name" in result.stderr
    assert not any(line.startswith("lines.txt") for line in result.stdout.splitlines())


@pytest.mark.parametrize("question", ["/whosaid a single ship", "/troops", "/russia-position", "harbour pay"])
def test_a_shelf_with_no_articles_says_so_and_how_to_add_some(
    write_corpus: Callable[[dict[str, str | bytes]], Path], question: str
) -> None:
    folder = write_corpus({"notes.bin": b"\x00\x01", "blank.md": ""})  # nothing that loads as an article
    result = answer(question, SearchIndex.build(load_corpus(folder)))
    assert not result.found and result.message is not None
    assert "No articles are loaded" in result.message and "bot add" in result.message
