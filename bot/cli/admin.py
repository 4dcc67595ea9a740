"""Operating commands: the usage report, the shared state (migrate, check), the Slack app manifest."""

from __future__ import annotations

import json
import logging
from urllib.parse import urlsplit

from bot.config import Settings
from bot.domain import load_domain
from bot.errors import CitebotError, StateUnavailable
from bot.shared import describe, open_state, shelf_differences
from bot.usage import report_text

logger = logging.getLogger("bot")


def report_command(settings: Settings, *, days: int, as_json: bool) -> int:
    """What the team asked, what it found, what it thought of the answers (EVENTS_DB's records)."""
    try:
        state = open_state(settings.state_location, keep_days=settings.history_days)
        try:
            report = state.report(days)
        finally:
            state.close()
    except StateUnavailable as exc:
        raise CitebotError(f"cannot read the usage records: {exc}") from exc
    print(report.model_dump_json(indent=2) if as_json else report_text(report))
    return 0


def state_command(settings: Settings, action: str) -> int:
    """`state migrate` applies the pending migrations; `state check` says what is wrong, exit 1 if anything."""
    where = describe(settings.state_location)
    try:
        state = open_state(
            settings.state_location,
            keep_days=settings.history_days,
            migrate=False,
            create=action == "migrate",  # `check` only looks
        )
    except StateUnavailable as exc:
        raise CitebotError(f"{where}: {exc}") from exc
    try:
        if action == "migrate":
            applied = state.migrate()
            print(f"{where}: " + (f"applied {', '.join(applied)}" if applied else "nothing to apply"))
            print(f"Schema version {state.schema_version()}")
            return 0
        problems = state.check()
        print(f"{where}: {state.backend}, schema version {state.schema_version()}")
        listed = len(state.articles()) if not problems else 0
        if not problems and (listed or settings.state_on_postgres):
            problems = shelf_differences(state, settings.corpus_dir)
            print(f"Articles listed: {listed}")
        elif not problems:
            print("Articles listed: none (the shelf is listed when hosts share PostgreSQL)")
        for problem in problems:
            print(f"  problem: {problem}")
        print("OK" if not problems else f"{len(problems)} problem(s)")
        return 0 if not problems else 1
    except StateUnavailable as exc:
        raise CitebotError(f"{where}: {exc}") from exc
    finally:
        state.close()


def manifest_command(settings: Settings, url: str | None) -> int:
    """Print manifest.json for the domain file: paste it at api.slack.com/apps."""
    from bot.slack.manifest import build_manifest  # Slack's libraries load only for commands that use them

    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise CitebotError(
                f"--url must be the server's public address, e.g. https://citebot.example.com (not {url})"
            )

    print(json.dumps(build_manifest(load_domain(settings.domain_path), url), indent=4, ensure_ascii=False))
    return 0
