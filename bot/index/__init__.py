"""The search index: passages, who said what in them, and BM25 over their terms.

`SearchIndex` answers the questions the answer engine asks (scores, top passages, a passage's text,
its statements, a speaker's statements, idf, typo corrections) over flat arrays, whether they were
just built or memory-mapped from a saved index. `open_index` loads the saved index of a corpus when
it is current, and otherwise builds and saves a new one.
"""

from __future__ import annotations

import logging
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from rapidfuzz import fuzz, process

from bot.attribution import (
    People,
    Speaker,
    Statement,
    speaker_key,
    speaks_for_passage,
    voice_of,
)
from bot.config import default_index_folder
from bot.corpus import ArticleInfo, Corpus, corpus_fingerprint, corpus_stat, load_corpus
from bot.domain import Knowledge, shipped_domain
from bot.errors import IndexUnusable
from bot.index import store
from bot.index.builder import IndexData, build, index_fingerprint, passage_terms
from bot.index.engine import top
from bot.index.reading import KINDS, ReadingCache
from bot.index.workers import Progress
from bot.passages import Passage
from bot.text import Analyzer

logger = logging.getLogger(__name__)

__all__ = ["Hit", "SearchIndex", "build_and_save", "extraction_cache", "open_index"]


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage that matched a query, with its BM25 score and the query terms it contains."""

    passage: Passage
    score: float
    matched: frozenset[str]


class SearchIndex:
    """Passages of a corpus with their statements, searchable with BM25."""

    def __init__(self, data: IndexData) -> None:
        self.data = data
        self.articles: dict[str, ArticleInfo] = {a.doc_id: a for a in data.articles}
        self.people = People(data.people, data.knowledge.epithets)
        self.analyzer = Analyzer(data.knowledge.aliases)  # questions are read as the articles were
        self._term_id = {term: i for i, term in enumerate(data.vocabulary)}
        self._voices = [voice_of(a) for a in data.articles]
        self.speakers: dict[str, Speaker] = {}
        for speaker in [*data.speakers, *self._voices]:
            self.speakers.setdefault(speaker_key(speaker), speaker)
        self._speaker_number = {key: number for number, key in enumerate(data.by_speaker.keys)}
        self.fingerprint = data.fingerprint
        self.corpus_stat: tuple[tuple[str, int, int], ...] = ()  # the corpus's files when it was opened

    @classmethod
    def build(
        cls,
        corpus: Corpus,
        progress: Progress | None = None,
        knowledge: Knowledge | None = None,
        cache: ReadingCache | None = None,
        workers: int | None = None,
    ) -> SearchIndex:
        """Index `corpus` in memory, with the shelf's aliases and epithets (default: the shipped domain's);
        `cache` keeps what each article contributed, for the next build; `workers` processes (default:
        one per core) read and attribute the articles."""
        return cls(build(corpus, _knowledge(knowledge), progress, cache, workers))

    def __len__(self) -> int:
        return len(self.data.passages.article)

    # -- passages ---------------------------------------------------------------------------

    def paragraph_of(self, pid: int) -> range:
        """The passages of pid's paragraph (as indexed: passages quoted from an earlier copy are not)."""
        article, paragraph = self.data.passages.article, self.data.passages.paragraph
        here = (article[pid], paragraph[pid])
        start, end = pid, pid + 1
        while start > 0 and (article[start - 1], paragraph[start - 1]) == here:
            start -= 1
        while end < len(self) and (article[end], paragraph[end]) == here:
            end += 1
        return range(start, end)

    def doc_id(self, pid: int) -> str:
        """The article a passage belongs to."""
        return self.data.articles[int(self.data.passages.article[pid])].doc_id

    def passage_text(self, pid: int) -> str:
        """The passage's text, exactly as in its article."""
        table = self.data.passages
        return bytes(self.data.text[int(table.byte_start[pid]) : int(table.byte_end[pid])]).decode("utf-8")

    def passage(self, pid: int) -> Passage:
        """Passage `pid`."""
        table = self.data.passages
        return Passage(
            doc_id=self.doc_id(pid),
            paragraph=int(table.paragraph[pid]),
            start=int(table.start[pid]),
            end=int(table.end[pid]),
            text=self.passage_text(pid),
        )

    def span_text(self, pid: int, start: int, end: int) -> str:
        """Article text from `start` to `end` (character offsets), which lie within passage `pid`."""
        offset = int(self.data.passages.start[pid])
        return self.passage_text(pid)[start - offset : end - offset]

    # -- who said what ----------------------------------------------------------------------

    def statements_of(self, pid: int) -> tuple[Statement, ...]:
        """The statements of passage `pid`: its attributed ones, and its article's voice if it speaks too."""
        table = self.data.statements
        rows = range(int(table.indptr[pid]), int(table.indptr[pid + 1]))
        said = [self._statement(row) for row in rows]
        if table.voice[pid]:
            whole = (int(self.data.passages.start[pid]), int(self.data.passages.end[pid]))
            said.insert(
                0, Statement(self._voices[int(self.data.passages.article[pid])], "voice", whole, whole)
            )
        return tuple(said)

    def statements_by(self, key: str) -> list[tuple[int, Statement]]:
        """(passage, statement) for everything one speaker said, in corpus order."""
        table = self.data.by_speaker
        number = self._speaker_number.get(key)
        if number is None:
            return []
        said = []
        for at in range(int(table.indptr[number]), int(table.indptr[number + 1])):
            pid, row = int(table.passage[at]), int(table.row[at])
            if row >= 0:
                said.append((pid, self._statement(row)))
            else:
                whole = (int(self.data.passages.start[pid]), int(self.data.passages.end[pid]))
                voice = self._voices[int(self.data.passages.article[pid])]
                said.append((pid, Statement(voice, "voice", whole, whole)))
        return said

    def speaker_terms(self, pid: int) -> frozenset[str]:
        """Index terms of the speakers of passage `pid` (e.g. {"russia", "presid", "putin"})."""
        said = self.statements_of(pid)
        return frozenset(
            t for s in said if speaks_for_passage(s) for t in self.analyzer.tokenize(s.speaker.label)
        )

    # -- retrieval --------------------------------------------------------------------------

    def idf(self, term: str) -> float:
        """The term's idf; a term the corpus lacks gets the idf of a word in no passage at all."""
        term_id = self._term_id.get(term)
        if term_id is not None:
            return float(self.data.postings.idf[term_id])
        return math.log((len(self) + 0.5) / 0.5)

    def knows(self, term: str) -> bool:
        """The term occurs in some passage."""
        return term in self._term_id

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for `terms` (a repeated term counts again)."""
        counts = Counter(self._term_id[t] for t in terms if t in self._term_id)
        return self.data.postings.scores(counts.items())

    def top(self, scores: np.ndarray, k: int) -> list[int]:
        """Passages with the `k` best positive scores, best first (ties: earlier passage first)."""
        return top(scores, k)

    def search(self, terms: Sequence[str], k: int = 10) -> list[Hit]:
        """The `k` best passages for `terms`."""
        scores = self.scores(terms)
        return [Hit(self.passage(i), float(scores[i]), self.matched(i, terms)) for i in self.top(scores, k)]

    def coverage_of_ranges(self, ranges: Sequence[range], terms: Sequence[str]) -> np.ndarray:
        """For each range of passages, the share of the terms' idf weight found somewhere in it."""
        unique = sorted(set(terms))
        weights = np.array([self.idf(t) for t in unique])
        total = float(weights.sum())
        if total <= 0 or not ranges:
            return np.zeros(len(ranges))
        starts = np.array([r.start for r in ranges], dtype=np.int64)
        ends = np.array([r.stop for r in ranges], dtype=np.int64)
        found = np.zeros(len(ranges))
        for term, weight in zip(unique, weights, strict=True):
            term_id = self._term_id.get(term)
            if term_id is not None:
                found += weight * self.data.postings.present(term_id, starts, ends)
        return found / total

    def matched(self, pid: int, terms: Iterable[str]) -> frozenset[str]:
        """Which of `terms` passage `pid` contains."""
        postings = self.data.postings
        return frozenset(t for t in terms if t in self._term_id and postings.contains(self._term_id[t], pid))

    def terms(self, pid: int) -> list[str]:
        """The index terms of passage `pid`."""
        return passage_terms(
            self.analyzer, self.analyzer.tokenize(self.passage_text(pid)), self.statements_of(pid)
        )

    def correct(self, word: str) -> list[str]:
        """Index terms for a misspelt `word`: two corpus words it joins ("longshot"), else the closest one."""
        surface = self._surface
        if len(word) < 4 or not surface:
            return []
        for cut in range(3, len(word) - 2):
            left, right = word[:cut], word[cut:]
            if left in surface and right in surface:
                return [surface[left], surface[right]]
        best = process.extractOne(word, self._surface_words, scorer=fuzz.ratio, score_cutoff=80)
        return [surface[best[0]]] if best else []

    # -- internals --------------------------------------------------------------------------

    def _statement(self, row: int) -> Statement:
        table = self.data.statements
        return Statement(
            speaker=self.data.speakers[int(table.speaker[row])],
            kind=KINDS[int(table.kind[row])],
            span=(int(table.span[row, 0]), int(table.span[row, 1])),
            said=(int(table.said[row, 0]), int(table.said[row, 1])),
        )

    @cached_property
    def _surface(self) -> dict[str, str]:
        return dict(self.data.surface)

    @cached_property
    def _surface_words(self) -> list[str]:
        return sorted(self._surface)


def extraction_cache(index_folder: Path) -> Path | None:
    """Where what was extracted from pages and PDFs is kept: in the index folder, once Citebot owns it."""
    return index_folder / "extracted" if store.owned(index_folder) else None


def reading_cache(index_folder: Path, knowledge: Knowledge) -> ReadingCache | None:
    """Where what each article contributes to the index is kept: in the index folder, once Citebot owns it."""
    if not store.owned(index_folder):
        return None
    return ReadingCache(index_folder / "read", f"{store.code_version()}:{knowledge.fingerprint}")


def _knowledge(knowledge: Knowledge | None) -> Knowledge:
    return knowledge if knowledge is not None else shipped_domain().knowledge()


def open_index(
    corpus_dir: Path,
    index_dir: Path | None = None,
    progress: Progress | None = None,
    *,
    save: bool = True,
    knowledge: Knowledge | None = None,
) -> SearchIndex:
    """The corpus's saved index if it is current; otherwise a new one, built and (if it can be) saved.

    `index_dir` defaults to the index folder in the corpus's default state folder. A folder Citebot
    must not write into (see `store.check_folder`) raises CitebotError. `knowledge` is the shelf's aliases
    and epithets (default: the shipped domain file's); an index built with other knowledge is rebuilt.
    """
    knowledge = _knowledge(knowledge)
    folder = index_dir if index_dir is not None else default_index_folder(corpus_dir)
    store.check_folder(folder, corpus_dir)
    stat = corpus_stat(corpus_dir)  # before the fingerprint: a change after this shows as a new stat
    try:
        index = SearchIndex(store.load_unchanged(folder, stat, knowledge.fingerprint))
    except IndexUnusable:  # not provably unchanged from the files' stat: compare their bytes
        index = _open(corpus_dir, folder, progress, knowledge, save=save)
    index.corpus_stat = stat
    return index


def _open(
    corpus_dir: Path, folder: Path, progress: Progress | None, knowledge: Knowledge, *, save: bool
) -> SearchIndex:
    fingerprint = index_fingerprint(corpus_fingerprint(corpus_dir), knowledge)
    try:
        return SearchIndex(store.load(folder, fingerprint))
    except IndexUnusable as exc:
        reason = str(exc)
    if not save:
        return SearchIndex.build(load_corpus(corpus_dir, clutter=knowledge.clutter), progress, knowledge)
    try:
        with store.building(folder):
            # Another process may have built it while we waited for the lock.
            try:
                return SearchIndex(
                    store.load(folder, index_fingerprint(corpus_fingerprint(corpus_dir), knowledge))
                )
            except IndexUnusable:
                pass
            if reason == "no saved index":
                logger.info("no saved index in %s; building one", folder)
            else:
                logger.warning("saved index in %s not used (%s); rebuilding", folder, reason)
            return build_and_save(
                load_corpus(corpus_dir, cache=extraction_cache(folder), clutter=knowledge.clutter),
                folder,
                progress,
                knowledge,
            )
    except OSError as exc:  # the lock's folder cannot be written: build in memory
        logger.warning("could not save the index to %s (%s); it will be rebuilt next time", folder, exc)
        return SearchIndex.build(load_corpus(corpus_dir, clutter=knowledge.clutter), progress, knowledge)


def build_and_save(
    corpus: Corpus,
    folder: Path | None,
    progress: Progress | None = None,
    knowledge: Knowledge | None = None,
    *,
    workers: int | None = None,
) -> SearchIndex:
    """Index `corpus` and save it to `folder` (a failure to save only costs the next start).

    What each article contributed is kept in `folder` too, so that the next build, after an article is
    added or changed, works out again only what changed."""
    knowledge = _knowledge(knowledge)
    cache = reading_cache(folder, knowledge) if folder is not None else None
    index = SearchIndex.build(corpus, progress, knowledge, cache, workers)
    if folder is not None:
        try:
            store.save(index.data, folder)
        except OSError as exc:
            logger.warning("could not save the index to %s (%s); it will be rebuilt next time", folder, exc)
        if cache is not None:
            cache.prune()
    return index
