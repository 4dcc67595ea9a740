"""`python -m bot feeds add|list|remove|poll`: the feeds the shelf follows (bot/following.py)."""

from __future__ import annotations

import argparse
import getpass

from bot.cli.indexing import index_added
from bot.config import Settings
from bot.domain import load_domain
from bot.errors import CitebotError, StateUnavailable
from bot.following import describe_every, feed_address, feed_line, parse_every, poll_feeds
from bot.hosts import extractions, host_shelf, list_shelf
from bot.shared import SharedState, describe, open_state


def feeds_command(settings: Settings, args: argparse.Namespace) -> int:
    """Follow, list, unfollow or poll feeds; exit 1 when an asked-for feed is not there or a poll failed."""
    try:
        state = open_state(settings.state_location, keep_days=settings.history_days)
    except StateUnavailable as exc:
        raise CitebotError(
            f"cannot open the shared state {describe(settings.state_location)}: {exc}"
        ) from exc
    try:
        action = args.feeds_action
        if action == "add":
            url, every = feed_address(args.url), parse_every(args.every)
            new = state.follow_feed(url, added_by=f"{_who()} (command line)", every_s=every)
            said = "following" if new else "already following; now checked"
            print(f"{said} {url} every {describe_every(every)} (`python -m bot feeds poll` checks it now)")
            return 0
        if action == "remove":
            url = feed_address(args.url)
            if not state.unfollow_feed(url):
                print(f"not following {url}")
                return 1
            print(f"stopped following {url} (the articles taken from it stay on the shelf)")
            return 0
        if action == "list":
            rows = state.feeds()
            print("\n".join(feed_line(row) for row in rows) if rows else "No feeds followed yet.")
            return 0
        return _poll(settings, state, every=args.all)
    except StateUnavailable as exc:
        raise CitebotError(f"the shared state failed: {exc}") from exc
    finally:
        state.close()


def _poll(settings: Settings, state: SharedState, *, every: bool) -> int:
    domain = load_domain(settings.domain_path)
    extracted = extractions(settings, state)
    reports = poll_feeds(
        state,
        lambda: host_shelf(settings, domain, state),
        allow_private=settings.fetch_allow_private,
        force=every,
    )
    if not reports:
        print("No feed is due (`feeds poll --all` checks them all now).")
    for report in reports:
        print(report.describe())
    if any(report.added for report in reports):
        index = index_added(settings, domain, extracted)
        print(f"Index updated: {len(index.articles)} articles, {index.live_passages} passages")
        list_shelf(settings)
    return 1 if any(report.error for report in reports) else 0


def _who() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "someone"
