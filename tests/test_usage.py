"""Usage and feedback records, and answered events, in both shared-state backends (SQLite, and a real
PostgreSQL server): what is kept, what replaces what, what expires, what the report says."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.config import Settings
from bot.corpus import FolderCache
from bot.corpus import loading as corpus_loading
from bot.index import SearchIndex
from bot.shared import LayeredExtractions, SharedExtractions, SharedState, SqliteState, open_state
from bot.slack.service import Citebot
from bot.usage import DAY_SECONDS, AnswerRecord, Cited, FeedbackRecord, report_text
from bot.webpage import Webpage
from tests.conftest import ROOT, SEEDS
from tests.pg_kit import Postgres

_databases = iter(range(1, 1000))


@pytest.fixture(params=["sqlite", "postgres"])
def state_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """The address of a fresh, empty shared state in each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'state.sqlite3'}"
    server: Postgres = request.getfixturevalue("postgres")
    return server.new_database(f"usage_{next(_databases)}")


@pytest.fixture
def log(state_url: str) -> SharedState:
    return open_state(state_url)


def answer(
    id: str, command: str = "troops", found: bool = True, question: str | None = None, at: float | None = None
) -> AnswerRecord:
    return AnswerRecord(
        id=id,
        at=time.time() if at is None else at,
        surface="command",
        command=command,
        found=found,
        question=question,
        cited=[Cited(doc_id="a.md", paragraph=2)] if found else [],
    )


def vote(
    answer_id: str, user: str, positive: bool, command: str = "troops", at: float | None = None
) -> FeedbackRecord:
    return FeedbackRecord(
        answer_id=answer_id,
        user=user,
        at=time.time() if at is None else at,
        surface="command",
        command=command,
        positive=positive,
    )


def test_counts_per_surface_and_command_and_the_found_rate(log: SharedState) -> None:
    log.record_answer(answer("1", "troops"))
    log.record_answer(answer("2", "troops", found=False))
    log.record_answer(answer("3", "whosaid").model_copy(update={"surface": "dm"}))
    report = log.report(30)
    assert report.questions == 3 and report.found == 2 and report.found_rate == pytest.approx(0.667)
    assert report.by_command["troops"].asked == 2 and report.by_command["troops"].found == 1
    assert set(report.by_surface) == {"command", "dm"}
    assert report.by_surface["dm"].asked == 1
    assert report.questions_stored is False and report.most_asked == []


def test_a_second_click_by_the_same_person_replaces_the_first(log: SharedState) -> None:
    log.record_feedback(vote("a1", "U1", True))
    log.record_feedback(vote("a1", "U1", False))
    log.record_feedback(vote("a1", "U2", True))
    log.record_feedback(vote("a2", "U1", True, command="whosaid"))
    report = log.report(30)
    assert report.feedback["troops"].positive == 1 and report.feedback["troops"].negative == 1
    assert report.feedback["whosaid"].positive == 1
    assert len(report.recent_feedback) == 3


def test_most_asked_and_not_found_need_the_question_text(log: SharedState) -> None:
    for n in range(3):
        log.record_answer(answer(f"q{n}", question="how many troops?"))
    for n in range(2):
        log.record_answer(answer(f"m{n}", "ask", found=False, question="who owns the tram?"))
    log.record_answer(answer("x", "ask", found=False))  # no text kept: counted, never listed
    report = log.report(30)
    assert [(a.question, a.count) for a in report.most_asked] == [
        ("how many troops?", 3),
        ("who owns the tram?", 2),
    ]
    assert [(a.question, a.count) for a in report.not_found] == [("who owns the tram?", 2)]
    assert report.by_command["ask"].asked == 3
    text = report_text(report)
    assert "3 × how many troops?" in text and "Most often not found" in text


def test_records_older_than_the_retention_limit_are_deleted(state_url: str) -> None:
    log = open_state(state_url, keep_days=90)
    old = time.time() - 91 * DAY_SECONDS
    log.record_answer(answer("old", at=old))
    log.record_feedback(vote("old", "U1", True, at=old))
    log.record_answer(answer("new"))
    assert log.report(365).questions == 2  # kept until the next purge
    log.close()
    reopened = open_state(state_url, keep_days=90)  # a purge runs when the state is opened
    report = reopened.report(365)
    assert report.questions == 1 and report.feedback == {}
    assert reopened.answer("old") is None and reopened.answer("new") is not None


def test_the_window_counts_only_the_last_days(log: SharedState) -> None:
    log.record_answer(answer("a", at=time.time() - 10 * DAY_SECONDS))
    log.record_answer(answer("b"))
    assert log.report(7).questions == 1 and log.report(30).questions == 2


@pytest.mark.parametrize("log_queries", [False, True])
def test_question_text_is_kept_only_with_log_queries(seed_index: SearchIndex, log_queries: bool) -> None:
    settings = Settings(_env_file=None, corpus_dir=SEEDS, log_queries=log_queries)
    bot = Citebot(settings, seed_index, SqliteState.in_memory())
    result = bot.answer("/troops how many troops?")
    bot.log_request("command", result, time.perf_counter(), "/troops how many troops?", "id1")
    bot.record_feedback("id1", "U1", False, "command")
    record = bot.state.answer("id1")
    assert record is not None and record.command == "troops" and record.cited
    assert (record.question is not None) is log_queries
    [click] = bot.state.report(1).recent_feedback
    assert click.cited == record.cited and (click.question is not None) is log_queries


def test_the_report_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "state" / "events.sqlite3"
    log = open_state(f"sqlite:///{db}")
    log.record_answer(answer("1", question="how many troops?"))
    log.record_feedback(vote("1", "U1", True))
    log.close()
    monkeypatch.setenv("EVENTS_DB", str(db))
    monkeypatch.setenv("CORPUS_DIR", str(SEEDS))
    assert main(["report", "--days", "7", "--json"]) == 0
    out = capsys.readouterr().out
    assert '"positive": 1' in out and '"how many troops?"' in out
    assert main(["report"]) == 0
    assert "troops: 1 positive, 0 negative" in capsys.readouterr().out


def test_a_broken_records_file_is_one_line_not_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "events.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    monkeypatch.setenv("EVENTS_DB", str(db))
    monkeypatch.setenv("CORPUS_DIR", str(SEEDS))
    assert main(["report"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("citebot: cannot read the usage records") and "Traceback" not in err


def test_an_event_is_answered_once_and_expires_after_a_day(log: SharedState) -> None:
    assert log.first_time("Ev1") is True
    assert log.first_time("Ev1") is False
    assert log.first_time("Ev2") is True
    log.purge(now=time.time() + DAY_SECONDS + 60)
    assert log.first_time("Ev1") is True  # a day later the id is forgotten


def test_an_event_acknowledged_and_not_answered_is_kept_for_one_taker(log: SharedState) -> None:
    body = '{"event_id": "Ev9", "type": "event_callback"}'
    assert log.claim_event("Ev9", body, "host:1:a") == "new"
    assert log.claim_event("Ev8", "{}", "host:1:a") == "new"
    assert log.unanswered_events(since=0) == []  # not acknowledged yet: Slack may still retry them
    log.finish_event("Ev9")
    log.finish_event("Ev8", answered=True)  # its listener had nothing to post
    [waiting] = log.unanswered_events(since=0)
    assert (waiting.event_id, waiting.body, waiting.owner) == ("Ev9", body, "host:1:a")
    assert log.take_unanswered("Ev9", "host:1:a", "host:2:b") is True
    assert log.take_unanswered("Ev9", "host:1:a", "host:3:c") is False  # one taker only
    log.answered_event("Ev9")
    assert log.unanswered_events(since=0) == []
    assert log.claim_event("Ev9", body, "host:3:c") == "done"  # and a retry is still ignored


def test_migrations_are_recorded_and_applied_once(state_url: str) -> None:
    first = open_state(state_url, migrate=False)
    assert first.schema_version() == 0 and first.check()  # says to migrate
    assert first.migrate() == [
        "0001_shared_state",
        "0002_event_claims",
        "0003_extractions",
        "0004_unanswered_events",
        "0005_feeds",
    ]
    assert first.migrate() == []
    assert first.schema_version() == 5 and first.check() == []
    assert open_state(state_url).migrate() == []


def test_the_article_list_follows_the_shelf(log: SharedState) -> None:
    log.record_articles([("a.md", "d1", 10), ("b.md", "d2", 20)], "host-a")
    log.record_articles([("b.md", "d3", 21), ("c.md", "d4", 5)], "host-b")
    assert [(r.name, r.digest, r.host) for r in log.articles()] == [
        ("b.md", "d3", "host-b"),
        ("c.md", "d4", "host-b"),
    ]


def test_state_migrate_and_check_commands(
    state_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATE_URL", state_url)
    monkeypatch.setenv("CORPUS_DIR", str(SEEDS))
    assert main(["state", "check"]) == 1
    said = capsys.readouterr()
    assert "`python -m bot state migrate`" in said.out + said.err  # a SQLite file not there yet: not made
    assert main(["state", "migrate"]) == 0
    assert "applied 0001_shared_state, 0002_event_claims, 0003_extractions, 0004_unanswered_events" in (
        capsys.readouterr().out
    )
    assert main(["state", "migrate"]) == 0
    assert "nothing to apply" in capsys.readouterr().out
    if state_url.startswith("sqlite"):
        assert main(["state", "check"]) == 0
        out = capsys.readouterr().out
        assert "schema version 5" in out and "Articles listed: none" in out and out.rstrip().endswith("OK")
    else:  # hosts share PostgreSQL and none has listed its shelf yet: that is a problem to name
        assert main(["state", "check"]) == 1
        out = capsys.readouterr().out
        assert "schema version 5" in out and "no articles are listed, and 5 are in" in out


def test_state_check_names_articles_a_host_lacks(
    state_url: str,
    write_corpus: Callable[[dict[str, str]], Path],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    corpus = write_corpus({"a.md": "The harbour opened today, the mayor said.\\n"})
    state = open_state(state_url)
    state.record_articles([("a.md", "0" * 32, 10), ("b.md", "1" * 32, 5)], "host-a")
    monkeypatch.setenv("STATE_URL", state_url)
    monkeypatch.setenv("CORPUS_DIR", str(corpus))
    assert main(["state", "check"]) == 1
    out = capsys.readouterr().out
    assert "b.md: listed (from host-a) but not in" in out
    assert "a.md: differs from the listed copy (from host-a)" in out


@pytest.mark.parametrize(
    "url",
    ["postgresql://citebot@127.0.0.1:1/nowhere", "mysql://x/y", "sqlite:///"],
    ids=["unreachable", "unknown-scheme", "no-path"],
)
def test_a_bad_state_url_is_one_line(
    url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATE_URL", url)
    monkeypatch.setenv("CORPUS_DIR", str(SEEDS))
    assert main(["state", "check"]) in (1, 2)
    err = capsys.readouterr().err.strip()
    assert err.startswith("citebot: ") and len(err.splitlines()) == 1 and "Traceback" not in err


def test_a_page_one_host_extracted_is_not_extracted_by_another(
    state_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    state = open_state(state_url)
    calls: list[int] = []
    real = corpus_loading.extract_webpage

    def counted(data: bytes) -> Webpage:
        calls.append(1)
        return real(data)

    monkeypatch.setattr(corpus_loading, "extract_webpage", counted)
    page = (ROOT / "tests" / "pages" / "daily-example-peace-plan.html").read_bytes()
    host_a = LayeredExtractions(FolderCache(tmp_path / "a"), SharedExtractions(state))
    host_b = LayeredExtractions(FolderCache(tmp_path / "b"), SharedExtractions(state))
    first = corpus_loading.article_from_bytes(page, "plan.html", ".html", cache=host_a)
    second = corpus_loading.article_from_bytes(page, "plan.html", ".html", cache=host_b)
    assert calls == [1] and first == second
    assert list((tmp_path / "b").rglob("*.json"))  # host B keeps its own copy from then on
    corpus_loading.article_from_bytes(page, "plan.html", ".html", cache=FolderCache(tmp_path / "b"))
    assert calls == [1]


def test_an_unreachable_shared_cache_is_only_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    state = open_state(f"sqlite:///{tmp_path / 'state.sqlite3'}")
    state.close()  # every call now fails
    page = (ROOT / "tests" / "pages" / "daily-example-peace-plan.html").read_bytes()
    cache = LayeredExtractions(None, SharedExtractions(state))
    article = corpus_loading.article_from_bytes(page, "plan.html", ".html", cache=cache)
    assert article.title


def test_a_click_that_beats_its_answers_record_still_finds_it(seed_index: SearchIndex) -> None:
    # The answer's usage record is written off the event loop (and, with two workers, by the other
    # process): a quick click waits for it rather than filing the feedback under "unknown".
    settings = Settings(_env_file=None, corpus_dir=SEEDS)
    bot = Citebot(settings, seed_index, SqliteState.in_memory())
    result = bot.answer("/troops how many troops?")
    late = threading.Timer(
        0.3, bot.log_request, ("command", result, time.perf_counter(), "/troops how many troops?", "id2")
    )
    late.start()
    bot.record_feedback("id2", "U1", True, "command")
    late.join()
    [click] = bot.state.report(1).recent_feedback
    assert click.command == "troops" and click.cited


# -- the shared state's feed list ------------------------------------------------------------------


def test_a_due_feed_is_claimed_by_one_poller_only(state_url: str) -> None:
    """Two hosts (two connections) and one due feed: one polls it; its errors back it off."""
    first, second = open_state(state_url), open_state(state_url)
    assert first.follow_feed("https://news.example.org/feed", "U1", 600, now=1000) is True
    assert first.follow_feed("https://news.example.org/feed", "U2", 900, now=1001) is False  # interval only
    assert first.claim_feed("https://news.example.org/feed", now=1000) is not None
    assert second.claim_feed("https://news.example.org/feed", now=1000) is None  # taken
    first.record_poll(
        "https://news.example.org/feed", now=1000, next_at=5000, etag=None, last_modified=None, error="404"
    )
    row = second.feeds()[0]
    assert (row.added_by, row.every_s, row.failures, row.last_error) == ("U1", 900, 1, "404")
    assert second.claim_feed(row.url, now=4999) is None and second.claim_feed(row.url, now=5000) is not None
    first.record_entry(row.url, "https://news.example.org/a", "a.html")
    assert second.new_entries(row.url, ["https://news.example.org/a", "https://news.example.org/b"]) == [
        "https://news.example.org/b"
    ]
    assert second.unfollow_feed(row.url) and second.feeds() == []
