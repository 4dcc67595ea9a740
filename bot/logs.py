"""Logging for the servers: one handler, plain or JSON lines, and never a token or a secret."""

from __future__ import annotations

import atexit
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


class RedactSecrets(logging.Filter):
    """Mask Slack tokens and the configured secrets in every record, message and arguments alike."""

    def __init__(self, secrets: list[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = self.redact(message)
        if clean != message:
            record.msg, record.args = clean, None
        return True

    def redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[secret]")
        return _TOKEN.sub("[token]", text)


class DropExpected(logging.Filter):
    """Bolt warns that the token it read from SLACK_BOT_TOKEN is unused: with our own authorize, it is."""

    EXPECTED = (
        "As you gave `client` as well, `token` will be unused",
        "`token` (or SLACK_BOT_TOKEN env variable)",
    )

    def filter(self, record: logging.LogRecord) -> bool:
        return not any(expected in record.getMessage() for expected in self.EXPECTED)


def configure(settings: Settings) -> None:
    """Send all logs to stderr in the configured format, at the configured level, secrets masked.

    Records are queued and written by a background thread: a slow reader of stderr (a full pipe, a
    busy journal) delays log lines, never the event loop answering Slack.
    """
    writer = logging.StreamHandler(sys.stderr)
    if settings.log_format == "json":
        fields = "%(asctime)s %(levelname)s %(name)s %(message)s"
        writer.setFormatter(JsonFormatter(fields, rename_fields={"levelname": "level", "name": "logger"}))
    else:
        writer.setFormatter(logging.Formatter(TEXT_FORMAT))
    secrets = [
        s.get_secret_value()
        for s in (settings.slack_bot_token, settings.slack_signing_secret, settings.slack_app_token)
        if s
    ]
    queue: Queue[logging.LogRecord] = Queue()
    handler = QueueHandler(queue)
    handler.addFilter(RedactSecrets(secrets))
    handler.addFilter(DropExpected())
    listener = QueueListener(queue, writer)
    listener.start()
    atexit.register(listener.stop)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log_level)
    # Bolt and uvicorn speak at INFO about every request; our own request line says what matters.
    for noisy in ("slack_bolt", "slack_sdk", "uvicorn.access", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, root.level))
