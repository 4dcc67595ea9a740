"""The local console on a real terminal (a pty): help says how to leave, Ctrl-C clears the line being
typed instead of quitting, quit and Ctrl-D leave cleanly; a mistyped command gets "did you mean"."""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from bot.answers import answer
from bot.index import SearchIndex
from tests.conftest import SEEDS
from tests.slack_kit import ROOT, clean_environ

# Started by a tiny launcher that takes the terminal as its controlling one, so that Ctrl-C typed there
# reaches the console as SIGINT, exactly as from a user's shell (and without forking this process). A
# shell starts a foreground command with SIGINT at its default; the launcher does the same, since pytest
# itself may run with SIGINT ignored (started in the background by `sh … &`), which exec would pass on.
_LAUNCH = (
    "import fcntl, os, signal, sys, termios; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "fcntl.ioctl(0, termios.TIOCSCTTY, 0); os.execv(sys.executable, [sys.executable, '-m', 'bot'])"
)


class Terminal:
    """The console started on a pseudo-terminal of its own, as a user's shell would start it."""

    def __init__(self, cwd: Path) -> None:
        self.fd, child = os.openpty()
        env = clean_environ() | {"CORPUS_DIR": str(SEEDS), "TERM": "dumb", "PYTHONPATH": str(ROOT)}
        self.process = subprocess.Popen(
            [sys.executable, "-c", _LAUNCH],
            stdin=child,
            stdout=child,
            stderr=child,
            cwd=cwd,
            env=env,
            start_new_session=True,
        )
        os.close(child)
        self.seen = ""

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *_: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait()
        os.close(self.fd)

    def _read(self, timeout: float) -> bool:
        if not select.select([self.fd], [], [], timeout)[0]:
            return True
        try:
            chunk = os.read(self.fd, 65536)
        except OSError:  # the console has closed the terminal
            return False
        self.seen += chunk.decode("utf-8", "replace")
        return bool(chunk)

    def wait_for(self, text: str, timeout: float = 60) -> str:
        deadline = time.monotonic() + timeout
        while text not in self.seen and time.monotonic() < deadline:
            if not self._read(deadline - time.monotonic()):
                break
        assert text in self.seen, f"{text!r} never came; the terminal shows:\n{self.seen}"
        return self.seen

    def type(self, keys: str) -> None:
        os.write(self.fd, keys.encode())

    def exit_status(self, timeout: float = 30) -> int:
        deadline = time.monotonic() + timeout
        while self.process.poll() is None and time.monotonic() < deadline:
            self._read(0.1)
        return self.process.wait(timeout=1)


def test_ctrl_c_clears_the_line_and_quit_leaves(tmp_path: Path) -> None:
    with Terminal(tmp_path) as term:
        term.wait_for("citebot> ")
        term.type("half a question")
        time.sleep(0.3)
        term.type("\x03")  # Ctrl-C: the terminal sends SIGINT to the console
        term.wait_for("^C")
        term.type("help\r")
        shown = term.wait_for("Ctrl-D to leave")
        assert "Traceback" not in shown and "KeyboardInterrupt" not in shown
        assert "half a question" not in shown.split("^C", 1)[1]  # the cleared words were not asked
        term.type("quit\r")
        assert term.exit_status() == 0


def test_ctrl_d_leaves(tmp_path: Path) -> None:
    with Terminal(tmp_path) as term:
        term.wait_for("citebot> ")
        term.type("\x04")
        assert term.exit_status() == 0


def test_a_mistyped_command_gets_did_you_mean(seed_index: SearchIndex) -> None:
    for typed, meant in [
        ("/whosiad a long shot", "/whosaid a long shot"),
        ("/trops", "/troops"),
        ("/russa-position NATO", "/russia-position NATO"),
    ]:
        message = answer(typed, seed_index).message or ""
        assert f"Did you mean {meant.split()[0]}?" in message and meant in message, message
    assert "Did you mean" not in (answer("/zzzz", seed_index).message or "")
