"""The search index: passages, who said what in them, and BM25 over their terms.

`searcher.SearchIndex` is the read side: it answers the questions the answer engine asks (scores, top
passages, a passage's text, its statements, a speaker's statements, idf, typo corrections) over the
flat arrays of one or more segments. `lifecycle` opens the saved index of a corpus, after writing a
segment for what changed since (`update`), or builds and saves a whole new one, through `writer`'s
IndexWriter, the one writer of an index folder.
"""

from bot.index.holdings import shelf_held
from bot.index.lifecycle import (
    build_and_save,
    by_meaning,
    current_index,
    merge_segments,
    open_index,
    saved_index,
)
from bot.index.searcher import Hit, SearchIndex, mapped
from bot.index.writer import IndexWriter, extraction_cache, reading_cache

__all__ = [
    "Hit",
    "IndexWriter",
    "SearchIndex",
    "build_and_save",
    "by_meaning",
    "current_index",
    "extraction_cache",
    "mapped",
    "merge_segments",
    "open_index",
    "reading_cache",
    "saved_index",
    "shelf_held",
]
