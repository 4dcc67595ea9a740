"""Running the bot: Socket Mode with an app token, HTTP with a signing secret, else the console."""

from __future__ import annotations

import logging
import sys

from bot.cli.console import console
from bot.cli.indexing import load_index
from bot.config import Settings
from bot.domain import load_domain
from bot.errors import CitebotError
from bot.logs import configure as configure_logging

logger = logging.getLogger("bot")


def run(settings: Settings) -> int:
    """Socket Mode with an app token, else HTTP with a signing secret, else the local console."""
    if settings.slack_app_token is not None:
        require("SLACK_BOT_TOKEN", settings.slack_bot_token)
        start_server_logging(settings)
        from bot.slack.runners import run_socket_mode  # Slack's libraries: only where they are needed
        from bot.slack.service import make_bot

        run_socket_mode(settings, lambda: make_bot(settings))
        return 0
    if settings.slack_signing_secret is not None or settings.slack_bot_token is not None:
        return serve(settings)
    return console(settings, sys.stdin, sys.stdout)


def serve(settings: Settings) -> int:
    # Slack's libraries take most of a second to import: only the commands that talk to Slack load them.
    from bot.slack.runners import run_http
    from bot.slack.service import Citebot, shared_state

    if settings.slack_signing_secret is None and settings.slack_bot_token is not None:
        raise CitebotError(
            "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN "
            "(Socket Mode) is; set one of them (see .env.example)"
        )
    require("SLACK_SIGNING_SECRET", settings.slack_signing_secret)
    require("SLACK_BOT_TOKEN", settings.slack_bot_token)
    start_server_logging(settings)
    domain = load_domain(settings.domain_path)  # before the server starts: a bad file stops it in one line
    index = load_index(settings, domain)
    shared_state(settings).close()  # refuses to start if the workers cannot share it; migrated once here
    # Each worker process opens the shared state itself: connections are not carried across a fork.
    run_http(settings, lambda: Citebot(settings, index, shared_state(settings), domain))
    return 0


def require(name: str, value: object) -> None:
    if value is None:
        raise CitebotError(f"{name} is not set; see .env.example")


def start_server_logging(settings: Settings) -> None:
    configure_logging(settings)
    for doubt in settings.doubts():
        logger.warning(doubt)
