"""`answer()`: one line of user text to one Answer, through the command it asks for."""

from __future__ import annotations

from collections.abc import Callable

from bot.answers.ask import ask
from bot.answers.followup import follow_up
from bot.answers.help import help_answer, usage
from bot.answers.models import Answer, Command
from bot.answers.retrieval import not_found
from bot.answers.routing import MAX_QUERY_CHARS, Request, parse
from bot.answers.topic import topic_answer
from bot.answers.whosaid import speaker_named, whosaid
from bot.domain import Domain, shipped_domain
from bot.index import SearchIndex, engine

EMPTY_SHELF = (
    "No articles are loaded yet, so there is nothing to quote. Add some: put Markdown, text or HTML "
    "files in the articles folder (CORPUS_DIR), or run `python -m bot add FILE`."
)


def answer(
    text: str,
    index: SearchIndex,
    *,
    domain: Domain | None = None,
    max_quotes: int = 3,
    earlier: str | None = None,
) -> Answer:
    """Answer one line of user text (a slash command or free text); commands are the domain file's.

    `earlier` is the conversation's previous question: a follow-up that leans on it ("and what did
    Macron say?") is answered with it where that finds something (see followup.py)."""
    domain = domain if domain is not None else shipped_domain()
    for reading in follow_up(text, earlier, domain) if earlier else []:
        result = answer(reading, index, domain=domain, max_quotes=max_quotes)
        if result.found:
            return result
    request = parse(
        text, domain, is_person=lambda name: speaker_named(name, index, people_only=True) is not None
    )
    handlers: dict[Command, Callable[[str, SearchIndex, int], Answer]] = {
        "whosaid": whosaid,
        "ask": ask,
        "help": lambda arg, _index, _k: help_answer(domain, arg),
    }
    for topic in domain.topics:
        handlers[topic.command] = lambda arg, ix, k, topic=topic: topic_answer(topic, arg, ix, k)  # type: ignore[misc]
    if request.unknown is not None:
        result = help_answer(domain, request.argument, unknown=request.unknown, suggestion=request.suggestion)
    elif len(index) == 0 and request.command != "help":
        result = not_found(request.command, request.argument[:100], EMPTY_SHELF)
    elif len(request.argument) > MAX_QUERY_CHARS:
        result = _too_long(request)
    elif request.command in {"whosaid", "ask"} and not request.argument:
        result = usage(request.command, domain)
    else:
        result = handlers[request.command](request.argument, index, max_quotes)
        if request.routed and not result.found:
            # Free text read as a command that finds nothing is still a question: the plain answer.
            plain = ask(request.question, index, max_quotes)
            result = plain if plain.found else result
    if result.command != "ask" and request.routed:
        result = result.model_copy(update={"routed_from": "ask"})
    return result


def _too_long(request: Request) -> Answer:
    message = (
        f"That's {len(request.argument):,} characters; I read up to {MAX_QUERY_CHARS:,}. "
        "Send a phrase or a short question."
    )
    return not_found(request.command, request.argument[:100], message)


def warm_up(index: SearchIndex, domain: Domain | None = None) -> None:
    """Answer, and forget, a question made of the shelf's own first sentence: the embedding model loads
    and the index's first pages are read now, not during a user's first question (a quarter of a second
    at a million passages). On a shelf whose postings are long enough to be scored compiled, the
    scoring loop is compiled now too."""
    if len(index) >= engine.COMPILED_FROM:
        engine.warm()
    if len(index):
        answer(index.passage_text(0)[:MAX_QUERY_CHARS], index, domain=domain)
