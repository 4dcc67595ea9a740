"""Citebot's own files: kept in one state folder outside the articles, never at the cost of anyone
else's files, and no debris left by a build that was killed."""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from bot.config import default_index_folder, default_state_folder
from bot.index.store import POINTER
from tests.conftest import SEEDS
from tests.sandbox import as_unprivileged, read_only_corpus
from tests.slack_kit import (
    ROOT,
    StandIn,
    clean_environ,
    dm_event,
    event_callback,
    free_port,
    post,
    sign,
    start_server,
)
from tests.test_cli import run

ARTICLES = sorted(SEEDS.glob("*.txt"))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    folder = tmp_path / "corpus"
    folder.mkdir()
    for path in ARTICLES:
        shutil.copy(path, folder / path.name)
    return folder


def listing(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (hidden ones too) with its bytes."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def one_line_refusal(result: subprocess.CompletedProcess[str], *words: str) -> None:
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert all(word in lines[0] for word in words), lines[0]


# -- 1. INDEX_DIR never deletes what Citebot did not create ----------------------------------------


def test_a_non_empty_index_dir_without_an_index_is_refused_and_left_alone(
    corpus: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "some" / "folder"
    folder.mkdir(parents=True)
    (folder / "notes.txt").write_text("my notes", "utf-8")
    (folder / "sub").mkdir()
    (folder / "sub" / "deep.bin").write_bytes(b"\x00\x01")
    before = listing(folder)
    result = run("ask", "--corpus", str(corpus), "/whosaid a long shot", env={"INDEX_DIR": str(folder)})
    one_line_refusal(result, str(folder), "not empty")
    assert listing(folder) == before


def test_the_corpus_as_index_dir_is_refused_and_every_article_kept(corpus: Path) -> None:
    before = listing(corpus)
    for target in (corpus, corpus / "sub" / "index", corpus / "index"):
        result = run("index", "--corpus", str(corpus), env={"INDEX_DIR": str(target)})
        one_line_refusal(result, "inside the articles' folder")
    assert listing(corpus) == before


def test_the_hidden_index_folder_of_earlier_versions_may_be_named(corpus: Path) -> None:
    # Earlier versions kept the index in CORPUS_DIR/.citebot-index; a setup that names it still works,
    # and the articles are left as they were.
    before = listing(corpus)
    result = run("index", "--corpus", str(corpus), env={"INDEX_DIR": str(corpus / ".citebot-index")})
    assert result.returncode == 0, result.stderr
    assert (corpus / ".citebot-index" / POINTER).is_file()
    assert {k: v for k, v in listing(corpus).items() if not k.startswith(".citebot-index/")} == before


def test_a_file_as_index_dir_is_refused_and_kept(corpus: Path, tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text("# keep me\n", "utf-8")
    result = run("ask", "--corpus", str(corpus), "troops", env={"INDEX_DIR": str(readme)})
    one_line_refusal(result, "is a file")
    assert readme.read_text("utf-8") == "# keep me\n"


def test_state_dir_inside_the_corpus_is_refused(corpus: Path) -> None:
    result = run("ask", "--corpus", str(corpus), "troops", env={"STATE_DIR": str(corpus / ".state")})
    one_line_refusal(result, "STATE_DIR", "inside the articles' folder")
    assert not (corpus / ".state").exists()


def test_an_empty_or_new_index_dir_is_used_and_reused(corpus: Path, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    for folder in (empty, tmp_path / "new" / "index"):
        for _ in range(2):  # the second run finds its own index there
            result = run(
                "ask", "--corpus", str(corpus), "/whosaid a long shot", env={"INDEX_DIR": str(folder)}
            )
            assert result.returncode == 0, result.stderr
            assert "Bence Németh" in result.stdout
        assert (folder / POINTER).exists()


def test_a_blank_index_dir_in_env_means_the_default(corpus: Path, tmp_path: Path) -> None:
    result = run(
        "ask", "--corpus", str(corpus), "troops", env={"INDEX_DIR": "", "STATE_DIR": " ", "EVENTS_DB": ""}
    )
    assert result.returncode == 0, result.stderr
    assert (default_index_folder(corpus) / POINTER).exists()


# -- 2. runtime state lives outside the corpus -------------------------------------------------------


def test_no_runtime_file_is_tracked_in_the_seeds() -> None:
    tracked = subprocess.run(
        ["git", "ls-files", "seeds"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    assert tracked and all(name.endswith(".txt") for name in tracked), tracked


def test_the_corpus_is_never_written_to(corpus: Path, stand_in: StandIn) -> None:
    before = listing(corpus)
    assert run("index", "--corpus", str(corpus)).returncode == 0
    assert run("ask", "--corpus", str(corpus), "troops").returncode == 0
    server = start_server(stand_in, "--workers", "2", env={"CORPUS_DIR": str(corpus), "EVENTS_DB": ""})
    try:
        body = event_callback(dm_event("who said a long shot"), "EvState1")
        assert post(server.port, body, "application/json", sign(body)).status == 200
        stand_in.wait_for("chat.postMessage")
    finally:
        server.stop()
    assert listing(corpus) == before
    state = default_state_folder(corpus)
    assert (state / "index" / POINTER).exists() and (state / "events.sqlite3").exists()


def test_a_read_only_corpus_works_with_its_state_beside_it() -> None:
    with read_only_corpus(ARTICLES) as corpus:
        command = as_unprivileged(
            [sys.executable, "-m", "bot", "ask", "--corpus", str(corpus), "/whosaid a long shot"]
        )
        result = subprocess.run(
            command, env=clean_environ(), capture_output=True, text=True, timeout=120, check=False
        )
        assert result.returncode == 0, result.stderr
        assert "Bence Németh" in result.stdout and "could not save" not in result.stderr
        assert (default_index_folder(corpus) / POINTER).exists()
        assert sorted(p.name for p in corpus.iterdir()) == [p.name for p in ARTICLES]


# -- 3. a killed build leaves nothing behind for long ---------------------------------------------------


def test_the_next_build_removes_what_a_killed_build_left(corpus: Path) -> None:
    assert run("index", "--corpus", str(corpus)).returncode == 0
    folder = default_index_folder(corpus)
    # What `kill -9` leaves at different moments: a half-written staging folder, a finished segment
    # the manifest never reached, a half-written manifest; and an earlier format's generation.
    (folder / ".staging-seg-0123456789ab").mkdir()
    (folder / ".staging-seg-0123456789ab" / "postings.docs.npy").write_bytes(b"\x93NUMPY" + b"0" * 1000)
    (folder / "seg-ba9876543210").mkdir()
    (folder / "seg-ba9876543210" / "text.bin").write_bytes(b"x" * 1000)
    (folder / "gen-ba9876543210").mkdir()
    (folder / f".staging-{POINTER}").write_text("{", "utf-8")
    half_cached = next((folder / "read").glob("??/*.json")).with_name(".half-written.json.0a1b")
    half_cached.write_text("{", "utf-8")
    assert run("index", "--corpus", str(corpus)).returncode == 0
    names = sorted(p.name for p in folder.iterdir())
    [current] = [s["name"] for s in json.loads((folder / POINTER).read_text("utf-8"))["segments"]]
    # What stays: the lock, the marker, the manifest, the segment it names, each article's cached reading.
    assert names == sorted([".build.lock", ".citebot-index", POINTER, current, "read"]), names
    assert not half_cached.exists()


def test_kill_9_during_a_build_then_a_build_leaves_one_generation(tmp_path: Path) -> None:
    from benchmarks.synth import generate

    corpus = generate(tmp_path / "big", 30_000)
    folder = default_index_folder(corpus)
    for delay in (0.5, 1.5, 3.0):
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "index", "--corpus", str(corpus)],
            env=clean_environ(),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(delay)
        workers = psutil.Process(process.pid).children(recursive=True)  # reading on the other core
        process.send_signal(signal.SIGKILL)
        process.wait()
        _, alive = psutil.wait_procs(workers, timeout=10)
        assert not alive, f"worker processes outlived the killed build: {alive}"
    result = run("ask", "--corpus", str(corpus), "anything at all")  # loads or rebuilds: usable
    assert result.returncode == 0, result.stderr
    assert run("index", "--corpus", str(corpus)).returncode == 0
    names = sorted(p.name for p in folder.iterdir())
    assert len([n for n in names if n.startswith("seg-")]) == 1 and not any(".staging-" in n for n in names)


# -- 4. a read-only corpus with two workers answers each event once ----------------------------------------


def test_read_only_corpus_two_workers_answer_a_retried_event_once(stand_in: StandIn) -> None:
    with read_only_corpus(ARTICLES) as corpus:
        server = start_server(
            stand_in, "--workers", "2", env={"CORPUS_DIR": str(corpus), "EVENTS_DB": ""}, wrap=as_unprivileged
        )
        try:
            for number in range(5):
                body = event_callback(dm_event(f"who said a long shot {number}"), f"EvRO{number}")
                for retry in range(3):
                    headers = sign(body) | ({"X-Slack-Retry-Num": str(retry)} if retry else {})
                    assert post(server.port, body, "application/json", headers).status == 200
            time.sleep(1.5)
            assert len(stand_in.ok_calls("chat.postMessage")) == 5
        finally:
            log = server.stop()
        assert "duplicate events are caught per process only" not in log


def test_two_workers_refuse_to_start_without_a_shared_event_record(tmp_path: Path, stand_in: StandIn) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", "utf-8")
    env = clean_environ() | {
        "SLACK_SIGNING_SECRET": "s" * 32,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_API_URL": stand_in.url,
        "CORPUS_DIR": str(SEEDS),
        "EVENTS_DB": str(blocker / "events.sqlite3"),  # its folder is a file: cannot be created
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--workers", "2", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    problems = [line for line in result.stderr.splitlines() if "events" in line]
    assert len(problems) == 1 and "run one worker" in problems[0], result.stderr
