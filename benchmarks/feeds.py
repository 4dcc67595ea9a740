"""How soon is a followed feed's entry answerable? `python -m benchmarks.feeds [--entries N]`.

Starts `python -m bot serve` on a small shelf and a news site on 127.0.0.1 (tests/feed_kit.py), follows
the site's feed every minute from the command line, then publishes new entries at different points of
the interval and asks a signed `/ask` until each is quoted. Prints the time from following to the first
entry answered, and from each publication to its answer (issue 29's target: one interval plus 5 s).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from tests.feed_kit import STORIES, FeedSite, rss, story_page
from tests.slack_kit import FORM, StandIn, post, sign, slash_command, start_server
from tests.test_cli import run

INTERVAL = "1m"
HTML = "text/html; charset=utf-8"
RSS = "application/rss+xml"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.feeds", description=__doc__)
    parser.add_argument("--entries", type=int, default=2, help="entries published after the first")
    args = parser.parse_args()
    site = FeedSite()
    work = Path(tempfile.mkdtemp(prefix="citebot-feeds-"))
    env = {
        "CORPUS_DIR": str(work / "articles"),
        "STATE_DIR": str(work / "state"),
        "EVENTS_DB": str(work / "state" / "events.sqlite3"),
        "FETCH_ALLOW_PRIVATE": "true",  # the site is on 127.0.0.1
        "MEANING": "off",
    }
    (work / "articles").mkdir()
    (work / "articles" / "harbour.html").write_bytes(story_page("harbour"))
    entries = [("/news/ferry", "Ferry")]
    site.pages["/news/ferry"] = (HTML, story_page("ferry"))
    site.pages["/feed.xml"] = (RSS, rss(site.base, entries))
    stand_in = StandIn().start()
    server = start_server(stand_in, env=env)

    def wait_for(question: str, quote: str) -> None:
        body = slash_command("/ask", question)
        while quote not in post(server.port, body, FORM, sign(body)).body.decode():
            time.sleep(0.2)

    try:
        run("feeds", "add", f"{site.base}/feed.xml", "--every", INTERVAL, env=env)
        started = time.monotonic()
        wait_for("who chairs the island council?", "Marta Hagen")
        print(f"first entry answerable {time.monotonic() - started:.1f} s after `feeds add`", flush=True)
        for n in range(args.entries):
            time.sleep(7 + 13 * n)  # publish at a different point of the interval each time
            place = f"place{n}"
            title = STORIES["bridge"][0]
            page = story_page("bridge").replace(b"old bridge", f"old {place} bridge".encode())
            site.pages[f"/news/{place}"] = (HTML, page)
            entries.insert(0, (f"/news/{place}", title))
            site.pages["/feed.xml"] = (RSS, rss(site.base, entries))
            published = time.monotonic()
            wait_for(f"why is the {place} bridge being repaired?", f"Repairs to the old {place} bridge")
            print(
                f"entry {n + 2} answerable {time.monotonic() - published:.1f} s after it was published "
                f"(followed every {INTERVAL}; target: the interval plus 5 s)",
                flush=True,
            )
    finally:
        server.stop()
        stand_in.stop()
        site.stop()


if __name__ == "__main__":
    main()
