"""Every Slack surface Citebot listens on, registered in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, commands, events

if TYPE_CHECKING:
    from bot.slack.app import Citebot


def register_listeners(app: AsyncApp, bot: Citebot) -> None:
    """Register slash commands, events and interactive actions."""
    commands.register(app, bot)
    events.register(app, bot)
    actions.register(app, bot)
