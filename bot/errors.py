"""Our own failures, so that entry points can tell them from bugs."""

from __future__ import annotations


class CitebotError(Exception):
    """Base class for failures Citebot expects and reports in one line."""


class ArticleError(CitebotError):
    """An article file that cannot be read as an article (empty, binary, not UTF-8)."""


class CorpusError(CitebotError):
    """The corpus folder is missing or holds no readable article."""
