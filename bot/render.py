"""Turn an Answer into text for people: plain text for the console and CLI."""

from __future__ import annotations

from bot.answers import Answer, Citation, Quote

_HEADINGS = {
    "whosaid": "Who said it",
    "troops": "The planned force",
    "russia-position": "Moscow's position",
    "ask": "From the articles",
    "help": "Citebot help",
}


def heading(answer: Answer) -> str:
    """A short title for an answer: the command and what was asked."""
    title = _HEADINGS[answer.command]
    return f"{title}: {answer.query}" if answer.query and answer.command != "help" else title


def source_label(citation: Citation) -> str:
    """Title (or file name), outlet or author, and paragraph: e.g. `"Title", Outlet, paragraph 3`."""
    parts = [f"“{citation.title}”" if citation.title else citation.doc_id]
    by = citation.outlet or citation.author
    if citation.outlet and citation.author:
        by = f"{citation.outlet} ({citation.author})"
    if by:
        parts.append(by)
    if citation.date:
        parts.append(citation.date)
    parts.append(f"paragraph {citation.paragraph}")
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
