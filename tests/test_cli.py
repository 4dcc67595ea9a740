"""The command line, run as a user runs it: `python -m bot …` in a subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bot.config import default_index_folder
from bot.index.store import POINTER
from tests.slack_kit import clean_environ

ROOT = Path(__file__).resolve().parent.parent


def run(
    *args: str, stdin: str = "", env: dict[str, str] | None = None, cwd: Path = ROOT
) -> subprocess.CompletedProcess[str]:
    clean = clean_environ()
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        cwd=cwd,
        timeout=120,
        check=False,
    )


def test_ask_json_one_question() -> None:
    result = run("ask", "--json", "/troops how many troops?")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["command"] == "troops" and data["found"] is True
    assert data["answers"][0]["citation"]["doc_id"].endswith(".txt")


def test_ask_json_reads_lines_in_order() -> None:
    questions = ["/whosaid a long shot", "What is the capital of Australia?", "/russia-position NATO", "help"]
    result = run("ask", "--json", "-", stdin="\n".join(questions) + "\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [d["command"] for d in lines] == ["whosaid", "ask", "russia-position", "help"]
    assert [d["found"] for d in lines] == [True, False, True, True]


def test_ask_readable_answer_has_citations() -> None:
    result = run("ask", "/whosaid", "a", "long", "shot")
    assert result.returncode == 0, result.stderr
    assert "Bence Németh" in result.stdout and "paragraph 2" in result.stdout


def test_corpus_flag_and_env(tmp_path: Path) -> None:
    corpus = tmp_path / "mine"
    corpus.mkdir()
    (corpus / "one.txt").write_text(
        "Penguins Plan\nPenguins will deploy to Antarctica, officials say. Seals stay home.\n"
        "Whales are undecided. Gulls refuse to comment.\n",
        encoding="utf-8",
    )
    flag = run("ask", "--json", "--corpus", str(corpus), "penguins antarctica")
    env = run("ask", "--json", "penguins antarctica", env={"CORPUS_DIR": str(corpus)})
    for result in (flag, env):
        data = json.loads(result.stdout)
        assert data["found"] and data["answers"][0]["citation"]["doc_id"] == "one.txt"


def test_index_reports_loaded_and_skipped(tmp_path: Path) -> None:
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "good.txt").write_text("A Title Here\nOfficials say the plan is ready.\n", encoding="utf-8")
    (corpus / "bad.txt").write_bytes(b"\xff\xfe\x00binary")
    result = run("index", "--corpus", str(corpus))
    assert result.returncode == 0
    assert "Loaded 1 articles" in result.stdout and "bad.txt" in result.stdout
    assert result.stderr.count("bad.txt") == 1


def test_console_answers_without_slack_credentials(tmp_path: Path) -> None:
    # Run from an empty folder so no .env is read; point it at the seeds.
    result = run(stdin="/whosaid a long shot\nhelp\n", env={"CORPUS_DIR": str(ROOT / "seeds")}, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (
        "Citebot console" in result.stdout
        and "Bence Németh" in result.stdout
        and "/russia-position" in result.stdout
    )


def test_missing_corpus_fails_with_one_line(tmp_path: Path) -> None:
    result = run("ask", "--corpus", str(tmp_path / "nope"), "troops")
    assert result.returncode == 1
    assert result.stderr.strip().count("\n") == 0 and "not found" in result.stderr


def test_index_reports_progress_as_plain_lines_off_a_terminal(tmp_path: Path) -> None:
    corpus = tmp_path / "many"
    corpus.mkdir()
    for i in range(1000):
        (corpus / f"a{i:04d}.txt").write_text(
            f"Title Number {i}\nOfficials say plan {i} is ready.\n", "utf-8"
        )
    result = run("index", "--corpus", str(corpus))
    assert result.returncode == 0, result.stderr
    assert "indexed 1,000 of 1,000 articles (100%" in result.stderr
    assert "\r" not in result.stderr  # no progress bar when stderr is not a terminal
    assert (default_index_folder(corpus) / POINTER).exists()
