"""Prompts to offer someone who opens a conversation with the bot, built from the shelf itself.

Never fixed text: the topic commands of the domain file (with their examples), the person the
articles quote most, and the newest article (who said the first words it quotes: a question whose
answer is that article). A shelf with nothing on it gets a prompt for help.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.answers.routing import parse
from bot.corpus import ArticleInfo
from bot.domain import Domain
from bot.index import SearchIndex

MAX_PROMPTS = 4  # what Slack's assistant.threads.setSuggestedPrompts shows
MAX_TITLE_CHARS = 60
PEOPLE_SEARCHED = 50  # the most quoted people whose words in the newest article are looked for
MIN_PHRASE_WORDS, PHRASE_WORDS = 4, 6


@dataclass(frozen=True, slots=True)
class Prompt:
    """A suggested prompt: a short title, and the message sent when it is chosen."""

    title: str
    message: str


def suggested_prompts(index: SearchIndex, domain: Domain) -> list[Prompt]:
    """Up to four prompts from this shelf: its topics, its most quoted person, its newest article."""
    if not index.articles:
        return [Prompt("What can you do?", "help")]
    prompts = [_topic_prompt(topic.title, topic.command, topic.example, domain) for topic in domain.topics]
    prompts = prompts[: MAX_PROMPTS - 2]
    person = _most_quoted(index)
    if person is not None:
        prompts.append(Prompt(_short(f"What {person} said"), f"What did {person} say?"))
    newest = _newest(index)
    if newest is not None:
        phrase = _first_quoted_words(index, newest.doc_id)
        if phrase is not None:
            prompts.append(Prompt(_short(f"Newest: {newest.title}"), f"Who said “{phrase}”?"))
    if not prompts:
        prompts.append(Prompt("What can you do?", "help"))
    return prompts[:MAX_PROMPTS]


def _topic_prompt(title: str, command: str, example: str, domain: Domain) -> Prompt:
    # The example as a plain question when free text goes to the topic's command, else the command.
    asked = example if parse(example, domain).command == command else f"/{command} {example}"
    return Prompt(_short(title), asked)


def _most_quoted(index: SearchIndex) -> str | None:
    for key, _ in index.most_quoted("p"):
        person = index.people.by_key(key[2:])
        if person is not None and index.statements_by(key):
            return person.name
    return None


def _newest(index: SearchIndex) -> ArticleInfo | None:
    titled = [a for a in index.articles.values() if a.title]
    if not titled:
        return None
    # Dated articles by date; undated ones count as older. Ties: the later in the shelf's order.
    order = {doc_id: n for n, doc_id in enumerate(index.articles)}
    return max(titled, key=lambda a: (a.date or "", order[a.doc_id]))


def _first_quoted_words(index: SearchIndex, doc_id: str) -> str | None:
    """The first words of the earliest statement in the article by someone the shelf quotes: quoted
    words first, else reported speech."""
    found: list[tuple[bool, int, str]] = []
    for key, _ in index.most_quoted("p", limit=PEOPLE_SEARCHED):
        for pid, statement in index.statements_by(key):
            if statement.kind == "voice" or index.doc_id(pid) != doc_id:
                continue
            words = index.span_text(pid, *statement.said).strip(" “”\"'").split()
            if len(words) >= MIN_PHRASE_WORDS:
                phrase = " ".join(words[:PHRASE_WORDS]).strip(" ,.;:“”\"'")
                found.append((statement.kind != "quoted", statement.said[0], phrase))
    return min(found)[2] if found else None


def _short(text: str) -> str:
    return text if len(text) <= MAX_TITLE_CHARS else text[: MAX_TITLE_CHARS - 1].rsplit(" ", 1)[0] + "…"
