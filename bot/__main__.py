"""Command line: `python -m bot [run|ask|index|add|feeds|serve|manifest|report|state]`: arguments parsed, settings
made once, each command a use case of `bot.cli` given the settings; our errors are one line, never a
traceback."""

from __future__ import annotations

import argparse
import errno
import io
import logging
import os
import sys
from collections.abc import Sequence

from pydantic import ValidationError

from bot.cli.parser import build_parser
from bot.config import Settings
from bot.errors import CitebotError
from bot.index.store import check_folder
from bot.state import check_paths

READS_CORPUS = frozenset({"run", "ask", "index", "serve"})  # commands that need the articles' folder


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = build_parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    logging.getLogger("bot.progress").setLevel(logging.INFO)
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Questions arrive as text; undecodable bytes become U+FFFD instead of crashing the reader.
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    try:
        settings = _settings(args)
    except ValidationError as exc:
        problem = exc.errors()[0]
        name = str(problem["loc"][0]).upper() if problem["loc"] else "setting"
        print(f"citebot: {name} is invalid: {problem['msg']}", file=sys.stderr)
        return 2
    except CitebotError as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return 1
    try:
        command = args.command or "run"
        if command in READS_CORPUS and not settings.corpus_dir.is_dir():
            # Checked before anything is created for it (its index folder): a typo leaves nothing behind.
            raise CitebotError(f"corpus folder not found: {settings.corpus_dir} (set CORPUS_DIR or --corpus)")
        check_paths(settings)
        check_folder(settings.index_folder, settings.corpus_dir)
        # Each command's module is imported when it runs: `add` does not load the server, the console or
        # the shared state's database driver (about a second of a one-article add).
        if command == "ask":
            from bot.cli.console import ask_command

            return ask_command(settings, args.text, as_json=args.json)
        if command in {"index", "add"}:
            from bot.cli.indexing import add_command, index_command

            if command == "add":
                return add_command(settings, args.paths, as_json=args.json)
            return index_command(settings, if_stale=args.if_stale, workers=args.workers, merge=args.merge)
        if command == "feeds":
            from bot.cli.feeds import feeds_command

            return feeds_command(settings, args)
        if command in {"manifest", "report", "state"}:
            from bot.cli import admin

            if command == "manifest":
                return admin.manifest_command(settings, args.url)
            if command == "report":
                return admin.report_command(settings, days=args.days, as_json=args.json)
            return admin.state_command(settings, args.action)
        from bot.cli.serving import run, serve

        return serve(settings) if command == "serve" else run(settings)
    except CitebotError as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        # The reader stopped reading (`| head`): nothing went wrong. Point stdout at nothing, so that the
        # interpreter's last flush does not fail again on the way out (the Python docs' recipe).
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0
    except (
        OSError
    ) as exc:  # a folder or file the system refuses (permissions, a read-only volume, a full disk)
        print(f"citebot: {_describe(exc)}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _describe(error: OSError) -> str:
    """One line for a failed file operation: what failed, where, and what to do about it."""
    where = f": {error.filename}" if error.filename else ""
    text = f"{error.strerror or error}{where}"
    if isinstance(error, PermissionError) or error.errno == errno.EROFS:
        text += (
            " (Citebot writes only to STATE_DIR, and to the corpus folder for `add`: check they are writable)"
        )
    return text


def _settings(args: argparse.Namespace) -> Settings:
    """Settings from the environment and .env, with command-line flags on top."""
    flags = {
        "corpus_dir": args.corpus,
        "host": getattr(args, "host", None),
        "port": getattr(args, "port", None),
        "workers": getattr(args, "workers", None),
    }
    try:
        return Settings(**{key: value for key, value in flags.items() if value is not None})
    except UnicodeDecodeError:
        raise CitebotError(".env is not UTF-8 text; save it as UTF-8 (see .env.example)") from None


if __name__ == "__main__":
    sys.exit(main())
