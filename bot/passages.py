"""Split articles into sentences (passages) with their paragraph number and character offsets.

A passage is a slice of its article's text: `article.text[start:end] == passage.text`. Splitting
respects abbreviations (U.S., Mr., Gen.), initials, numbers and quotations: a quotation that closes in
the same paragraph stays in one passage with the words that attribute it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from bot.corpus import Article
from bot.wordlists import wordlists

MAX_QUOTATION_CHARS = 1200  # a quotation longer than this is split like ordinary text

# A sentence ends at . ! ? … before a capital (Latin, Cyrillic or Greek) or a digit, and at the full-width
# 。！？ of Chinese and Japanese, which need no space after them.
_BOUNDARY = re.compile(
    r"[.!?…]+[\"'”’»)\]]*(?=\s+(?:''|``|[\"'“‘«(\[])?[A-Z0-9À-ÞЀ-ЯΆ-Ω])|[。！？]+[」』”’)]*|[.!?…]+[\"'”’»)\]]*\s*$"
)
_QUOTE_MARK = re.compile(r"''|``|[“”\"]")
_WORD_BEFORE = re.compile(r"(\S+)$")
_DOTTED_ACRONYM = re.compile(r"^(?:[A-Za-z]\.){2,}$")
_OPEN_QUOTES = "“‘"
_CLOSE_QUOTES = "”’"


@dataclass(frozen=True, slots=True)
class Passage:
    """One sentence of an article, located by paragraph (1-based) and offsets into the article text."""

    doc_id: str
    paragraph: int
    start: int
    end: int
    text: str


def split_article(article: Article) -> list[Passage]:
    """All passages of an article, in reading order."""
    passages = []
    for number, (p_start, p_end) in enumerate(article.paragraphs, start=1):
        paragraph = article.text[p_start:p_end]
        for start, end in split_sentences(paragraph):
            passages.append(
                Passage(
                    doc_id=article.doc_id,
                    paragraph=number,
                    start=p_start + start,
                    end=p_start + end,
                    text=paragraph[start:end],
                )
            )
    return passages


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans `(start, end)` in `text`, trimmed of surrounding white space."""
    spans = []
    start = 0
    for cut in _sentence_ends(text):
        spans.append((start, cut))
        start = cut
    spans.append((start, len(text)))
    trimmed = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if any(ch.isalnum() for ch in text[s:e]):
            trimmed.append((s, e))
    return trimmed


def _sentence_ends(text: str) -> Iterator[int]:
    quotations = _quotation_spans(text)
    for match in _BOUNDARY.finditer(text):
        end = match.end()
        if end >= len(text.rstrip()):
            continue
        if any(q_start < end < q_end for q_start, q_end in quotations):
            continue
        if _ends_sentence(text, match.start(), match.group(), end):
            yield end


def _ends_sentence(text: str, at: int, punctuation: str, end: int) -> bool:
    if not punctuation.startswith("."):
        return True
    before = _WORD_BEFORE.search(text, 0, at + 1)
    word = before.group(1) if before else ""
    bare = word.strip("\"'“‘([").rstrip(".")
    if bare.lower() in wordlists().abbreviations:
        return False
    if len(bare) == 1 and bare.isupper():  # an initial: "J. Smith"
        return False
    if _DOTTED_ACRONYM.match(word.strip("\"'“‘([")):
        following = text[end:].split(maxsplit=1)
        next_word = following[0].strip("\"'“‘([").lower() if following else ""
        return next_word in wordlists().sentence_starters
    return True


def _quotation_spans(text: str) -> list[tuple[int, int]]:
    """Spans of quotations that open and close within `text`: curly or straight double quotes, and the
    `` '' or '' '' of some newspapers."""
    spans = []
    opened: int | None = None
    for match in _QUOTE_MARK.finditer(text):
        mark, i = match.group(), match.start()
        opens = mark in {"“", "``"} or (
            mark in {'"', "''"} and opened is None and (i == 0 or not text[i - 1].isalnum())
        )
        if opens:
            opened = i
        elif mark in {"”", '"', "''"} and opened is not None:
            if i - opened <= MAX_QUOTATION_CHARS:
                spans.append((opened, match.end()))
            opened = None
    return spans
