"""help: what each command does, with an example; usage for a command missing its argument."""

from __future__ import annotations

from bot.answers.models import Answer, Command

HELP_TEXT = """\
I answer from the team's articles with exact quotes, each with its source.
• /whosaid <phrase or person>: who said it, word for word, and where. Example: /whosaid a long shot
• /troops [question]: the planned European force: size, countries, roles, conditions, the US backstop. \
Example: /troops which countries would send troops?
• /russia-position [question]: what Moscow has said about Western troops, NATO, neutrality, territory \
and talks. Example: /russia-position NATO
• /ask <question>: anything else the articles cover. Example: /ask what would the US contribute?
You can also message me directly or mention me in a channel; I'll pick the right command."""

_USAGE = {
    "whosaid": "Give me a phrase or a name, e.g. `/whosaid a long shot` or `/whosaid Macron`.",
    "ask": "Ask me a question, e.g. `/ask what would the US contribute?`",
}


def help_answer(topic: str = "", *, unknown: str | None = None, suggestion: str | None = None) -> Answer:
    """help: what each command does, with an example; for a mistyped command, the one it looks like."""
    if unknown is None:
        message = HELP_TEXT
    elif suggestion is not None:
        retry = f"{suggestion} {topic}".strip()
        message = f"I don't know the command {unknown}. Did you mean {suggestion}? Try: {retry}\nType help for every command."
    else:
        message = f"I don't know the command {unknown}.\n{HELP_TEXT}"
    return Answer(command="help", query=topic, found=True, answers=[], message=message)


def usage(command: Command) -> Answer:
    return Answer(command=command, query="", found=False, answers=[], message=_USAGE[command])
