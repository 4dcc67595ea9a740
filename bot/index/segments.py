"""One segment of an index: the arrays of a batch of articles, some of which may since be deleted.

An index is a list of immutable segments (see `store`). A segment's passages are numbered from 0;
the index numbers every passage of every segment one after another. An article that was changed or
removed after its segment was written is *deleted*: its passages stay in the segment's files but are
never scored or quoted, and they count in no statistic. Everything a segment's own arrays cannot say
(how many live passages contain a term, their average length) is summed over segments by the index.
"""

from __future__ import annotations

from collections.abc import Collection
from functools import cached_property
from typing import TYPE_CHECKING

import numpy as np

from bot.attribution import Speaker, voice_of
from bot.corpus import ArticleInfo
from bot.index.builder import IndexData

if TYPE_CHECKING:
    from bot.index.meaning import SegmentMeaning


class Segment:
    """A segment's data, the articles deleted from it, and what answering needs derived from both."""

    def __init__(
        self, name: str, data: IndexData, deleted: Collection[str] = (), meaning: SegmentMeaning | None = None
    ) -> None:
        self.name = name
        self.data = data
        self.meaning = meaning  # the passages' vectors, when stored (see index/meaning.py)
        self.deleted = frozenset(deleted)
        number = {a.doc_id: n for n, a in enumerate(data.articles)}
        gone = sorted(number[doc] for doc in self.deleted if doc in number)
        article = data.passages.article
        self.dead = np.flatnonzero(np.isin(article, gone)) if gone else np.zeros(0, dtype=np.int64)
        self.live_articles = [a for a in data.articles if a.doc_id not in self.deleted]
        doc_len = data.postings.doc_len
        self.n_live = len(doc_len) - len(self.dead)
        self.live_length = int(doc_len.sum(dtype=np.int64)) - int(doc_len[self.dead].sum(dtype=np.int64))

    def with_deleted(self, deleted: Collection[str]) -> Segment:
        """The same segment with other articles deleted (its term table is shared, not rebuilt)."""
        if frozenset(deleted) == self.deleted:
            return self
        other = Segment(self.name, self.data, deleted, self.meaning)
        for derived in ("term_id", "speaker_number", "voices"):  # from the data alone: shared, not rebuilt
            if derived in self.__dict__:
                other.__dict__[derived] = self.__dict__[derived]
        return other

    def __len__(self) -> int:
        return len(self.data.passages.article)

    @cached_property
    def term_id(self) -> dict[str, int]:
        """Each of the segment's terms' id."""
        return {term: i for i, term in enumerate(self.data.vocabulary)}

    @cached_property
    def voices(self) -> list[Speaker]:
        """Each article's own voice (its author, or the article itself)."""
        return [voice_of(a) for a in self.data.articles]

    @cached_property
    def speaker_number(self) -> dict[str, int]:
        """Each speaker key's number in the segment's speaker table."""
        return {key: number for number, key in enumerate(self.data.by_speaker.keys)}

    @cached_property
    def alive(self) -> np.ndarray | None:
        """bool[passages]: not deleted; None when nothing is."""
        if not len(self.dead):
            return None
        mask = np.ones(len(self), dtype=bool)
        mask[self.dead] = False
        return mask

    def live_df(self, term: int) -> int:
        """How many live passages contain term id `term`."""
        if self.alive is None:
            return self.data.postings.df(term)
        return int(np.count_nonzero(self.alive[self.data.postings.docs_of(term)]))

    def is_live(self, local: int) -> bool:
        """Passage `local` (numbered in this segment) is not deleted."""
        return self.alive is None or bool(self.alive[local])

    def article_of(self, local: int) -> ArticleInfo:
        """The article passage `local` is from."""
        return self.data.articles[int(self.data.passages.article[local])]
