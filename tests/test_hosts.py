"""Several hosts sharing one PostgreSQL state (STATE_URL): two `python -m bot serve` processes on two
ports, a real throwaway PostgreSQL server, signed requests and one stand-in Web API. Each "host" has
its own state folder (its own index); they share the articles' folder, as the README's layout says."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests import pg_kit
from tests.pg_kit import Postgres
from tests.slack_kit import (
    FORM,
    JSON,
    ROOT,
    Server,
    StandIn,
    clean_environ,
    event_callback,
    free_port,
    mention_event,
    post,
    sign,
    slash_command,
    start_server,
)

_databases = iter(range(1, 1000))


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    corpus = tmp_path / "shared-articles"
    corpus.mkdir()
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        shutil.copy(path, corpus / path.name)
    return corpus


@pytest.fixture
def hosts(postgres: Postgres, shelf: Path, tmp_path: Path) -> Iterator[tuple[Server, Server, StandIn, str]]:
    url = postgres.new_database(f"hosts_{next(_databases)}")
    api = StandIn().start()
    started = []
    try:
        for name in ("a", "b"):
            env = {"STATE_URL": url, "CORPUS_DIR": str(shelf), "STATE_DIR": str(tmp_path / f"host-{name}")}
            started.append(start_server(api, env=env))
        yield started[0], started[1], api, url
    finally:
        for server in started:
            server.stop()
        api.stop()


def deliver(server: Server, event: dict[str, Any], event_id: str, retry: int | None = None) -> int:
    body = event_callback(event, event_id)
    headers = sign(body)
    if retry is not None:
        headers |= {"X-Slack-Retry-Num": str(retry), "X-Slack-Retry-Reason": "http_timeout"}
    return post(server.port, body, JSON, headers).status


def answers_by_thread(api: StandIn) -> Counter[str]:
    return Counter(str(c.params.get("thread_ts")) for c in api.ok_calls("chat.postMessage"))


def settle(api: StandIn, expected: int, timeout: float = 20.0) -> Counter[str]:
    """Wait until `expected` answers were posted, then a little longer for any extra one."""
    deadline = time.monotonic() + timeout
    while len(api.ok_calls("chat.postMessage")) < expected and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(1.0)
    return answers_by_thread(api)


def test_the_same_event_at_both_hosts_at_once_is_answered_once(
    hosts: tuple[Server, Server, StandIn, str],
) -> None:
    a, b, api, _ = hosts
    events = [(mention_event("how many troops?", ts=f"{n}.5"), f"EvBoth{n}") for n in range(12)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(
            pool.map(lambda job: deliver(job[0], *job[1]), [(host, e) for e in events for host in (a, b)])
        )
    assert set(statuses) == {200}
    answered = settle(api, len(events))
    assert answered == Counter({f"{n}.5": 1 for n in range(12)})


def test_a_retry_that_lands_on_the_other_host_is_not_answered_again(
    hosts: tuple[Server, Server, StandIn, str],
) -> None:
    a, b, api, _ = hosts
    event = mention_event("who said it was a long shot?", ts="77.5")
    assert deliver(a, event, "EvRetry1") == 200
    api.wait_for("chat.postMessage")
    assert deliver(b, event, "EvRetry1", retry=1) == 200
    assert deliver(a, event, "EvRetry1", retry=2) == 200
    assert settle(api, 1) == Counter({"77.5": 1})
    assert any("already handled" in line for line in b.log)


def test_a_database_restart_under_load_loses_and_doubles_no_event(
    hosts: tuple[Server, Server, StandIn, str], postgres: Postgres
) -> None:
    """Events keep coming to both hosts, each delivered as Slack would: to one host, retried (to the
    other) until it gets a 200. The database goes down for two seconds in the middle."""
    a, b, api, _ = hosts
    sent: list[str] = []
    failures: list[int] = []

    def slack(n: int) -> None:
        event = mention_event("what would the US contribute?", ts=f"{n}.9")
        for attempt in range(120):  # Slack gives up after three retries; the stand-in keeps trying
            host = (a, b)[(n + attempt) % 2]
            status = deliver(host, event, f"EvLoad{n}", retry=attempt or None)
            if status == 200:
                return
            failures.append(status)
            time.sleep(0.25)
        raise AssertionError(f"event {n} never acknowledged")

    stop = threading.Event()

    def restart() -> None:
        time.sleep(1.0)
        postgres.restart(down_for=2.0)
        stop.set()

    restarter = threading.Thread(target=restart)
    restarter.start()
    n = 0
    with ThreadPoolExecutor(max_workers=4) as pool:
        futures = []
        while not stop.is_set() or n < 40:
            futures.append(pool.submit(slack, n))
            sent.append(f"{n}.9")
            n += 1
            time.sleep(0.05)
        for future in futures:
            future.result()
    restarter.join()
    answered = settle(api, len(sent), timeout=30)
    assert answered == Counter({ts: 1 for ts in sent}), {ts: c for ts, c in answered.items() if c != 1}
    assert failures and set(failures) == {503}  # the outage was seen, and answered with "retry"
    logs = "".join(a.log + b.log)
    assert "shared state (PostgreSQL) is unavailable" in logs and "left for Slack to retry" in logs
    assert "Traceback" not in logs


def test_an_article_added_on_one_host_is_answered_by_the_other(
    hosts: tuple[Server, Server, StandIn, str], shelf: Path, tmp_path: Path
) -> None:
    _, b, _, url = hosts
    article = tmp_path / "penguins.md"
    article.write_text(
        "---\ntitle: Penguin Plan\noutlet: Polar Post\n---\n"
        "Penguins will deploy to Antarctica in spring, the admiral said.\n",
        encoding="utf-8",
    )
    env = {
        **clean_environ(),
        "STATE_URL": url,
        "CORPUS_DIR": str(shelf),
        "STATE_DIR": str(tmp_path / "host-a"),
    }
    page = ROOT / "tests" / "pages" / "daily-example-peace-plan.html"
    added = subprocess.run(
        [sys.executable, "-m", "bot", "add", str(article), str(page)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert added.returncode == 0, added.stderr
    with psycopg.connect(url) as conn:  # what host A extracted from the page, kept for every host
        [(kept,)] = conn.execute("SELECT count(*) FROM extractions").fetchall()
    assert kept >= 1
    for phrase, source in [
        ("penguins will deploy to Antarctica", "Penguin Plan"),
        ("nobody is sending soldiers into an active war", "Marcel Duval"),
    ]:
        started = time.monotonic()
        while True:
            body = slash_command("/whosaid", phrase)
            blocks = json.dumps(post(b.port, body, FORM, sign(body)).json()["blocks"], ensure_ascii=False)
            if source in blocks:
                break
            assert time.monotonic() - started < 15, f"host B never answered from {source!r}, added on host A"
            time.sleep(0.2)
    # The shared state lists the shelf; `state check` on host B finds its folder in step.
    check_env = {**env, "STATE_DIR": str(tmp_path / "host-b")}
    deadline = time.monotonic() + 10
    while True:
        checked = subprocess.run(
            [sys.executable, "-m", "bot", "state", "check"],
            env=check_env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        if checked.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Articles listed: 7" in checked.stdout and "postgres" in checked.stdout


def test_without_postgresql_binaries_the_tests_say_what_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_kit.glob, "glob", lambda pattern: [])
    with pytest.raises(AssertionError, match=r"^PostgreSQL server binaries .* apt-get install postgresql$"):
        pg_kit.binaries()


def test_a_host_whose_database_cannot_be_reached_stops_with_one_line(tmp_path: Path) -> None:
    env = {
        **clean_environ(),
        "STATE_URL": "postgresql://citebot:secret-password@127.0.0.1:1/citebot",
        "SLACK_SIGNING_SECRET": "x" * 32,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "CORPUS_DIR": str(ROOT / "seeds"),
        "STATE_DIR": str(tmp_path / "state"),
    }
    done = subprocess.run(
        [sys.executable, "-m", "bot", "serve", "--port", str(free_port())],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    last = done.stderr.strip().splitlines()[-1]
    assert last.startswith("citebot: STATE_URL postgresql://citebot:***@127.0.0.1:1/citebot: cannot connect")
    assert "secret-password" not in done.stderr and "Traceback" not in done.stderr
