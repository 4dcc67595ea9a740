"""What is on the shelf, for the App Home tab: articles and outlets, the latest additions, the topics."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from bot.corpus import ArticleInfo
from bot.domain import Domain, Topic
from bot.index import SearchIndex

LATEST = 5
OUTLETS = 10


@dataclass(frozen=True, slots=True)
class Overview:
    """The shelf at a glance."""

    articles: int
    outlets: list[tuple[str, int]]  # most articles first
    unnamed: int  # articles whose outlet is not known
    latest: list[ArticleInfo]  # newest additions first
    topics: tuple[Topic, ...]  # the domain file's topic commands
    whosaid_example: str
    ask_example: str


def shelf_overview(index: SearchIndex, domain: Domain) -> Overview:
    """How many articles, from which outlets, the latest added, and the commands with an example each."""
    articles = list(index.articles.values())
    outlets = Counter(a.outlet for a in articles if a.outlet)
    return Overview(
        articles=len(articles),
        outlets=sorted(outlets.items(), key=lambda item: (-item[1], item[0]))[:OUTLETS],
        unnamed=sum(1 for a in articles if not a.outlet),
        # The index lists articles in the order they joined it: a new segment's come last.
        latest=articles[::-1][:LATEST],
        topics=tuple(domain.topics),
        whosaid_example=domain.app.whosaid_examples[0],
        ask_example=domain.app.ask_example,
    )
