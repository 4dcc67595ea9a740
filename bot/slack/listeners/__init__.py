"""Every Slack surface Citebot listens on, registered in one place.

Listeners are plain module-level functions taking what Bolt passes (`ack`, `command`, `event`, `body`,
`client`, `respond`, `context`); the Citebot service comes in `context["citebot"]`.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, adding, commands, events


def register_listeners(app: AsyncApp, slash_commands: Sequence[str]) -> None:
    """Register slash commands (those of the manifest), events and interactive actions."""
    commands.register(app, slash_commands)
    events.register(app)
    actions.register(app)
    adding.register(app)
