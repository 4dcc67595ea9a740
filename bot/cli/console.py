"""Answering on the command line: one question (`ask`), or a local console that answers as the bot would."""

from __future__ import annotations

import contextlib
import logging
import sys
from typing import TextIO

from bot.answers import answer, link_to_add
from bot.cli.indexing import load_index
from bot.config import Settings
from bot.domain import load_domain
from bot.hosts import held_on_shelf, host_extractions
from bot.render import added_text, render_text
from bot.shelf import add_link

logger = logging.getLogger("bot")


def ask_command(settings: Settings, text: list[str], *, as_json: bool) -> int:
    """Answer `text` (or, given '-', each line of stdin) as the bot would, as text or JSON lines."""
    domain = load_domain(settings.domain_path)
    index = load_index(settings, domain, wait=settings.meaning_wait)
    questions: list[str] | TextIO = sys.stdin if text == ["-"] else [" ".join(text)]
    for line in questions:
        result = answer(line, index, domain=domain, max_quotes=settings.max_quotes)
        if as_json:
            print(result.model_dump_json(), flush=True)
        else:
            print(render_text(result), end="\n\n", flush=True)
    return 0


CONSOLE_QUIT = "Type quit or press Ctrl-D to leave; Ctrl-C clears the line."


def console(settings: Settings, stdin: TextIO, stdout: TextIO) -> int:
    """A local console that answers what you type, as the bot would in a direct message."""
    domain = load_domain(settings.domain_path)
    index = load_index(settings, domain, wait=settings.meaning_wait)
    interactive = stdin.isatty()
    print(
        f"Citebot console: {len(index.articles)} articles from {settings.corpus_dir}/. "
        "Ask a question, or type help. Ctrl-D quits.",
        file=stdout,
    )
    while True:
        try:
            line = read_line(stdin, stdout, interactive)
            if line is None or line.strip().lower() in {"quit", "exit", "q"}:
                return 0
            link = link_to_add(line)
            if link is not None:  # as in a DM: a link alone, or `add <link>`, adds the article
                with host_extractions(settings) as extracted:
                    outcome = add_link(
                        link,
                        settings.corpus_dir,
                        allow_private=settings.fetch_allow_private,
                        cache=extracted,
                        clutter=domain.clutter,
                        held=held_on_shelf(settings, domain),
                    )
                print(added_text(outcome), file=stdout)
                index = load_index(settings, domain)
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


def read_line(stdin: TextIO, stdout: TextIO, interactive: bool) -> str | None:
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
