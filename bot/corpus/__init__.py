"""Articles from the corpus folder: text, honest metadata, and the paragraphs worth quoting.

An article keeps its file's text exactly as decoded; paragraphs are offsets into it, so every quote
taken later is a slice of the file, character for character. Boilerplate lines (menus, breadcrumbs,
subscribe prompts, cut markers, trailers) are left out of the paragraphs, never edited.
"""

from bot.corpus.extraction import WEBPAGE_SUFFIXES, ExtractionCache, FolderCache
from bot.corpus.files import (
    ARTICLE_SUFFIXES,
    MAX_ARTICLE_BYTES,
    article_entries,
    article_files,
    corpus_stat,
    file_changes,
    file_digest,
    link_out_of,
    read_bytes,
    shown_name,
)
from bot.corpus.loading import (
    article_from_bytes,
    clutter_pattern,
    decode_article,
    load_corpus,
    read_article,
)
from bot.corpus.models import Article, ArticleInfo, Corpus, FileChanges, FileRecord, Skipped
from bot.corpus.parsing import parse_article

__all__ = [
    "ARTICLE_SUFFIXES",
    "MAX_ARTICLE_BYTES",
    "WEBPAGE_SUFFIXES",
    "Article",
    "ArticleInfo",
    "Corpus",
    "ExtractionCache",
    "FileChanges",
    "FileRecord",
    "FolderCache",
    "Skipped",
    "article_entries",
    "article_files",
    "article_from_bytes",
    "clutter_pattern",
    "corpus_stat",
    "decode_article",
    "file_changes",
    "file_digest",
    "link_out_of",
    "load_corpus",
    "parse_article",
    "read_article",
    "read_bytes",
    "shown_name",
]
