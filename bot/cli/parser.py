"""The command line's arguments: `python -m bot [run|ask|index|add|feeds|serve|manifest|report|state]`."""

from __future__ import annotations

import argparse
import logging
from pathlib import Path

logger = logging.getLogger("bot")


MAX_DAYS = 36_500  # `report --days`: a hundred years; dates further back cannot be written


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Citebot: cited answers from articles."
    )
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="article folder (default: CORPUS_DIR or seeds/)",
    )
    parser.add_argument("--corpus", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[corpus], help="run the bot (a local console without Slack credentials)")
    ask = sub.add_parser(
        "ask", parents=[corpus], help="answer TEXT as the bot would; '-' reads lines from stdin"
    )
    ask.add_argument("--json", action="store_true", help="print the answer as JSON (one object per line)")
    ask.add_argument(
        "text",
        nargs="+",
        metavar="TEXT",
        help="/whosaid …, /ask …, a topic command of the domain file (e.g. /troops …) or free text",
    )
    index = sub.add_parser(
        "index", parents=[corpus], help="build the index and report what was loaded and skipped"
    )
    index.add_argument(
        "--if-stale",
        action="store_true",
        help="only what changed since the saved index (a new segment), not a full build",
    )
    index.add_argument(
        "--merge", action="store_true", help="merge the saved index's small segments (tiered), if due"
    )
    index.add_argument(
        "--workers",
        type=positive,
        default=None,
        metavar="N",
        help="processes that read and attribute articles (default: one per core)",
    )
    add = sub.add_parser(
        "add", parents=[corpus], help="copy articles (files or folders) into the corpus and update the index"
    )
    add.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".txt, .md, .html, .htm or .pdf files, folders, or http(s) links (fetched safely)",
    )
    add.add_argument("--json", action="store_true", help="one JSON object per file")
    feeds = sub.add_parser(
        "feeds",
        parents=[corpus],
        help="follow feeds and sitemaps: their new articles are added as they appear",
    )
    feed_actions = feeds.add_subparsers(dest="feeds_action", metavar="ACTION", required=True)
    follow = feed_actions.add_parser(
        "add", help="follow the RSS, Atom or JSON feed, or news sitemap, at URL (checked at once)"
    )
    follow.add_argument("url", metavar="URL")
    follow.add_argument(
        "--every", default="30m", metavar="INTERVAL", help="how often to check it: 30m, 2h, 1d (default 30m)"
    )
    feed_actions.add_parser("list", help="the feeds followed: who added each, last checked, articles taken")
    unfollow = feed_actions.add_parser("remove", help="stop following URL (its articles stay)")
    unfollow.add_argument("url", metavar="URL")
    poll = feed_actions.add_parser(
        "poll", help="one pass: check the feeds that are due, add their new articles"
    )
    poll.add_argument("--all", action="store_true", help="check every feed now, due or not")
    serve = sub.add_parser(
        "serve", parents=[corpus], help="serve Slack over HTTP (POST /slack/events, GET /healthz)"
    )
    serve.add_argument("--host", help="address to listen on (default: HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 3000)")
    serve.add_argument("--workers", type=int, help="server processes (default: WORKERS or 1)")
    manifest = sub.add_parser(
        "manifest", help="print the Slack app manifest for the domain file (DOMAIN_FILE or the shipped one)"
    )
    manifest.add_argument(
        "--url",
        metavar="URL",
        help="HTTP mode: the request URL (https://<host>/slack/events); default Socket Mode",
    )
    report = sub.add_parser(
        "report",
        parents=[corpus],
        help="usage: questions per surface and command, found rate, feedback, what the shelf is missing",
    )
    report.add_argument(
        "--days", type=days, default=30, metavar="N", help="the last N days (default: 30, at most 36500)"
    )
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    state = sub.add_parser(
        "state", parents=[corpus], help="the shared state (STATE_URL): apply its migrations, or check it"
    )
    state.add_argument(
        "action",
        choices=["migrate", "check"],
        help="migrate: apply the SQL migrations not yet applied; check: schema, reachability, this host's shelf",
    )
    return parser


def days(text: str) -> int:
    days = positive(text)
    if days > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"at most {MAX_DAYS} days (a hundred years), not {text}")
    return days


def positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return number
