"""Command line: `python -m bot [run|ask|index]`."""

from __future__ import annotations

import argparse
import io
import logging
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.answers import answer
from bot.config import Settings
from bot.corpus import load_corpus
from bot.errors import CitebotError
from bot.index import SearchIndex
from bot.render import render_text

logger = logging.getLogger("bot")


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit code."""
    args = _parser().parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if isinstance(sys.stdin, io.TextIOWrapper):
        # Questions arrive as text; undecodable bytes become U+FFFD instead of crashing the reader.
        sys.stdin.reconfigure(encoding="utf-8", errors="replace")
    try:
        settings = Settings() if args.corpus is None else Settings(corpus_dir=args.corpus)
        command = args.command or "run"
        if command == "ask":
            return _ask(args, settings)
        if command == "index":
            return _index(settings)
        return _console(settings, sys.stdin, sys.stdout)
    except CitebotError as exc:
        print(f"citebot: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


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
        help="/whosaid …, /troops …, /russia-position …, /ask … or free text",
    )
    sub.add_parser("index", parents=[corpus], help="build the index and report what was loaded and skipped")
    return parser


def _load_index(settings: Settings) -> SearchIndex:
    return SearchIndex.build(load_corpus(settings.corpus_dir))


def _ask(args: argparse.Namespace, settings: Settings) -> int:
    index = _load_index(settings)
    questions: list[str] | TextIO = sys.stdin if args.text == ["-"] else [" ".join(args.text)]
    for line in questions:
        result = answer(line, index, max_quotes=settings.max_quotes)
        if args.json:
            print(result.model_dump_json(), flush=True)
        else:
            print(render_text(result), end="\n\n", flush=True)
    return 0


def _index(settings: Settings) -> int:
    corpus = load_corpus(settings.corpus_dir)
    index = SearchIndex.build(corpus)
    print(f"Loaded {len(corpus.articles)} articles, {len(index)} passages, from {settings.corpus_dir}/")
    for article in corpus.articles:
        print(f"  {article.doc_id}: {article.title or '(no title)'}")
    print(f"Skipped {len(corpus.skipped)} files" + (":" if corpus.skipped else "."))
    for skipped in corpus.skipped:
        print(f"  {skipped.path.name}: {skipped.reason}")
    return 0


def _console(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """A local console that answers what you type, as the bot would in a direct message."""
    index = _load_index(settings)
    interactive = stdin.isatty()
    print(
        f"Citebot console: {len(index.articles)} articles from {settings.corpus_dir}/. "
        "Ask a question, or type help. Ctrl-D quits.",
        file=stdout,
    )
    while True:
        if interactive:
            print("citebot> ", end="", file=stdout, flush=True)
        line = stdin.readline()
        if not line:
            return 0
        if line.strip().lower() in {"quit", "exit"}:
            return 0
        if line.strip():
            print(
                render_text(answer(line, index, max_quotes=settings.max_quotes)) + "\n",
                file=stdout,
                flush=True,
            )


if __name__ == "__main__":
    sys.exit(main())
