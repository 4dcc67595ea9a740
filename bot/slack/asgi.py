"""The app each uvicorn worker process builds: `uvicorn --factory bot.slack.asgi:create`.

Worker processes start from scratch, so they read their settings from the environment (the entry
point puts command-line flags there) and map the saved index the parent process made current.
"""

from __future__ import annotations

from starlette.applications import Starlette

from bot.config import Settings
from bot.logs import configure
from bot.slack.http import create_web_app
from bot.slack.service import make_bot


def create() -> Starlette:
    """One worker's ASGI app."""
    settings = Settings()
    configure(settings)
    return create_web_app(settings, lambda: make_bot(settings))
