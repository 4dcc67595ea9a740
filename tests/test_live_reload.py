"""Live reload: a running server picks up added, changed and removed articles within seconds, and
answers every request meanwhile, from the old index until the new one is ready."""

from __future__ import annotations

import asyncio
import contextlib
import json
import shutil
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psutil
import pytest

from bot.config import Settings
from bot.domain import shipped_domain
from bot.index import SearchIndex, open_index
from bot.slack.watch import keep_current
from tests.slack_kit import Server, StandIn, post, sign, slash_command, start_server

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
PAGES = Path(__file__).resolve().parent / "pages"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[tuple[Server, Path]]:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    api = StandIn().start()
    server = start_server(api, "--workers", "2", env={"CORPUS_DIR": str(corpus)})
    yield server, corpus
    server.stop()
    api.stop()


def ask(server: Server, text: str) -> tuple[int, str]:
    body = slash_command("/ask", text)
    reply = post(server.port, body, "application/x-www-form-urlencoded", sign(body))
    return reply.status, json.dumps(reply.json()["blocks"], ensure_ascii=False) if reply.status == 200 else ""


def eventually(server: Server, text: str, present: bool, timeout: float = 15.0) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        status, blocks = ask(server, "penguins antarctica")
        assert status == 200
        if (text in blocks) == present:
            return time.monotonic() - started
        time.sleep(0.1)
    raise AssertionError(f"{text!r} {'never appeared' if present else 'never went away'}")


def test_added_changed_and_removed_articles_are_picked_up(running: tuple[Server, Path]) -> None:
    server, corpus = running
    statuses: list[int] = []
    stop = threading.Event()

    def meanwhile() -> None:  # questions keep coming while the corpus changes
        while not stop.is_set():
            statuses.append(ask(server, "/whosaid a long shot")[0])

    thread = threading.Thread(target=meanwhile)
    thread.start()
    try:
        assert ask(server, "penguins antarctica")[1].count("Penguins") == 0
        (corpus / "penguins.txt").write_text(
            "Penguin Plan\nPenguins will deploy to Antarctica in spring, officials say. Seals disagree.\n",
            "utf-8",
        )
        assert eventually(server, "Penguins will deploy to Antarctica", present=True) < 10
        (corpus / "penguins.txt").write_text(
            "Penguin Plan\nPenguins will now winter in Antarctica, officials say. Seals disagree.\n", "utf-8"
        )
        eventually(server, "Penguins will now winter", present=True)
        (corpus / "penguins.txt").unlink()
        eventually(server, "Penguins will now winter", present=False)
        shutil.copy(PAGES / "daily-example-peace-plan.html", corpus)
        started = time.monotonic()
        while "Marcel Duval" not in ask(server, "nobody is sending soldiers into an active war")[1]:
            assert time.monotonic() - started < 15
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(30)
    assert len(statuses) > 20 and set(statuses) == {200}  # no failed request while the index changed


def test_a_corpus_folder_deleted_and_made_again_is_followed(running: tuple[Server, Path]) -> None:
    server, corpus = running
    shutil.rmtree(corpus)
    time.sleep(1.0)  # the server notices the folder is gone, and goes on answering from its index
    assert ask(server, "/whosaid a long shot")[0] == 200
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    (corpus / "penguins.txt").write_text(
        "Penguin Plan\nPenguins will deploy to Antarctica in spring, officials say. Seals disagree.\n",
        "utf-8",
    )
    eventually(server, "Penguins will deploy to Antarctica", present=True, timeout=20)
    # Noticed by following the new folder, not by the quiet check that comes every 30 s.
    assert any("was removed or replaced; watching it anew" in line for line in server.log)


def test_a_worker_restarted_while_the_corpus_folder_is_away_keeps_serving(
    running: tuple[Server, Path],
) -> None:
    """uvicorn restarts a worker it finds hung; if the articles' folder is away at that moment (being
    replaced), the new worker answers from the saved index instead of failing to start, which would
    stop the whole server."""
    server, corpus = running
    shutil.rmtree(corpus)
    [worker, *_] = [
        p for p in psutil.Process(server.process.pid).children() if "spawn_main" in " ".join(p.cmdline())
    ]
    worker.kill()  # as the supervisor kills a hung worker; it starts a new one
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(
        "Child process" in line and "died" in line for line in server.log
    ):
        time.sleep(0.1)
    time.sleep(5.0)  # the new worker starts (or, before, failed to and stopped the server)
    for _ in range(10):
        assert ask(server, "/whosaid a long shot")[0] == 200
    assert server.process.poll() is None, "".join(server.log)


def test_a_change_made_before_watching_started_is_caught(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for path in SEEDS.glob("*.txt"):
        shutil.copy(path, corpus / path.name)
    old = open_index(corpus)
    # The file arrives after the index was loaded and before the watcher starts: no event will come.
    (corpus / "penguins.txt").write_text(
        "Penguin Plan\nPenguins will deploy to Antarctica, officials say.\n", "utf-8"
    )
    swapped: list[SearchIndex] = []

    async def watch_briefly() -> None:
        task = asyncio.create_task(
            keep_current(
                Settings(_env_file=None, corpus_dir=corpus),
                shipped_domain().knowledge(),
                lambda: old,
                swapped.append,
            )
        )
        for _ in range(200):
            if swapped:
                break
            await asyncio.sleep(0.05)
        task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(watch_briefly())
    assert swapped and "penguins.txt" in swapped[0].articles
