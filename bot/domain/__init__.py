"""A shelf's knowledge as data: topic commands, aliases and known people, from one TOML file.

`load_domain(path)` reads and validates it (an error names the file and line); `shipped_domain()` is
the file that comes with Citebot, for the Ukraine shelf. The engine reads a `Domain`; it never names a
topic, a country or a person itself.
"""

from bot.domain.loading import SHIPPED_DOMAIN, load_domain, shipped_domain
from bot.domain.models import (
    BUILT_IN_COMMANDS,
    App,
    Cues,
    Domain,
    Facet,
    Knowledge,
    KnownPerson,
    Route,
    Topic,
)
from bot.errors import DomainError

__all__ = [
    "BUILT_IN_COMMANDS",
    "SHIPPED_DOMAIN",
    "App",
    "Cues",
    "Domain",
    "DomainError",
    "Facet",
    "Knowledge",
    "KnownPerson",
    "Route",
    "Topic",
    "load_domain",
    "shipped_domain",
]
