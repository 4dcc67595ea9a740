"""Command line: `python -m bot [run|ask|index|add|serve|manifest|report]`."""

from __future__ import annotations

import argparse
import contextlib
import errno
import io
import json
import logging
import os
import re
import sys
import time
from collections.abc import Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

from pydantic import ValidationError

from bot.answers import answer, link_to_add
from bot.config import Settings
from bot.corpus import load_corpus, shown_name
from bot.domain import Domain, load_domain
from bot.errors import CitebotError, StateUnavailable
from bot.hosts import build_lock, host_extractions, list_shelf
from bot.index import SearchIndex, build_and_save, by_meaning, merge_segments, open_index
from bot.index.store import check_folder
from bot.logs import configure as configure_logging
from bot.progress import indexing_progress
from bot.render import added_text, render_text
from bot.shared import describe, open_state, shelf_differences
from bot.shelf import Shelf, add_link, shelf_files
from bot.state import check_paths
from bot.usage import report_text

logger = logging.getLogger("bot")

MAX_DAYS = 36_500  # `report --days`: a hundred years; dates further back cannot be written
READS_CORPUS = frozenset({"run", "ask", "index", "serve"})  # commands that need the articles' folder


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
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
        if command == "ask":
            return _ask(args, settings)
        if command == "index":
            return _index(settings, if_stale=args.if_stale, workers=args.workers, merge=args.merge)
        if command == "add":
            return _add(args, settings)
        if command == "serve":
            return _serve(settings)
        if command == "manifest":
            return _manifest(args, settings)
        if command == "report":
            return _report(args, settings)
        if command == "state":
            return _state(args, settings)
        return _run(settings)
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


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="Citebot: cited answers from articles."
    )
    corpus = argparse.ArgumentParser(add_help=False)
    corpus.add_argument(
        "--corpus",
        type=Path,
        metavar="DIR",
        default=argparse.SUPPRESS,
        help="article folder (default: CORPUS_DIR or seeds/)",
    )
    parser.add_argument("--corpus", type=Path, metavar="DIR", help=argparse.SUPPRESS)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.add_parser("run", parents=[corpus], help="run the bot (a local console without Slack credentials)")
    ask = sub.add_parser(
        "ask", parents=[corpus], help="answer TEXT as the bot would; '-' reads lines from stdin"
    )
    ask.add_argument("--json", action="store_true", help="print the answer as JSON (one object per line)")
    ask.add_argument(
        "text",
        nargs="+",
        metavar="TEXT",
        help="/whosaid …, /ask …, a topic command of the domain file (e.g. /troops …) or free text",
    )
    index = sub.add_parser(
        "index", parents=[corpus], help="build the index and report what was loaded and skipped"
    )
    index.add_argument(
        "--if-stale",
        action="store_true",
        help="only what changed since the saved index (a new segment), not a full build",
    )
    index.add_argument(
        "--merge", action="store_true", help="merge the saved index's small segments (tiered), if due"
    )
    index.add_argument(
        "--workers",
        type=_positive,
        default=None,
        metavar="N",
        help="processes that read and attribute articles (default: one per core)",
    )
    add = sub.add_parser(
        "add", parents=[corpus], help="copy articles (files or folders) into the corpus and update the index"
    )
    add.add_argument(
        "paths",
        nargs="+",
        metavar="PATH",
        help=".txt, .md, .html, .htm or .pdf files, folders, or http(s) links (fetched safely)",
    )
    add.add_argument("--json", action="store_true", help="one JSON object per file")
    serve = sub.add_parser(
        "serve", parents=[corpus], help="serve Slack over HTTP (POST /slack/events, GET /healthz)"
    )
    serve.add_argument("--host", help="address to listen on (default: HOST or 0.0.0.0)")
    serve.add_argument("--port", type=int, help="port to listen on (default: PORT or 3000)")
    serve.add_argument("--workers", type=int, help="server processes (default: WORKERS or 1)")
    manifest = sub.add_parser(
        "manifest", help="print the Slack app manifest for the domain file (DOMAIN_FILE or the shipped one)"
    )
    manifest.add_argument(
        "--url",
        metavar="URL",
        help="HTTP mode: the request URL (https://<host>/slack/events); default Socket Mode",
    )
    report = sub.add_parser(
        "report",
        parents=[corpus],
        help="usage: questions per surface and command, found rate, feedback, what the shelf is missing",
    )
    report.add_argument(
        "--days", type=_days, default=30, metavar="N", help="the last N days (default: 30, at most 36500)"
    )
    report.add_argument("--json", action="store_true", help="print the report as JSON")
    state = sub.add_parser(
        "state", parents=[corpus], help="the shared state (STATE_URL): apply its migrations, or check it"
    )
    state.add_argument(
        "action",
        choices=["migrate", "check"],
        help="migrate: apply the SQL migrations not yet applied; check: schema, reachability, this host's shelf",
    )
    return parser


def _report(args: argparse.Namespace, settings: Settings) -> int:
    """What the team asked, what it found, what it thought of the answers (EVENTS_DB's records)."""
    try:
        state = open_state(settings.state_location, keep_days=settings.history_days)
        try:
            report = state.report(args.days)
        finally:
            state.close()
    except StateUnavailable as exc:
        raise CitebotError(f"cannot read the usage records: {exc}") from exc
    print(report.model_dump_json(indent=2) if args.json else report_text(report))
    return 0


def _state(args: argparse.Namespace, settings: Settings) -> int:
    """`state migrate` applies the pending migrations; `state check` says what is wrong, exit 1 if anything."""
    where = describe(settings.state_location)
    try:
        state = open_state(
            settings.state_location,
            keep_days=settings.history_days,
            migrate=False,
            create=args.action == "migrate",  # `check` only looks
        )
    except StateUnavailable as exc:
        raise CitebotError(f"{where}: {exc}") from exc
    try:
        if args.action == "migrate":
            applied = state.migrate()
            print(f"{where}: " + (f"applied {', '.join(applied)}" if applied else "nothing to apply"))
            print(f"Schema version {state.schema_version()}")
            return 0
        problems = state.check()
        print(f"{where}: {state.backend}, schema version {state.schema_version()}")
        listed = len(state.articles()) if not problems else 0
        if not problems and (listed or settings.state_on_postgres):
            problems = shelf_differences(state, settings.corpus_dir)
            print(f"Articles listed: {listed}")
        elif not problems:
            print("Articles listed: none (the shelf is listed when hosts share PostgreSQL)")
        for problem in problems:
            print(f"  problem: {problem}")
        print("OK" if not problems else f"{len(problems)} problem(s)")
        return 0 if not problems else 1
    except StateUnavailable as exc:
        raise CitebotError(f"{where}: {exc}") from exc
    finally:
        state.close()


def _manifest(args: argparse.Namespace, settings: Settings) -> int:
    """Print manifest.json for the domain file: paste it at api.slack.com/apps."""
    from bot.slack.manifest import build_manifest  # Slack's libraries load only for commands that use them

    if args.url is not None:
        parts = urlsplit(args.url)
        if parts.scheme not in {"https", "http"} or not parts.hostname:
            raise CitebotError(
                f"--url must be the server's public address, e.g. https://citebot.example.com (not {args.url})"
            )

    print(
        json.dumps(build_manifest(load_domain(settings.domain_path), args.url), indent=4, ensure_ascii=False)
    )
    return 0


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


def _load_index(settings: Settings, domain: Domain, *, wait: float | None = None) -> SearchIndex:
    """The corpus's index; given `wait` and with MEANING on, it ranks by meaning too, its vectors
    filling in behind it (waited for up to `wait` seconds)."""
    with indexing_progress() as progress, host_extractions(settings) as extracted:
        index = open_index(
            settings.corpus_dir,
            settings.index_folder,
            progress,
            knowledge=domain.knowledge(),
            extraction=extracted,
        )
    if settings.meaning and wait is not None:
        with indexing_progress("embedding passages", unit="passages") as progress:
            filler = by_meaning(index, settings.index_folder, wait=wait, report=progress if wait else None)
            if filler is not None:
                filler.report_to(None)  # the rest fill in quietly while questions are answered
    return index


def _run(settings: Settings) -> int:
    """Socket Mode with an app token, else HTTP with a signing secret, else the local console."""
    if settings.slack_app_token is not None:
        _require("SLACK_BOT_TOKEN", settings.slack_bot_token)
        _start_server_logging(settings)
        from bot.slack.runners import run_socket_mode  # Slack's libraries: only where they are needed
        from bot.slack.service import make_bot

        run_socket_mode(settings, lambda: make_bot(settings))
        return 0
    if settings.slack_signing_secret is not None or settings.slack_bot_token is not None:
        return _serve(settings)
    return _console(settings, sys.stdin, sys.stdout)


def _serve(settings: Settings) -> int:
    # Slack's libraries take most of a second to import: only the commands that talk to Slack load them.
    from bot.slack.runners import run_http
    from bot.slack.service import Citebot, shared_state

    if settings.slack_signing_secret is None and settings.slack_bot_token is not None:
        raise CitebotError(
            "SLACK_BOT_TOKEN is set but neither SLACK_SIGNING_SECRET (HTTP mode) nor SLACK_APP_TOKEN "
            "(Socket Mode) is; set one of them (see .env.example)"
        )
    _require("SLACK_SIGNING_SECRET", settings.slack_signing_secret)
    _require("SLACK_BOT_TOKEN", settings.slack_bot_token)
    _start_server_logging(settings)
    domain = load_domain(settings.domain_path)  # before the server starts: a bad file stops it in one line
    index = _load_index(settings, domain)
    shared_state(settings).close()  # refuses to start if the workers cannot share it; migrated once here
    if settings.workers > 1:
        # Worker processes read their settings from the environment: hand them the flags too.
        os.environ.update(
            CORPUS_DIR=str(settings.corpus_dir.resolve()),
            STATE_DIR=str(settings.state_folder.resolve()),
            INDEX_DIR=str(settings.index_folder.resolve()),
            EVENTS_DB=str(settings.events_file.resolve()),
            HOST=settings.host,
            PORT=str(settings.port),
            DOMAIN_FILE=str(settings.domain_path.resolve()),
        )
    # Each worker process opens the shared state itself: connections are not carried across a fork.
    run_http(settings, lambda: Citebot(settings, index, shared_state(settings), domain))
    return 0


def _require(name: str, value: object) -> None:
    if value is None:
        raise CitebotError(f"{name} is not set; see .env.example")


def _start_server_logging(settings: Settings) -> None:
    configure_logging(settings)
    for doubt in settings.doubts():
        logger.warning(doubt)


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    domain = load_domain(settings.domain_path)
    index = _load_index(settings, domain, wait=settings.meaning_wait)
    questions: list[str] | TextIO = sys.stdin if args.text == ["-"] else [" ".join(args.text)]
    for line in questions:
        result = answer(line, index, domain=domain, max_quotes=settings.max_quotes)
        if args.json:
            print(result.model_dump_json(), flush=True)
        else:
            print(render_text(result), end="\n\n", flush=True)
    return 0


def index_build_lock(settings: Settings) -> AbstractContextManager[None]:
    """One build at a time per index folder, across processes (a server rebuilding, `add`, `index`),
    and across hosts when they share a state database."""
    return build_lock(settings)


def _days(text: str) -> int:
    days = _positive(text)
    if days > MAX_DAYS:
        raise argparse.ArgumentTypeError(f"at most {MAX_DAYS} days (a hundred years), not {text}")
    return days


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, not {text!r}")
    return number


def _index(
    settings: Settings, *, if_stale: bool = False, workers: int | None = None, merge: bool = False
) -> int:
    domain = load_domain(settings.domain_path)
    if merge:
        merges = merge_segments(settings.index_folder, settings.corpus_dir, domain.knowledge())
        print(f"Merged segments {merges} time(s), in {settings.index_folder}/")
        return 0
    if if_stale:
        index = _load_index(settings, domain)
        print(
            f"Index current: {len(index.articles)} articles, {index.live_passages} passages, in {settings.index_folder}/"
        )
        print(_meaning_line(index))
        return 0
    started = time.perf_counter()
    folder = settings.index_folder
    # Under the lock the folder is Citebot's, so its extraction cache can be used.
    with (
        indexing_progress("reading articles") as progress,
        index_build_lock(settings),
        host_extractions(settings) as extracted,
    ):
        corpus = load_corpus(settings.corpus_dir, cache=extracted, clutter=domain.clutter)
        index = build_and_save(corpus, folder, progress, domain.knowledge(), workers=workers)
    seconds = time.perf_counter() - started
    print(
        f"Loaded {len(corpus.articles)} articles, {index.live_passages} passages, from {settings.corpus_dir}/"
    )
    print(f"Index saved to {folder}/ in {seconds:.1f} s")
    print(_meaning_line(index))
    list_shelf(settings)
    for article in corpus.articles:
        print(f"  {article.doc_id}: {article.title or '(no title)'}")
    print(f"Skipped {len(corpus.skipped)} files" + (":" if corpus.skipped else "."))
    for skipped in corpus.skipped:
        print(f"  {shown_name(skipped.path, settings.corpus_dir)}: {skipped.reason}")
    return 0


def _meaning_line(index: SearchIndex) -> str:
    have, total = index.meaning_filled()
    if have >= total:
        return f"By meaning: all {total:,} passages have their vectors."
    return (
        f"By meaning: {have:,} of {total:,} passages have their vectors; the rest fill in while the bot "
        "runs (words answer meanwhile)."
    )


def _add(args: argparse.Namespace, settings: Settings) -> int:
    """Add articles, report each file, update the index; exit 1 if nothing was added."""
    domain = load_domain(settings.domain_path)
    links = [p for p in args.paths if _is_link(p)]
    files = [Path(p) for p in args.paths if not _is_link(p)]
    if not settings.corpus_dir.exists():
        print(
            f"citebot: creating the corpus folder {settings.corpus_dir} (it did not exist)", file=sys.stderr
        )
    with host_extractions(settings) as extracted:
        # One reading of the shelf serves both the duplicate checks and the index build.
        shelf = Shelf(settings.corpus_dir, cache=extracted, clutter=domain.clutter)
        outcomes = [shelf.add(path) for path in shelf_files(files)]
        outcomes += [shelf.add_link(link, allow_private=settings.fetch_allow_private) for link in links]
        for outcome in outcomes:
            print(json.dumps(outcome.as_json(), ensure_ascii=False) if args.json else outcome.describe())
        added = [o for o in outcomes if o.doc_id is not None]
        if added:
            # Only the added files are read again: they go into a new segment of the index.
            with indexing_progress("reading articles") as progress:
                index = open_index(
                    settings.corpus_dir,
                    settings.index_folder,
                    progress,
                    knowledge=domain.knowledge(),
                    extraction=extracted,
                )
    if added:
        if not args.json:
            print(
                f"Index updated: {len(index.articles)} articles, {index.live_passages} passages in {settings.corpus_dir}/"
            )
        list_shelf(settings)
    return 0 if added else 1


def _is_link(text: str) -> bool:
    """An address rather than a path (any scheme: the fetcher refuses all but http and https)."""
    return re.match(r"^[A-Za-z][A-Za-z0-9+.-]*://", text) is not None


CONSOLE_QUIT = "Type quit or press Ctrl-D to leave; Ctrl-C clears the line."


def _console(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """A local console that answers what you type, as the bot would in a direct message."""
    domain = load_domain(settings.domain_path)
    index = _load_index(settings, domain, wait=settings.meaning_wait)
    interactive = stdin.isatty()
    print(
        f"Citebot console: {len(index.articles)} articles from {settings.corpus_dir}/. "
        "Ask a question, or type help. Ctrl-D quits.",
        file=stdout,
    )
    while True:
        try:
            line = _read_line(stdin, stdout, interactive)
            if line is None or line.strip().lower() in {"quit", "exit", "q"}:
                return 0
            link = link_to_add(line)
            if link is not None:  # as in a DM: a link alone, or `add <link>`, adds the article
                with host_extractions(settings) as extracted:
                    outcome = add_link(
                        link, settings.corpus_dir, allow_private=settings.fetch_allow_private, cache=extracted
                    )
                print(added_text(outcome), file=stdout)
                index = _load_index(settings, domain)
                print(file=stdout, flush=True)
            elif line.strip():
                result = answer(line, index, domain=domain, max_quotes=settings.max_quotes)
                text = render_text(result)
                if result.command == "help":
                    text += "\n" + CONSOLE_QUIT
                print(text + "\n", file=stdout, flush=True)
        except KeyboardInterrupt:
            if not interactive:
                raise
            # As in a shell: Ctrl-C drops what was typed (or the answer being looked up), not the console.
            print("^C", file=stdout, flush=True)


def _read_line(stdin: TextIO, stdout: TextIO, interactive: bool) -> str | None:
    """The next line typed, or None at the end of input."""
    if interactive and stdin is sys.stdin and stdout is sys.stdout:
        with contextlib.suppress(ImportError):  # not on every platform; input() works without it
            import readline  # noqa: F401  (imported for its effect: line editing and history in input())
        try:
            return input("citebot> ")
        except EOFError:
            print(file=stdout)
            return None
    if interactive:
        print("citebot> ", end="", file=stdout, flush=True)
    line = stdin.readline()
    return line or None


if __name__ == "__main__":
    sys.exit(main())
