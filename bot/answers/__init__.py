"""Answer a question from the index: route it, retrieve, attribute, and choose verbatim quotes.

Every quote is a slice of its article's text (or whole clauses of one, joined by " … "), and every
answer says `found: false` rather than offering the least bad passage for a question the articles
do not answer. One module per command; `answer()` (dispatch.py) dispatches.
"""

from bot.answers.ask import ask
from bot.answers.dispatch import answer, warm_up
from bot.answers.followup import follow_up
from bot.answers.help import help_answer, help_text
from bot.answers.models import Answer, Citation, Command, Quote
from bot.answers.retrieval import MAX_QUOTE_CHARS, shorten
from bot.answers.routing import (
    MAX_QUERY_CHARS,
    FeedRequest,
    clean_input,
    feed_request,
    link_to_add,
    parse,
    route,
)
from bot.answers.topic import topic_answer
from bot.answers.whosaid import whosaid

__all__ = [
    "MAX_QUERY_CHARS",
    "MAX_QUOTE_CHARS",
    "Answer",
    "Citation",
    "Command",
    "FeedRequest",
    "Quote",
    "answer",
    "ask",
    "clean_input",
    "feed_request",
    "follow_up",
    "help_answer",
    "help_text",
    "link_to_add",
    "parse",
    "route",
    "shorten",
    "topic_answer",
    "warm_up",
    "whosaid",
]
