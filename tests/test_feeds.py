"""Following feeds: reading RSS, Atom, JSON Feed and sitemaps, and `python -m bot feeds` against a real
news site on 127.0.0.1 (tests/feed_kit.py), with the fetch's test-only private-address allowance."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import CitebotError
from bot.feeds import FeedError, read_feed
from bot.following import MAX_ENTRIES_PER_POLL, parse_every
from bot.shared import open_state
from bot.webpage import linked_share
from tests.feed_kit import STORIES, FeedSite, atom, front_page, rss, story_page
from tests.test_cli import run

RSS_TYPE = "application/rss+xml"
HTML = "text/html; charset=utf-8"


# -- reading feeds ---------------------------------------------------------------------------------


def test_rss_and_atom_entries_are_read_in_order_with_links_made_absolute() -> None:
    base = "https://news.example.org"
    entries = read_feed(rss(base, [("/a", "First"), ("/b", "Second")]), f"{base}/feed")
    assert [(e.link, e.title) for e in entries] == [(f"{base}/a", "First"), (f"{base}/b", "Second")]
    relative = read_feed(atom(base, [("a.html", "One")]), f"{base}/atom.xml")
    assert [e.link for e in relative] == [f"{base}/a.html"]


def test_a_json_feed_and_a_news_sitemap_are_read() -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Coast Herald",
        "items": [
            {
                "id": "1",
                "url": "https://news.example.org/one",
                "title": "One",
                "date_published": "2026-11-02",
            },
            {"id": "2", "external_url": "/two"},
            {"id": "3", "url": "mailto:desk@example.org"},  # not a page: left out
        ],
    }
    entries = read_feed(json.dumps(feed).encode(), "https://news.example.org/feed.json")
    assert [(e.link, e.title, e.published) for e in entries] == [
        ("https://news.example.org/one", "One", "2026-11-02"),
        ("https://news.example.org/two", None, None),
    ]
    sitemap = (
        b'<?xml version="1.0" encoding="UTF-8"?>'
        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        b'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        b"<url><loc>https://news.example.org/ferry</loc><news:news><news:title>Ferry</news:title>"
        b"<news:publication_date>2026-11-02</news:publication_date></news:news></url>"
        b"<url><loc>https://news.example.org/bridge</loc><lastmod>2026-11-03</lastmod></url></urlset>"
    )
    read = read_feed(sitemap, "https://news.example.org/sitemap.xml")
    assert [(e.link, e.title, e.published) for e in read] == [
        ("https://news.example.org/ferry", "Ferry", "2026-11-02"),
        ("https://news.example.org/bridge", None, "2026-11-03"),
    ]


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"<!doctype html><html><body><p>A page</p></body></html>", "not a feed"),
        (b"\x00\x01\x02 binary", "not a feed"),
        (b'{"items": []}', "not a JSON Feed"),
        (
            b'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>x</loc>'
            b"</sitemap></sitemapindex>",
            "sitemap index",
        ),
    ],
)
def test_what_is_not_a_feed_says_so(data: bytes, says: str) -> None:
    with pytest.raises(FeedError, match=says):
        read_feed(data, "https://news.example.org/feed")


def test_intervals_read_as_people_write_them() -> None:
    assert [parse_every(t) for t in ("30m", "2h", "1d", "90s", "45")] == [1800, 7200, 86400, 90, 2700]
    for bad in ("soon", "10s", "30 weeks", "9d"):
        with pytest.raises(CitebotError):
            parse_every(bad)


def test_a_list_of_headlines_is_mostly_links_and_a_story_is_not() -> None:
    front = front_page([(f"/{k}", STORIES[k][0]) for k in STORIES])
    text = "\n".join(STORIES[k][0] for k in STORIES)
    assert linked_share(text, front) == 1.0
    story = story_page("ferry")
    assert linked_share("\n".join(STORIES["ferry"][3]), story) == 0.0


# -- python -m bot feeds, against a real site -------------------------------------------------------


@pytest.fixture
def site() -> Iterator[FeedSite]:
    site = FeedSite()
    yield site
    site.stop()


def _env(tmp_path: Path) -> dict[str, str]:
    return {
        "CORPUS_DIR": str(tmp_path / "articles"),
        "STATE_DIR": str(tmp_path / "state"),
        "FETCH_ALLOW_PRIVATE": "true",
        "MEANING": "off",
    }


def _follow(tmp_path: Path, *urls: str) -> None:
    """Follow `urls` as `feeds add` does, in this process (the command itself is tested above)."""
    state = open_state(f"sqlite:///{tmp_path / 'state' / 'events.sqlite3'}")
    try:
        for url in urls:
            state.follow_feed(url, "tests", 1800)
    finally:
        state.close()


def test_following_a_feed_adds_its_articles_once_and_cites_them(site: FeedSite, tmp_path: Path) -> None:
    env = _env(tmp_path)
    for key in STORIES:
        site.pages[f"/news/{key}"] = (HTML, story_page(key))
    site.pages["/news"] = (HTML, front_page([(f"/news/{k}", STORIES[k][0]) for k in STORIES]))
    entries = [("/news/ferry", "Ferry"), ("/news/bridge", "Bridge"), ("/news", "All our news")]
    site.pages["/feed.xml"] = (RSS_TYPE, rss(site.base, entries))
    feed = f"{site.base}/feed.xml"

    followed = run("feeds", "add", feed, "--every", "15m", env=env)
    assert followed.returncode == 0 and f"following {feed} every 15m" in followed.stdout
    polled = run("feeds", "poll", env=env)
    assert polled.returncode == 0, polled.stderr
    assert "2 added, 1 refused" in polled.stdout
    assert "not an article (a list of links" in polled.stdout  # the section front
    assert sorted(p.name for p in (tmp_path / "articles").iterdir()) == [
        "127-0-0-1-news-bridge.html",
        "127-0-0-1-news-ferry.html",
    ]

    answer = run("ask", "--json", "who chairs the island council?", env=env)
    cited = json.loads(answer.stdout)["answers"][0]
    assert "Marta Hagen, who chairs the island council" in cited["quote"]
    citation = cited["citation"]
    assert (citation["title"], citation["author"], citation["date"]) == (
        STORIES["ferry"][0],
        "Mara Lindqvist",
        "2026-11-02",
    )
    assert citation["url"] == f"{site.base}/news/ferry"

    # Not due yet: nothing fetched. Forced: a conditional GET, answered 304, and nothing taken twice.
    assert "No feed is due" in run("feeds", "poll", env=env).stdout
    again = run("feeds", "poll", "--all", env=env)
    assert "unchanged since the last poll" in again.stdout
    assert site.statuses("/feed.xml") == [200, 304]
    assert site.statuses("/news/ferry") == [200]

    # A new entry is published: only it is fetched.
    site.pages["/feed.xml"] = (RSS_TYPE, rss(site.base, [("/news/harbour", "Harbour"), *entries]))
    site.pages["/news/harbour"] = (HTML, story_page("harbour"))
    third = run("feeds", "poll", "--all", env=env)
    assert "1 added, 0 refused" in third.stdout
    assert site.statuses("/news/ferry") == [200] and site.statuses("/news/harbour") == [200]

    listed = run("feeds", "list", env=env).stdout
    assert feed in listed and "every 15m" in listed and "3 taken" in listed and "(command line)" in listed
    assert run("feeds", "remove", feed, env=env).returncode == 0
    assert "No feeds followed yet." in run("feeds", "list", env=env).stdout
    assert len(list((tmp_path / "articles").iterdir())) == 3  # its articles stay


def test_a_bad_feed_gets_one_clear_line_and_is_tried_later(site: FeedSite, tmp_path: Path) -> None:
    env = _env(tmp_path)
    site.pages["/page"] = (HTML, story_page("bridge"))  # a page, not a feed
    site.pages["/huge.xml"] = (RSS_TYPE, b"<rss>" + b" " * (6 * 1024 * 1024))
    _follow(tmp_path, *(f"{site.base}{path}" for path in ("/gone.xml", "/page", "/huge.xml")))
    polled = run("feeds", "poll", env=env)
    assert polled.returncode == 1
    assert f"{site.base}/gone.xml: the site answered 404 Not Found" in polled.stdout
    assert f"{site.base}/page: not a feed" in polled.stdout
    assert f"{site.base}/huge.xml: too large" in polled.stdout
    assert "Traceback" not in polled.stdout + polled.stderr
    listed = run("feeds", "list", env=env).stdout
    assert "last error: the site answered 404 Not Found" in listed
    assert "No feed is due" in run("feeds", "poll", env=env).stdout  # backed off, not retried at once
    assert not (tmp_path / "articles").exists() or not list((tmp_path / "articles").iterdir())


def test_a_feed_address_that_is_not_one_is_refused(tmp_path: Path) -> None:
    result = run("feeds", "add", "ftp://news.example.org/feed", env=_env(tmp_path))
    assert result.returncode == 1 and "not a feed address" in result.stderr


def test_a_poll_takes_at_most_its_cap_and_leaves_the_rest_for_the_next(
    site: FeedSite, tmp_path: Path
) -> None:
    env = _env(tmp_path)
    entries = [(f"/gone/{n}", f"Story {n}") for n in range(MAX_ENTRIES_PER_POLL + 3)]  # each a 404
    site.pages["/feed.xml"] = (RSS_TYPE, rss(site.base, entries))
    _follow(tmp_path, f"{site.base}/feed.xml")
    first = run("feeds", "poll", env=env)
    assert f"0 added, {MAX_ENTRIES_PER_POLL} refused, 3 more next poll" in first.stdout
    second = run("feeds", "poll", "--all", env=env)
    assert "0 added, 3 refused" in second.stdout
    assert len([r for r in site.requests if r.path.startswith("/gone/")]) == MAX_ENTRIES_PER_POLL + 3


def test_a_fetched_page_remembers_where_it_came_from_unless_it_says_so_itself() -> None:
    from bot.webpage import extract_webpage, mark_saved_from

    url = "https://news.example.org/news/ferry"
    marked = mark_saved_from(story_page("ferry"), url)
    assert marked.startswith(b"<!-- saved from url=(0035)https://news.example.org/news/ferry -->")
    assert mark_saved_from(marked, url) == marked  # marked once
    assert extract_webpage(marked).meta["url"] == url
    assert "url" not in extract_webpage(story_page("ferry")).meta
    canonical = story_page("ferry").replace(
        b"</head>", b'<link rel="canonical" href="https://herald.example.org/ferry"></head>'
    )
    assert mark_saved_from(canonical, url) == canonical  # it names its address: left byte for byte


def test_a_running_server_polls_a_followed_feed_and_answers_from_its_entries(
    site: FeedSite, tmp_path: Path
) -> None:
    """End to end: the feed is followed from the command line, the real server polls it on its own, adds
    the entry through the normal add path and its watcher indexes it; a signed /ask then quotes it."""
    import time

    from tests.slack_kit import FORM, StandIn, post, sign, slash_command, start_server

    site.pages["/news/bridge"] = (HTML, story_page("bridge"))
    site.pages["/feed.xml"] = (RSS_TYPE, rss(site.base, [("/news/bridge", "Bridge")]))
    env = {**_env(tmp_path), "EVENTS_DB": str(tmp_path / "state" / "events.sqlite3")}
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "ferry.html").write_bytes(story_page("ferry"))
    stand_in = StandIn().start()
    server = start_server(stand_in, env=env)
    try:
        assert run("feeds", "add", f"{site.base}/feed.xml", "--every", "1m", env=env).returncode == 0
        followed = time.monotonic()
        question = slash_command("/ask", "why is the coastal road closed?")
        while time.monotonic() - followed < 60:
            reply = post(server.port, question, FORM, sign(question)).body.decode()
            if "Repairs to the old bridge will close the coastal road" in reply:
                break
            time.sleep(0.5)
        else:
            raise AssertionError(f"the feed's entry was not answered within 60 s:\n{server.stop()}")
        print(f"answerable {time.monotonic() - followed:.1f} s after following")
        assert f"{site.base}/news/bridge" in reply and STORIES["bridge"][0] in reply
        assert site.statuses("/news/bridge") == [200]
    finally:
        log = server.stop()
        stand_in.stop()
    assert "Traceback" not in log


def test_following_from_slack_with_adders_and_the_home_tab(site: FeedSite, tmp_path: Path) -> None:
    """Over Slack's wire protocol: `/ask follow <url> every 2h` by someone ADDERS allows, refused for
    someone it does not, the Home tab listing the feed with who added it, and `/ask unfollow`."""
    import time

    from slack_sdk.models.views import View

    from tests.slack_kit import (
        FORM,
        JSON,
        StandIn,
        event_callback,
        home_opened,
        post,
        sign,
        slash_command,
        start_server,
    )

    site.pages["/feed.xml"] = (RSS_TYPE, rss(site.base, []))
    feed = f"{site.base}/feed.xml"
    env = {**_env(tmp_path), "ADDERS": "U0001"}
    (tmp_path / "articles").mkdir()
    (tmp_path / "articles" / "ferry.html").write_bytes(story_page("ferry"))
    stand_in = StandIn().start()
    server = start_server(stand_in, env=env)

    def ask(text: str, user: str = "U0001") -> str:
        body = slash_command("/ask", text, user_id=user)
        reply = post(server.port, body, FORM, sign(body))
        assert reply.status == 200
        return reply.body.decode()

    try:
        assert "Following " + feed in ask(f"follow {feed} every 2h")
        assert "checked every 2h" in ask(f"follow {feed} every 2h")  # again: the interval, once
        refused = ask(f"follow {site.base}/other.xml", user="U0002")
        assert "Following" not in refused and "U0001" in refused
        assert "between 1 minute and 7 days" in ask(f"follow {feed} every 2s")
        body = event_callback(home_opened("U0001"), f"EvFeeds{time.time_ns()}")
        assert post(server.port, body, JSON, sign(body)).status == 200
        [call] = stand_in.wait_for("views.publish")
        view = call.params["view"]
        view = json.loads(view) if isinstance(view, str) else view
        View(**view).validate_json()
        home = json.dumps(view)
        assert "Feeds followed" in home and feed in home and "added by <@U0001>" in home
        assert "Stopped following " + feed in ask(f"unfollow {feed}")
        assert "I was not following" in ask(f"unfollow {feed}")
    finally:
        log = server.stop()
        stand_in.stop()
    assert "Traceback" not in log
