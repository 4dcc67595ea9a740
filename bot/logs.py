"""Logging for the servers: one handler, plain or JSON lines, and never a token or a secret."""

from __future__ import annotations

import atexit
import json
import logging
import re
import sys
from logging.handlers import QueueHandler, QueueListener
from queue import Queue

from pythonjsonlogger.json import JsonFormatter

from bot.config import Settings

# Slack tokens (xoxb-, xoxp-, xapp-, …): whatever logs them by mistake, they are masked here.
_TOKEN = re.compile(r"\b(?:xox[abposre]|xapp)-[A-Za-z0-9-]+")
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


# Attributes every LogRecord has; anything else on a record was added by `extra=` and is a field too.
_STANDARD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, None, None, None))) | {"message", "asctime"}
# C0 and C1 controls, DEL and the Unicode line separators: each can forge a line or drive a terminal.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_NAMED_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def escape_controls(text: str) -> str:
    """Show control characters as escapes, so one record is one line and a terminal runs nothing."""
    return _CONTROL.sub(
        lambda m: _NAMED_ESCAPES.get(m.group(), m.group().encode("unicode_escape").decode()), text
    )


class Redactor:
    """Masks Slack tokens and the configured secrets in any text, also where JSON escaped them."""

    def __init__(self, secrets: list[str]) -> None:
        spelled: set[str] = set()
        for secret in secrets:
            if len(secret) >= 6:
                spelled |= {secret, json.dumps(secret)[1:-1], json.dumps(secret, ensure_ascii=False)[1:-1]}
        self._secrets = sorted(spelled, key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[secret]")
        return _TOKEN.sub("[token]", text)


class RedactSecrets(logging.Filter):
    """Clean every record before any handler sees it: the message, its arguments and each extra field.

    Secrets are masked everywhere; with `escape` (the text format) control characters are escaped
    too. JSON escapes them by itself, so the JSON format keeps the user's text exact.
    """

    def __init__(self, secrets: list[str], *, escape: bool = False) -> None:
        super().__init__()
        self.redact = Redactor(secrets)
        self._escape = escape

    def clean(self, text: str) -> str:
        text = self.redact(text)
        return escape_controls(text) if self._escape else text

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.clean(message)
        if clean != message:
            record.msg, record.args = clean, None
        for name, value in list(vars(record).items()):
            if name not in _STANDARD_FIELDS:
                setattr(record, name, self._clean_value(value))
        return True

    def _clean_value(self, value: object) -> object:
        if isinstance(value, str):
            return self.clean(value)
        if isinstance(value, (dict, list, tuple)):  # a structured field: clean its text, keep its shape
            return json.loads(self.redact(json.dumps(value, default=str)))
        return value


class RedactedFormatter(logging.Formatter):
    """The last guard: whatever a formatter produced (a traceback, a field we did not foresee) is masked."""

    def __init__(self, inner: logging.Formatter, redact: Redactor) -> None:
        super().__init__()
        self._inner, self._redact = inner, redact

    def format(self, record: logging.LogRecord) -> str:
        return self._redact(self._inner.format(record))


class DropExpected(logging.Filter):
    """Quiet what Bolt says that is expected here, and keep its advice and its retries to one line.

    Bolt warns that the token it read from SLACK_BOT_TOKEN is unused: with our own authorize, it is.
    For a request nobody handles (an unknown command or action) it prints a multi-line block of code
    suggestions meant for the app's developer; the first line says what happened.
    """

    EXPECTED = (
        "As you gave `client` as well, `token` will be unused",
        "`token` (or SLACK_BOT_TOKEN env variable)",
    )
    SUGGESTION = "Unhandled request"
    # slack_sdk logs each failed WebSocket connect with a traceback and tries again; the message says it all.
    RETRIED = ("Failed to connect", "Failed to check the current session")

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(expected in message for expected in self.EXPECTED):
            return False
        if message.startswith(self.SUGGESTION) and "\n" in message:
            record.msg, record.args = message.split("\n", 1)[0], None
        if message.startswith(self.RETRIED):
            record.exc_info, record.exc_text = None, None
        return True


def configure(settings: Settings) -> None:
    """Send all logs to stderr in the configured format, at the configured level, secrets masked.

    Records are queued and written by a background thread: a slow reader of stderr (a full pipe, a
    busy journal) delays log lines, never the event loop answering Slack.
    """
    secrets = [
        s.get_secret_value()
        for s in (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token)
        if s
    ]
    json_lines = settings.log_format == "json"
    redact = RedactSecrets(secrets, escape=not json_lines)
    inner: logging.Formatter
    if json_lines:
        fields = "%(asctime)s %(levelname)s %(name)s %(message)s"
        inner = JsonFormatter(fields, rename_fields={"levelname": "level", "name": "logger"})
    else:
        inner = logging.Formatter(TEXT_FORMAT)
    writer = logging.StreamHandler(sys.stderr)
    writer.setFormatter(RedactedFormatter(inner, redact.redact))
    queue: Queue[logging.LogRecord] = Queue()
    handler = QueueHandler(queue)
    handler.addFilter(DropExpected())  # first: it shortens Bolt's block before it is escaped to one line
    handler.addFilter(redact)
    listener = QueueListener(queue, writer)
    listener.start()
    atexit.register(listener.stop)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Bolt and uvicorn speak at INFO about every request; our own request line says what matters.
    for noisy in ("slack_bolt", "slack_sdk", "uvicorn.access", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
