"""Our own failures, so that entry points can tell them from bugs.

CitebotError
 ├── ArticleError       an article file that cannot be read as one (skipped with a warning)
 ├── CorpusError        no corpus folder, or nothing readable in it
 ├── DomainError        the domain file cannot be read or validated (bot.domain)
 └── IndexUnusable      a saved index that must be rebuilt (bot.index.store; caught there)
"""

from __future__ import annotations


class CitebotError(Exception):
    """Base class for failures Citebot expects and reports in one line."""


class ArticleError(CitebotError):
    """An article file that cannot be read as an article (empty, binary, not UTF-8)."""


class CorpusError(CitebotError):
    """The corpus folder is missing or holds no readable article."""


class IndexUnusable(CitebotError):
    """A saved index that must be rebuilt: missing, stale, or unreadable."""
