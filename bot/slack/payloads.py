"""The parts of Slack's payloads that Citebot uses, validated at the edge.

A signed request can still be malformed (a test tool, a proxy, a bug on either side): a shortcut
whose message is null, an action without a channel, a mention without one, text that is a number.
Each listener reads its payload through one of these models; what does not fit is ignored with one
log line instead of a traceback. `envelope_problem` checks, before Bolt sees a request, the few
things Bolt itself relies on when it routes one.
"""

from __future__ import annotations

import logging
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, ValidationError

logger = logging.getLogger(__name__)


class _Part(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True)


class UserRef(_Part):
    id: str


class ChannelRef(_Part):
    id: str


class Container(_Part):
    channel_id: str | None = None
    message_ts: str | None = None
    thread_ts: str | None = None


class SharedFile(_Part):
    """A file attached to a message; `url_private` is downloaded with the bot token (files:read)."""

    id: str
    name: str | None = None
    mimetype: str | None = None
    size: int | None = None
    url_private: str | None = None


class MessageEvent(_Part):
    """An `app_mention` or `message` event."""

    channel: str
    user: str | None = None
    text: str | None = None
    ts: str | None = None
    thread_ts: str | None = None
    subtype: str | None = None
    bot_id: str | None = None
    channel_type: str | None = None
    files: list[SharedFile] = []


class SlashCommand(_Part):
    command: str
    text: str | None = None
    user_id: str | None = None
    channel_id: str | None = None


class ActionClick(_Part):
    """A `block_actions` payload: who clicked, where, and the button's value."""

    user: UserRef
    channel: ChannelRef | None = None
    container: Container | None = None
    response_url: str | None = None

    @property
    def channel_id(self) -> str | None:
        if self.channel is not None:
            return self.channel.id
        return self.container.channel_id if self.container is not None else None


class Button(_Part):
    action_id: str
    value: str | None = None


class ShortcutMessage(_Part):
    text: str | None = None
    files: list[SharedFile] = []


class MessageShortcut(_Part):
    """A message shortcut (`message_action`): the message it was used on, who used it, where."""

    user: UserRef
    channel: ChannelRef
    message: ShortcutMessage
    response_url: str | None = None


Part = TypeVar("Part", bound=BaseModel)


def read(model: type[Part], data: object, what: str) -> Part | None:
    """`data` as `model`, or None (and one warning naming the first problem) when it does not fit."""
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"]) or "payload"
        logger.warning("ignored a malformed %s: %s: %s", what, where, problem["msg"])
        return None


def envelope_problem(body: dict[str, Any]) -> str | None:
    """What is wrong with a request's envelope for Bolt to route it, or None."""
    kind = body.get("type")
    if "command" in body:
        command = body.get("command")
        return None if isinstance(command, str) and command.startswith("/") else "a command without a name"
    if kind == "event_callback":
        event = body.get("event")
        if not isinstance(event, dict) or not isinstance(event.get("type"), str):
            return "an event callback without an event"
    elif kind == "block_actions":
        actions = body.get("actions")
        if not isinstance(actions, list) or not actions:
            return "a block action without actions"
        if not all(isinstance(a, dict) and isinstance(a.get("action_id"), str) for a in actions):
            return "a block action without an action id"
    elif kind in ("message_action", "shortcut") and not isinstance(body.get("callback_id"), str):
        return "a shortcut without a callback id"
    for name in ("user", "channel", "team", "container", "message"):
        if name in body and body[name] is not None and not isinstance(body[name], dict | str):
            return f"a request whose {name} is neither an object nor an id"
    return None
