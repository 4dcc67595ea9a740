"""Every Slack surface Citebot listens on, registered in one place.

Listeners are plain module-level functions taking what Bolt passes (`ack`, `command`, `event`, `body`,
`client`, `respond`, `context`); the Citebot service comes in `context["citebot"]`.
"""

from __future__ import annotations

from collections.abc import Sequence

from slack_bolt.async_app import AsyncApp

from bot.slack.listeners import actions, adding, assistant, commands, events, home


def register_listeners(app: AsyncApp, slash_commands: Sequence[str]) -> None:
    """Register slash commands (those of the manifest), events, the assistant panel, the Home tab and
    interactive actions."""
    commands.register(app, slash_commands)
    assistant.register(app)  # before the DM listener: it takes the panel's messages (DMs in a thread)
    events.register(app)
    home.register(app)
    actions.register(app)
    adding.register(app)
