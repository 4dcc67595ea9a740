"""The Slack app manifest, built from the domain file: what `python -m bot manifest` prints.

The slash commands are `/whosaid`, the domain's topic commands and `/ask`; the shortcut, events and
scopes are the ones the listeners register. `manifest.json` in the repository is this output for the
shipped domain file (a test keeps them equal and checks both against Slack's published schema).
"""

from __future__ import annotations

from typing import Any

from bot.domain import Domain
from bot.slack.listeners import assistant, events, home
from bot.slack.listeners.actions import WHO_SAID_THIS
from bot.slack.listeners.adding import ADD_ARTICLE

BOT_EVENTS = (*events.SUBSCRIPTIONS, *assistant.SUBSCRIPTIONS, *home.SUBSCRIPTIONS)
BOT_SCOPES = (
    "app_mentions:read",
    "assistant:write",
    "chat:write",
    "commands",
    "files:read",
    "im:history",
    "im:read",
    "im:write",
    "usergroups:read",
)
WHOSAID_DESCRIPTION = "Who said a phrase, word for word, and where; or what a person said"
ASK_DESCRIPTION = "Ask anything the articles cover; answered with cited quotes"


def slash_commands(domain: Domain) -> list[dict[str, Any]]:
    """The slash commands: /whosaid, each topic command of the domain, /ask."""
    whosaid_hint = "  |  ".join(domain.app.whosaid_examples)
    commands = [_command("whosaid", WHOSAID_DESCRIPTION, whosaid_hint)]
    commands += [_command(t.command, t.description, t.usage_hint) for t in domain.topics]
    commands.append(_command("ask", ASK_DESCRIPTION, domain.app.ask_example))
    return commands


def _command(name: str, description: str, usage_hint: str) -> dict[str, Any]:
    return {
        "command": f"/{name}",
        "description": description,
        "usage_hint": usage_hint,
        "should_escape": False,
    }


def assistant_prompts(domain: Domain) -> list[dict[str, str]]:
    """The panel's prompts before any thread starts: the domain's topic commands with their examples
    (a thread's own prompts, built from the shelf's current articles, replace them when it starts)."""
    prompts = [{"title": t.title, "message": f"/{t.command} {t.example}"} for t in domain.topics]
    prompts.append({"title": "Ask anything", "message": domain.app.ask_example})
    return prompts[:4]


def build_manifest(domain: Domain, request_url: str | None = None) -> dict[str, Any]:
    """The app manifest: Socket Mode, or HTTP mode with every request sent to `request_url`."""
    commands = slash_commands(domain)
    settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": request_url is None,
        "token_rotation_enabled": False,
    }
    if request_url is not None:
        settings["event_subscriptions"]["request_url"] = request_url
        settings["interactivity"]["request_url"] = request_url
        for command in commands:
            command["url"] = request_url
    app = domain.app
    return {
        "_metadata": {"major_version": 1, "minor_version": 1},
        "display_information": {
            "name": app.name,
            "description": app.description,
            "background_color": app.background_color,
            "long_description": app.long_description,
        },
        "features": {
            "app_home": {
                "home_tab_enabled": True,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "assistant_view": {
                "assistant_description": app.description,
                "suggested_prompts": assistant_prompts(domain),
            },
            "bot_user": {"display_name": app.name, "always_online": True},
            "shortcuts": [
                {
                    "name": "Who said this?",
                    "type": "message",
                    "callback_id": WHO_SAID_THIS,
                    "description": "Find who said this message's words, word for word, and in which article",
                },
                {
                    "name": "Add to Citebot",
                    "type": "message",
                    "callback_id": ADD_ARTICLE,
                    "description": "Add the article this message links to or attaches to the shelf",
                },
            ],
            "slash_commands": commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": settings,
    }
