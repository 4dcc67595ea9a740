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


# -- bad input on the command line: one clear line, never a traceback ------------------------------------


def test_an_env_file_that_is_not_utf8_is_one_line(tmp_path: Path) -> None:
    (tmp_path / ".env").write_bytes(b"SLACK_BOT_TOKEN=\xff\xfe\n")
    result = run("ask", "/troops how many", env={"CORPUS_DIR": str(ROOT / "seeds")}, cwd=tmp_path)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert ".env is not UTF-8" in result.stderr


def test_report_over_a_hundred_years_is_a_usage_error(tmp_path: Path) -> None:
    result = run("report", "--days", "99999999999", env={"STATE_DIR": str(tmp_path)})
    assert result.returncode == 2 and "Traceback" not in result.stderr and "at most 36500" in result.stderr


def test_state_check_creates_nothing_and_says_what_is_listed(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "dir"
    result = run("state", "check", env={"STATE_URL": f"sqlite:///{missing}/x.db"})
    assert result.returncode == 1 and "does not exist" in result.stderr
    assert not (tmp_path / "nowhere").exists()
    db = f"sqlite:///{tmp_path / 'state.db'}"
    assert run("state", "migrate", env={"STATE_URL": db}).returncode == 0
    checked = run("state", "check", env={"STATE_URL": db})
    assert checked.returncode == 0 and "Articles listed: 0" not in checked.stdout
    assert "Articles listed: none" in checked.stdout


def test_a_missing_corpus_leaves_nothing_behind(tmp_path: Path) -> None:
    result = run("ask", "--corpus", str(tmp_path / "missing"), "/troops", cwd=tmp_path)
    assert result.returncode == 1 and "corpus folder not found" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_add_says_when_it_creates_the_corpus_folder(tmp_path: Path) -> None:
    result = run(
        "add",
        "--corpus",
        str(tmp_path / "typo"),
        str(ROOT / "tests" / "trade" / "steel-duties.md"),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    assert "creating the corpus folder" in result.stderr


def test_a_one_word_file_is_not_an_article(tmp_path: Path) -> None:
    (tmp_path / "word.txt").write_text("Hello\n")
    result = run("add", "--corpus", str(tmp_path / "shelf"), str(tmp_path / "word.txt"), cwd=tmp_path)
    assert result.returncode == 1 and "too short to be an article" in result.stdout
    assert not (tmp_path / "shelf" / "word.txt").exists()


def test_manifest_refuses_an_address_that_is_not_a_web_server() -> None:
    result = run("manifest", "--url", "ftp://x")
    assert result.returncode == 1 and "--url must be" in result.stderr and result.stdout == ""


def test_a_bot_token_alone_names_both_ways_to_connect(tmp_path: Path) -> None:
    result = run("run", env={"SLACK_BOT_TOKEN": "xoxb-1", "CORPUS_DIR": str(ROOT / "seeds")}, cwd=tmp_path)
    assert result.returncode == 1
    assert "SLACK_SIGNING_SECRET" in result.stderr and "SLACK_APP_TOKEN" in result.stderr


def test_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    """`python -m bot ask … | head -c 20`: the reader stops early; no "Broken pipe", exit 0."""
    env = {**clean_environ(), "STATE_DIR": str(tmp_path)}
    command = [sys.executable, "-m", "bot", "ask", "-"]
    questions = "/whosaid Putin\n" * 200
    with subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT
    ) as process:
        assert process.stdin is not None and process.stdout is not None and process.stderr is not None
        process.stdin.write(questions.encode())
        process.stdin.close()
        process.stdout.read(20)
        process.stdout.close()  # as `head` does
        err = process.stderr.read().decode()
        code = process.wait(60)
    assert code == 0 and "Broken pipe" not in err and "Traceback" not in err, err
