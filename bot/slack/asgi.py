"""The app each uvicorn worker process builds: `uvicorn --factory bot.slack.asgi:create`.

Worker processes start from scratch: `run_http` hands each the server's settings (flags included),
and each maps the saved index the parent process made current. Started by uvicorn itself, a worker
reads its settings from the environment.
"""

from __future__ import annotations

import ctypes
import logging
import multiprocessing
import os
import signal
import sys

from starlette.applications import Starlette

from bot.config import Settings
from bot.logs import configure
from bot.slack.http import create_web_app
from bot.slack.service import make_bot

logger = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1  # prctl(2): the signal this process gets when its parent dies


def create(settings: Settings | None = None) -> Starlette:
    """One worker's ASGI app, with the server's settings (else the environment's)."""
    settings = settings if settings is not None else Settings()
    configure(settings)
    die_with_parent()
    return create_web_app(settings, lambda: make_bot(settings))


def die_with_parent() -> None:
    """Ask Linux to send this worker SIGTERM when the server that started it dies, even by kill -9;
    otherwise the workers would go on serving the port, and a restart would find it in use. The standard
    library has no call for prctl, hence ctypes; elsewhere than Linux this does nothing."""
    parent = multiprocessing.parent_process()
    if sys.platform != "linux" or parent is None:
        return
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl failed")
    except (OSError, AttributeError) as exc:
        logger.warning("this worker will not stop by itself if the server dies (%s)", exc)
        return
    if os.getppid() != parent.pid:  # the parent died before the request took effect
        os.kill(os.getpid(), signal.SIGTERM)
