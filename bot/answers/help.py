"""help: what each command does, with an example; usage for a command missing its argument."""

from __future__ import annotations

from bot.answers.models import Answer, Command
from bot.domain import Domain


def help_text(domain: Domain) -> str:
    """Every command with an example: the built-in ones and the domain file's topic commands."""
    whosaid = domain.app.whosaid_examples[0]
    lines = [
        "I answer from the team's articles with exact quotes, each with its source.",
        f"• /whosaid <phrase or person>: who said it, word for word, and where. Example: /whosaid {whosaid}",
    ]
    for topic in domain.topics:
        lines.append(
            f"• /{topic.command} [question]: {topic.description}. Example: /{topic.command} {topic.example}"
        )
    lines.append(
        f"• /ask <question>: anything else the articles cover. Example: /ask {domain.app.ask_example}"
    )
    lines.append(
        "• /ask add <link>: add an article to the shelf. /ask follow <feed or sitemap link> [every 2h]: add "
        "a site's new articles as they appear (/ask unfollow <link> stops)."
    )
    lines.append("You can also message me directly or mention me in a channel; I'll pick the right command.")
    return "\n".join(lines)


def help_answer(
    domain: Domain, topic: str = "", *, unknown: str | None = None, suggestion: str | None = None
) -> Answer:
    """help: what each command does, with an example; for a mistyped command, the one it looks like."""
    if unknown is None:
        message = help_text(domain)
    elif suggestion is not None:
        retry = f"{suggestion} {topic}".strip()
        message = f"I don't know the command {unknown}. Did you mean {suggestion}? Try: {retry}\nType help for every command."
    else:
        message = f"I don't know the command {unknown}.\n{help_text(domain)}"
    return Answer(command="help", query=topic, found=True, answers=[], message=message)


def usage(command: Command, domain: Domain) -> Answer:
    """What to type after a command that needs an argument."""
    examples = domain.app.whosaid_examples
    if command == "whosaid":
        names = " or ".join(f"`/whosaid {e}`" for e in examples[:2])
        message = f"Give me a phrase or a name, e.g. {names}."
    else:
        message = f"Ask me a question, e.g. `/ask {domain.app.ask_example}`"
    return Answer(command=command, query="", found=False, answers=[], message=message)
