"""One rule for copies: which sentences are the same sentence, and when two articles are the same story.

A sentence's copy key is equal for copies that differ only in quotes, dashes or spacing. An article is
the same story as another when at least `SAME_STORY` of its keyed passages (split as the index splits
them) are already in that one. The index uses the rule to note copies on each other ("also in") and to
cite a repeated sentence once; `add` uses it, with the same keys, to refuse a story saved twice from
the same source and to note a syndicated one.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterable, Sequence

import numpy as np

from bot.corpus import Article
from bot.passages import split_article
from bot.text import same_text_key

MIN_COPY_CHARS = 30  # shorter sentences ("Kyiv disagrees.") may repeat without making a copy
SAME_STORY = 0.5  # share of an article's keyed passages already in one other article: the same story
# A story from the same source with this share already on the shelf is the same file saved again (a
# header line changed); below it, the same source's story carries text of its own and is kept.
RESAVED = 0.9


def copy_key(text: str) -> str:
    """Equal for copies of a sentence that differ only in quotes, dashes or spacing; "" for a sentence
    too short to tell a copy from a coincidence."""
    key = same_text_key(text)
    if len(key) < MIN_COPY_CHARS:
        return ""
    return hashlib.blake2b(key.encode(), digest_size=10).hexdigest()


def key_numbers(keys: Iterable[str]) -> np.ndarray:
    """The copy keys that are not "" as 64-bit numbers (their first 16 hex digits), for arrays."""
    return np.array([int(key[:16], 16) for key in keys if key], dtype=np.uint64)


def article_keys(article: Article) -> np.ndarray:
    """The copy keys of an article's passages, as numbers."""
    return key_numbers(copy_key(p.text) for p in split_article(article))


def closest(owners: Sequence[int]) -> tuple[int | None, float]:
    """Given, for each keyed passage of an article, the article already holding it (-1: none), the
    article holding most of them and the share it holds."""
    if not owners:
        return None, 0.0
    held = Counter(owner for owner in owners if owner >= 0)
    if not held:
        return None, 0.0
    owner, count = held.most_common(1)[0]
    return owner, count / len(owners)


def same_story(share: float) -> bool:
    """An article with this share of its keyed passages in another is the same story."""
    return share >= SAME_STORY
