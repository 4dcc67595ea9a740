"""Turn an Answer into text for people: plain text for the console and CLI, Block Kit for Slack."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextActionsBlock,
    ContextBlock,
    FeedbackButtonObject,
    FeedbackButtonsElement,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot.answers import Answer, Citation, Quote
from bot.answers.overview import Overview
from bot.shelf import Outcome

_HEADINGS = {  # topic commands carry their own heading, from the domain file
    "whosaid": "Who said it",
    "ask": "From the articles",
    "help": "Citebot help",
}


def heading(answer: Answer) -> str:
    """A short title for an answer: the command and what was asked."""
    title, query = _title_and_query(answer)
    return f"{title}: {query}" if query else title


def _title_and_query(answer: Answer) -> tuple[str, str]:
    if answer.speaker:
        return f"What {answer.speaker} said", answer.query.partition(" about ")[2]
    if answer.command == "help":
        return _HEADINGS["help"], ""
    return answer.title or _HEADINGS.get(answer.command, f"/{answer.command}"), answer.query


def source_label(citation: Citation) -> str:
    """Title (or file name), outlet or author, date, paragraph, other copies: `"Title", Outlet, paragraph 3`."""
    parts = [f"“{citation.title}”" if citation.title else citation.doc_id]
    by = citation.outlet or citation.author
    if citation.outlet and citation.author:
        by = f"{citation.outlet} ({citation.author})"
    if by:
        parts.append(by)
    if citation.date:
        parts.append(citation.date)
    if citation.page is not None:
        parts.append(f"page {citation.page}")
    parts.append(f"paragraph {citation.paragraph}")
    if citation.url:
        parts.append(citation.url)
    if citation.also_in:
        parts.append("also in " + "; ".join(s.outlet or s.doc_id for s in citation.also_in))
    return ", ".join(parts)


def quote_lines(number: int, quote: Quote) -> list[str]:
    """A numbered quote with speaker and source, as plain lines."""
    lines = [f"{number}. {quote.quote}"]
    if quote.speaker and quote.speaker_kind != "article":  # the source line names the article already
        lines.append(f"   — {quote.speaker}")
    label = source_label(quote.citation)
    if quote.citation.title:
        label += f" [{quote.citation.doc_id}]"
    lines.append(f"   {label}")
    if quote.note:
        lines.append(f"   ({quote.note})")
    return lines


def render_text(answer: Answer) -> str:
    """A readable answer with its citations, for the console and `python -m bot ask`."""
    lines = [heading(answer)]
    if answer.message:
        lines.append(answer.message)
    for number, quote in enumerate(answer.answers, start=1):
        if quote.facet:
            lines.append(f"[{quote.facet}]")
        lines.extend(quote_lines(number, quote))
    return "\n".join(lines)


# ----------------------------------------------------------------------------------------------
# Slack: Block Kit, built with slack_sdk's models so that Slack's limits fail here, not in Slack.

SHARE_ACTION = "share_answer"
FEEDBACK_ACTION = "feedback"
POSITIVE, NEGATIVE = "positive", "negative"  # what a feedback button's value starts with
MAX_SECTION_CHARS = 3000  # Slack's limit for a section's text
MAX_BLOCKS = 50  # Slack's limit for a message
MAX_BUTTON_VALUE = 2000  # Slack's limit for a button's value
MAX_FALLBACK_CHARS = 4000
_USER_ID = re.compile(r"^[UW][A-Z0-9]{2,}$")


@dataclass(frozen=True, slots=True)
class Reply:
    """A Slack message: Block Kit blocks and the plain `text` fallback for notifications."""

    text: str
    blocks: list[dict[str, Any]]


def escape(text: str) -> str:
    """Escape the three characters Slack's mrkdwn treats as control characters."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def render(
    answer: Answer,
    *,
    share: str | None = None,
    shared_by: str | None = None,
    feedback: str | None = None,
) -> Reply:
    """An Answer as a Slack message; `share` adds a "Share in channel" button carrying that value,
    `feedback` (the answer's id) thumbs up and down buttons."""
    blocks: list[Block] = [SectionBlock(text=_mrkdwn(_heading_mrkdwn(answer)))]
    if answer.message:
        blocks.append(SectionBlock(text=_mrkdwn(_fit(escape(answer.message)))))
    for number, quote in enumerate(answer.answers, start=1):
        blocks.append(SectionBlock(text=_mrkdwn(_quote_mrkdwn(number, quote))))
        source = _source_mrkdwn(quote.citation)
        if quote.note:
            source = _fit(f"{source}\n_{escape(quote.note)}_")
        blocks.append(ContextBlock(elements=[_mrkdwn(source)]))
    if share is not None and answer.found and answer.answers and len(share) <= MAX_BUTTON_VALUE:
        button = ButtonElement(text="Share in channel", action_id=SHARE_ACTION, value=share)
        blocks.append(ActionsBlock(elements=[button]))
    if shared_by is not None and _USER_ID.match(shared_by):
        blocks.append(ContextBlock(elements=[_mrkdwn(f"Shared by <@{shared_by}>")]))
    blocks = blocks[: MAX_BLOCKS - 1]
    if feedback is not None and answer.command != "help" and answer.query:  # not on help or usage
        blocks.append(feedback_block(feedback))
    for block in blocks:
        block.validate_json()
    return Reply(text=_fallback(answer), blocks=[block.to_dict() for block in blocks])


def feedback_block(answer_id: str) -> ContextActionsBlock:
    """Thumbs up and down under an answer; each button's value is `positive:<id>` or `negative:<id>`."""
    buttons = FeedbackButtonsElement(
        action_id=FEEDBACK_ACTION,
        positive_button=FeedbackButtonObject(
            text="👍", accessibility_label="This answer helped", value=f"{POSITIVE}:{answer_id}"
        ),
        negative_button=FeedbackButtonObject(
            text="👎", accessibility_label="This answer did not help", value=f"{NEGATIVE}:{answer_id}"
        ),
    )
    return ContextActionsBlock(elements=[buttons])


def _mrkdwn(text: str) -> MarkdownTextObject:
    # verbatim: Slack must not turn text that looks like a channel, user or URL into a link or mention.
    return MarkdownTextObject(text=text, verbatim=True)


def _heading_mrkdwn(answer: Answer) -> str:
    title, query = _title_and_query(answer)
    if not query:
        return f"*{escape(title)}*"
    query = query if len(query) <= 200 else query[:199] + "…"
    return f"*{escape(title)}:* {escape(query)}"


def _quote_mrkdwn(number: int, quote: Quote) -> str:
    lead = f"*{escape(quote.facet)}* · " if quote.facet else ""
    speaker = quote.speaker if quote.speaker and quote.speaker_kind != "article" else None
    header = f"{lead}*{escape(speaker)}*" if speaker else lead.removesuffix(" · ")
    body = "\n".join(f">{line}" for line in escape(quote.quote).splitlines())
    room = MAX_SECTION_CHARS - len(header) - 1
    if len(body) > room:
        body = body[: room - 2].rsplit(" ", 1)[0] + " …"
    return f"{header}\n{body}" if header else body


def _source_mrkdwn(citation: Citation) -> str:
    parts = [_linked(citation.title or citation.doc_id, citation.url)]
    by = " · ".join(escape(p) for p in (citation.outlet, citation.author) if p)
    if by:
        parts.append(by)
    if citation.date:
        parts.append(escape(citation.date))
    if citation.page is not None:
        parts.append(f"page {citation.page}")
    parts.append(f"paragraph {citation.paragraph}")
    if citation.also_in:
        parts.append("also in " + ", ".join(_linked(s.outlet or s.doc_id, s.url) for s in citation.also_in))
    return _fit(" · ".join(parts))


def _linked(label: str, url: str | None) -> str:
    """`label` escaped, linked to `url` when it is a plain http(s) address."""
    if url and re.match(r"^https?://[^\s|<>]+$", url):
        return f"<{url}|{escape(label)}>"
    return escape(label)


def _fit(text: str) -> str:
    return text if len(text) <= MAX_SECTION_CHARS else text[: MAX_SECTION_CHARS - 1] + "…"


def _fallback(answer: Answer) -> str:
    text = escape(render_text(answer))
    return text if len(text) <= MAX_FALLBACK_CHARS else text[: MAX_FALLBACK_CHARS - 1] + "…"


def notice(message: str) -> Reply:
    """A one-line message of our own (not an answer)."""
    block = SectionBlock(text=_mrkdwn(escape(message)))
    return Reply(text=escape(message), blocks=[block.to_dict()])


def apology() -> Reply:
    """What the user sees when something failed on our side (never the exception's text)."""
    return notice("Sorry, something went wrong on my side. Please try again in a moment.")


def added_text(outcome: Outcome) -> str:
    """What adding a link or file did, for people: what was extracted, or why it was refused."""
    if outcome.doc_id is None or outcome.article is None:
        return f"Not added: {outcome.source}\n{outcome.refused}"
    article = outcome.article
    facts = [
        f"Title: {article.title or '(none found)'}",
        f"Author: {article.author or '(none found)'}",
        f"Date: {article.date or '(none found)'}",
        f"Outlet: {article.outlet or '(none found)'}",
        f"Words: {outcome.words:,}",
    ]
    lines = [f"Added to the shelf as {outcome.doc_id}. Ask about it in a few seconds.", *facts]
    if outcome.note:
        lines.append(f"Note: {outcome.note}")
    return "\n".join(lines)


def render_added(outcomes: list[Outcome]) -> Reply:
    """What adding did, as a Slack message: a section per link or file."""
    blocks: list[Block] = []
    for outcome in outcomes[: MAX_BLOCKS // 2]:
        heading, _, rest = added_text(outcome).partition("\n")
        blocks.append(SectionBlock(text=_mrkdwn(_fit(f"*{escape(heading)}*"))))
        if rest:
            blocks.append(SectionBlock(text=_mrkdwn(_fit(escape(rest)))))
    text = "\n\n".join(added_text(o) for o in outcomes)
    for block in blocks:
        block.validate_json()
    return Reply(text=_fit(escape(text)), blocks=[block.to_dict() for block in blocks])


# ----------------------------------------------------------------------------------------------
# The App Home tab.

MAX_HOME_BLOCKS = 100  # Slack's limit for a Home tab view
_MENTION = re.compile(r"&lt;@([UW][A-Z0-9]{2,})&gt;")
MAX_FEED_LINES = 20  # feeds listed on the Home tab (`python -m bot feeds list` lists them all)


def render_home(
    overview: Overview, most_asked: list[tuple[str, int]] | None = None, feeds: Sequence[str] = ()
) -> dict[str, Any]:
    """The Home tab: what is on the shelf, the latest additions, the commands, the week's questions,
    how to add an article, the feeds followed (a line each). `most_asked` is None when question texts
    are not kept (LOG_QUERIES)."""
    blocks: list[Block] = [HeaderBlock(text=_plain("On the shelf"))]
    count = f"*{overview.articles} article{'s' if overview.articles != 1 else ''}*"
    outlets = ", ".join(f"{escape(name)} ({n})" for name, n in overview.outlets)
    if overview.unnamed:
        outlets += (", " if outlets else "") + f"{overview.unnamed} without a named outlet"
    blocks.append(SectionBlock(text=_mrkdwn(_fit(f"{count}" + (f" from {outlets}" if outlets else "")))))
    if overview.latest:
        blocks.append(HeaderBlock(text=_plain("Latest additions")))
        for article in overview.latest:
            parts = [_linked(article.title or article.doc_id, article.url)]
            parts += [escape(p) for p in (article.outlet, article.date) if p]
            blocks.append(SectionBlock(text=_mrkdwn(_fit(" · ".join(parts)))))
    blocks.append(HeaderBlock(text=_plain("Ask")))
    commands = [f"`/whosaid {escape(overview.whosaid_example)}`: who said a phrase, or what a person said"]
    commands += [f"`/{t.command} {escape(t.example)}`: {escape(t.description)}" for t in overview.topics]
    commands.append(f"`/ask {escape(overview.ask_example)}`: anything else the articles cover")
    commands.append("Or message me here, mention me in a channel, or open me in the side panel.")
    blocks.append(SectionBlock(text=_mrkdwn(_fit("\n".join(commands)))))
    if most_asked:
        blocks.append(HeaderBlock(text=_plain("Most asked this week")))
        lines = [f"{n} × {escape(question)}" for question, n in most_asked]
        blocks.append(SectionBlock(text=_mrkdwn(_fit("\n".join(lines)))))
    blocks.append(HeaderBlock(text=_plain("Add an article")))
    how = (
        "Send me a link or a file in a direct message, use the *Add to Citebot* shortcut on a message "
        "that links to one, or type `/ask add <link>`. To add a site's new articles as they appear, "
        "type `/ask follow <feed or sitemap link>` (and `/ask unfollow <link>` to stop)."
    )
    blocks.append(SectionBlock(text=_mrkdwn(escape(how))))
    if feeds:
        blocks.append(HeaderBlock(text=_plain("Feeds followed")))
        listed = escape("\n".join(feeds[:MAX_FEED_LINES]))
        listed = _MENTION.sub(r"<@\1>", listed)  # who added a feed in Slack, shown as a mention
        blocks.append(SectionBlock(text=_mrkdwn(_fit(listed))))
    view = View(type="home", blocks=blocks[:MAX_HOME_BLOCKS])
    view.validate_json()
    return view.to_dict()


def _plain(text: str) -> PlainTextObject:
    return PlainTextObject(text=text[:150], emoji=False)
