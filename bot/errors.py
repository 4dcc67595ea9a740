"""Our own failures, so that entry points can tell them from bugs: the whole tree, in one module.

CitebotError
 ├── ArticleError       an article file that cannot be read as one (skipped with a warning)
 ├── CorpusError        no corpus folder, or nothing readable in it
 ├── DomainError        the domain file cannot be read or validated (bot.domain)
 ├── FetchRefused       a link not fetched, or not an article file (bot.fetch)
 ├── IndexUnusable      a saved index that must be rebuilt (bot.index.store; caught there)
 └── StateUnavailable   the shared state cannot be read or written (bot.shared)
"""

from __future__ import annotations


class CitebotError(Exception):
    """Base class for failures Citebot expects and reports in one line."""


class ArticleError(CitebotError):
    """An article file that cannot be read as an article (empty, binary, not UTF-8)."""


class CorpusError(CitebotError):
    """The corpus folder is missing or holds no readable article."""


class DomainError(CitebotError):
    """The domain file cannot be read or does not describe a shelf."""


class FetchRefused(CitebotError):
    """A link that was not fetched, or fetched but is not an article file."""


class IndexUnusable(CitebotError):
    """A saved index that must be rebuilt: missing, stale, or unreadable."""


class StateUnavailable(CitebotError):
    """The shared state could not be read or written (database down, file unwritable)."""
