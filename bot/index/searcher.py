"""The read side of the index: BM25, meaning and who said what over the arrays of its segments.

`SearchIndex` answers the questions the answer engine asks (scores, top passages, a passage's text,
its statements, a speaker's statements, idf, typo corrections) over the flat arrays of one or more
segments, whether they were just built or memory-mapped from a saved index.
"""

from __future__ import annotations

import bisect
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
)
from bot.corpus import ArticleInfo, Corpus
from bot.domain import Knowledge, shipped_domain
from bot.index import engine, meaning, store, update
from bot.index.builder import IndexData, build, passage_terms
from bot.index.reading import KINDS, ReadingCache
from bot.index.segments import Segment
from bot.index.workers import Progress
from bot.meaning import Model, installed_key
from bot.passages import Passage
from bot.text import Analyzer

MAX_REMEMBERED_TERMS = 100_000  # terms whose df and idf an index remembers (those questions used)


@dataclass(frozen=True, slots=True)
class Hit:
    """A passage that matched a query, with its BM25 score and the query terms it contains."""

    passage: Passage
    score: float
    matched: frozenset[str]


class SearchIndex:
    """Passages of a corpus with their statements, searchable with BM25, over one or more segments.

    Passages are numbered across segments, one segment after another; deleted passages (of articles
    changed or removed since their segment was written) are never scored, quoted or counted. Where
    answers need passages in corpus order (equal scores, a speaker's statements), `order` gives the
    place a passage would have in an index built whole: articles oldest first, then passage order.
    """

    def __init__(self, segments: Sequence[Segment] | IndexData, fingerprint: str | None = None) -> None:
        if isinstance(segments, IndexData):
            segments = [Segment("", segments)]
        self.segments = list(segments)
        last = self.segments[-1].data  # the newest segment carries the shelf's people and knowledge
        self.knowledge = last.knowledge
        self.people = People(last.people, last.knowledge.epithets)
        self.analyzer = Analyzer(last.knowledge.aliases)  # questions are read as the articles were
        self._starts = [0]
        for segment in self.segments:
            self._starts.append(self._starts[-1] + len(segment))
        self.articles: dict[str, ArticleInfo] = {
            a.doc_id: a for segment in self.segments for a in segment.live_articles
        }
        self.speakers: dict[str, Speaker] = {}
        for segment in self.segments:
            for speaker in [*segment.data.speakers, *segment.voices]:
                self.speakers.setdefault(speaker_key(speaker), speaker)
        self.live_passages = sum(s.n_live for s in self.segments)
        live_length = sum(s.live_length for s in self.segments)
        avgdl = live_length / self.live_passages if self.live_passages else 1.0
        self._norms = [s.data.postings.norms(avgdl) for s in self.segments]
        self._term_stats: dict[str, tuple[int, float]] = {}  # term -> (df, idf), as asked
        self._ranks = self._article_ranks()
        self.fingerprint = fingerprint if fingerprint is not None else last.fingerprint
        self.corpus_stat: tuple[tuple[str, int, int], ...] = ()  # the corpus's files when it was opened
        self.meaning_model: Model | None = None  # set by whoever opened it to rank by meaning too

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
        return cls(build(corpus, shelf_knowledge(knowledge), progress, cache, workers))

    def __len__(self) -> int:
        """How many passage numbers there are (deleted passages keep theirs; see `live_passages`)."""
        return self._starts[-1]

    def segment_sizes(self) -> list[tuple[int, int]]:
        """Each segment's (passages, live passages)."""
        return [(len(s), s.n_live) for s in self.segments]

    def merge_due(self) -> bool:
        """The tiered merge policy would merge some of the segments now."""
        return bool(update.merge_plan(self.segment_sizes()))

    def _locate(self, pid: int) -> tuple[Segment, int]:
        at = bisect.bisect_right(self._starts, pid) - 1
        return self.segments[at], pid - self._starts[at]

    # -- passages ---------------------------------------------------------------------------

    def paragraph_of(self, pid: int) -> range:
        """The passages of pid's paragraph (as indexed: passages quoted from an earlier copy are not)."""
        segment, local = self._locate(pid)
        article, paragraph = segment.data.passages.article, segment.data.passages.paragraph
        here = (article[local], paragraph[local])
        start, end = local, local + 1
        while start > 0 and (article[start - 1], paragraph[start - 1]) == here:
            start -= 1
        while end < len(segment) and (article[end], paragraph[end]) == here:
            end += 1
        return range(pid - local + start, pid - local + end)

    def doc_id(self, pid: int) -> str:
        """The article a passage belongs to."""
        segment, local = self._locate(pid)
        return segment.article_of(local).doc_id

    def passage_text(self, pid: int) -> str:
        """The passage's text, exactly as in its article."""
        segment, local = self._locate(pid)
        table, text = segment.data.passages, segment.data.text
        return bytes(text[int(table.byte_start[local]) : int(table.byte_end[local])]).decode("utf-8")

    def passage(self, pid: int) -> Passage:
        """Passage `pid`."""
        segment, local = self._locate(pid)
        table = segment.data.passages
        return Passage(
            doc_id=segment.article_of(local).doc_id,
            paragraph=int(table.paragraph[local]),
            start=int(table.start[local]),
            end=int(table.end[local]),
            text=self.passage_text(pid),
        )

    def span_text(self, pid: int, start: int, end: int) -> str:
        """Article text from `start` to `end` (character offsets), which lie within passage `pid`."""
        segment, local = self._locate(pid)
        offset = int(segment.data.passages.start[local])
        return self.passage_text(pid)[start - offset : end - offset]

    def order(self, pid: int) -> int:
        """Where passage `pid` comes in corpus order (articles oldest first): for sorting equal scores."""
        if self._ranks is None:
            return pid
        return int(self._order_of(np.array([pid], dtype=np.int64))[0])

    # -- who said what ----------------------------------------------------------------------

    def statements_of(self, pid: int) -> tuple[Statement, ...]:
        """The statements of passage `pid`: its attributed ones, and its article's voice if it speaks too."""
        segment, local = self._locate(pid)
        table = segment.data.statements
        rows = range(int(table.indptr[local]), int(table.indptr[local + 1]))
        said = [self._statement(segment, row) for row in rows]
        if table.voice[local]:
            passages = segment.data.passages
            whole = (int(passages.start[local]), int(passages.end[local]))
            said.insert(0, Statement(segment.voices[int(passages.article[local])], "voice", whole, whole))
        return tuple(said)

    def statements_by(self, key: str) -> list[tuple[int, Statement]]:
        """(passage, statement) for everything one speaker said, in corpus order."""
        said = []
        for segment, offset in zip(self.segments, self._starts, strict=False):
            number = segment.speaker_number.get(key)
            if number is None:
                continue
            table, passages = segment.data.by_speaker, segment.data.passages
            for at in range(int(table.indptr[number]), int(table.indptr[number + 1])):
                local, row = int(table.passage[at]), int(table.row[at])
                if not segment.is_live(local):
                    continue
                if row >= 0:
                    said.append((offset + local, self._statement(segment, row)))
                else:
                    whole = (int(passages.start[local]), int(passages.end[local]))
                    voice = segment.voices[int(passages.article[local])]
                    said.append((offset + local, Statement(voice, "voice", whole, whole)))
        if len(self.segments) > 1:
            keys = self._order_of(np.array([pid for pid, _ in said], dtype=np.int64))
            said = [
                said[i] for i in np.argsort(keys, kind="stable")
            ]  # a passage's statements keep their order
        return said

    def most_quoted(self, kind: str = "p", limit: int = 5) -> list[tuple[str, int]]:
        """Speaker keys of one kind ("p:" people) with how many statements the articles attribute to them
        (an author's own voice aside), most quoted first; counts include statements in deleted passages
        until a merge, so check with `statements_by` before use."""
        counts: dict[str, int] = {}
        for segment in self.segments:
            table = segment.data.by_speaker
            for key, number in segment.speaker_number.items():
                if key.startswith(f"{kind}:"):
                    rows = table.row[int(table.indptr[number]) : int(table.indptr[number + 1])]
                    counts[key] = counts.get(key, 0) + int(np.count_nonzero(rows >= 0))
        quoted = [(key, n) for key, n in counts.items() if n]
        return sorted(quoted, key=lambda item: (-item[1], item[0]))[:limit]

    def speaker_terms(self, pid: int) -> frozenset[str]:
        """Index terms of the speakers of passage `pid` (e.g. {"russia", "presid", "putin"})."""
        said = self.statements_of(pid)
        return frozenset(
            t for s in said if speaks_for_passage(s) for t in self.analyzer.tokenize(s.speaker.label)
        )

    # -- retrieval --------------------------------------------------------------------------

    def df(self, term: str) -> int:
        """How many live passages contain `term`."""
        return self._stats(term)[0]

    def idf(self, term: str) -> float:
        """The term's idf over live passages; a term they lack gets the idf of a word in no passage."""
        return self._stats(term)[1]

    def knows(self, term: str) -> bool:
        """The term occurs in some live passage."""
        return self._stats(term)[0] > 0

    def _stats(self, term: str) -> tuple[int, float]:
        known = self._term_stats.get(term)
        if known is None:
            df = sum(s.live_df(s.term_id[term]) for s in self.segments if term in s.term_id)
            n = self.live_passages
            known = (df, engine.idf(df, n) if df else math.log((n + 0.5) / 0.5))
            if len(self._term_stats) < MAX_REMEMBERED_TERMS:
                self._term_stats[term] = known
        return known

    def scores(self, terms: Sequence[str]) -> np.ndarray:
        """BM25 score of every passage for `terms` (a repeated term counts again); 0 for deleted ones."""
        scores = np.zeros(len(self), dtype=np.float64)
        for term, count in Counter(terms).items():
            if not self.knows(term) or (idf := self.idf(term)) <= 0:
                continue
            factor = engine.weight_factor(idf, count)
            for at, segment in enumerate(self.segments):
                term_id = segment.term_id.get(term)
                if term_id is not None:
                    part = scores[self._starts[at] : self._starts[at + 1]]
                    segment.data.postings.add_scores(part, term_id, factor, self._norms[at])
        for at, segment in enumerate(self.segments):
            if len(segment.dead):
                scores[self._starts[at] + segment.dead] = 0.0
        return scores

    def top(self, scores: np.ndarray, k: int) -> list[int]:
        """Passages with the `k` best positive scores, best first (ties: earlier in corpus order first)."""
        return engine.top(scores, k, self._order_of if self._ranks is not None else None)

    def search(self, terms: Sequence[str], k: int = 10) -> list[Hit]:
        """The `k` best passages for `terms`."""
        scores = self.scores(terms)
        return [Hit(self.passage(i), float(scores[i]), self.matched(i, terms)) for i in self.top(scores, k)]

    # -- meaning ----------------------------------------------------------------------------

    def meaning_scores(self, vector: np.ndarray) -> np.ndarray:
        """Cosine similarity of each passage to `vector` (a unit vector of the index's model); NaN for
        passages without a vector yet and for deleted ones."""
        out = np.full(len(self), np.nan, dtype=np.float32)
        vector = np.asarray(vector, dtype=np.float32)
        for segment, start in zip(self.segments, self._starts, strict=False):
            stored = segment.meaning
            if stored is None:
                continue
            filled = min(stored.filled, len(segment))
            meaning.similarities(stored, vector, out[start : start + filled])
            if len(segment.dead):
                out[start + segment.dead] = np.nan
        return out

    def meaning_filled(self) -> tuple[int, int]:
        """(passages with a vector, passages), over live and deleted passages alike."""
        return meaning.filled(self.segments)

    def answers_by_meaning(self) -> bool:
        """Questions are ranked by meaning: the model is loaded and every passage has its vector (a
        passage without one could not compete, so until then words alone rank them all)."""
        if self.meaning_model is None:
            return False
        have, total = self.meaning_filled()
        return 0 < have == total

    def coverage_of_ranges(self, ranges: Sequence[range], terms: Sequence[str]) -> np.ndarray:
        """For each range of passages (each within one article), the share of the terms' idf weight
        found somewhere in it."""
        unique = sorted(set(terms))
        weights = np.array([self.idf(t) for t in unique])
        total = float(weights.sum())
        if total <= 0 or not ranges:
            return np.zeros(len(ranges))
        starts = np.array([r.start for r in ranges], dtype=np.int64)
        ends = np.array([r.stop for r in ranges], dtype=np.int64)
        where = np.searchsorted(np.array(self._starts), starts, side="right") - 1
        found = np.zeros(len(ranges))
        for at in np.unique(where).tolist():
            segment, mine, offset = self.segments[at], where == at, self._starts[at]
            for term, weight in zip(unique, weights, strict=True):
                term_id = segment.term_id.get(term)
                if term_id is not None:
                    present = segment.data.postings.present(
                        term_id, starts[mine] - offset, ends[mine] - offset
                    )
                    found[mine] += weight * present
        return found / total

    def matched(self, pid: int, terms: Iterable[str]) -> frozenset[str]:
        """Which of `terms` passage `pid` contains."""
        segment, local = self._locate(pid)
        postings, ids = segment.data.postings, segment.term_id
        return frozenset(t for t in terms if t in ids and postings.contains(ids[t], local))

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

    def _statement(self, segment: Segment, row: int) -> Statement:
        table = segment.data.statements
        return Statement(
            speaker=segment.data.speakers[int(table.speaker[row])],
            kind=KINDS[int(table.kind[row])],
            span=(int(table.span[row, 0]), int(table.span[row, 1])),
            said=(int(table.said[row, 0]), int(table.said[row, 1])),
        )

    def _article_ranks(self) -> list[np.ndarray] | None:
        """For each segment, each article's place among the live articles in corpus order (oldest
        first); None for one segment, whose passages are in corpus order already."""
        if len(self.segments) == 1:
            return None
        live = sorted(
            ((a.date is None, a.date or "", a.doc_id), at, number)
            for at, segment in enumerate(self.segments)
            for number, a in enumerate(segment.data.articles)
            if a.doc_id not in segment.deleted
        )
        ranks = [np.full(len(s.data.articles), len(live), dtype=np.int64) for s in self.segments]
        for rank, (_, at, number) in enumerate(live):
            ranks[at][number] = rank
        return ranks

    def _order_of(self, pids: np.ndarray) -> np.ndarray:
        """Where passages `pids` come in corpus order (as sortable numbers)."""
        if self._ranks is None:
            return pids
        starts = np.array(self._starts)
        at = np.searchsorted(starts, pids, side="right") - 1
        keys = np.empty(len(pids), dtype=np.int64)
        for segment in np.unique(at).tolist():
            mine = at == segment
            local = pids[mine] - starts[segment]
            article = self.segments[segment].data.passages.article[local]
            keys[mine] = (self._ranks[segment][article] << 32) + local
        return keys

    @cached_property
    def _surface(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for segment in self.segments:
            merged.update(segment.data.surface)
        return merged

    @cached_property
    def _surface_words(self) -> list[str]:
        return sorted(self._surface)


def shelf_knowledge(knowledge: Knowledge | None) -> Knowledge:
    return knowledge if knowledge is not None else shipped_domain().knowledge()


def mapped(folder: Path, manifest: store.Manifest, previous: SearchIndex | None = None) -> SearchIndex:
    """The index `manifest` describes, its segments memory-mapped (or taken from `previous`)."""
    have = {s.name: s for s in previous.segments} if previous is not None else {}
    key = installed_key()
    segments = []
    for entry in manifest.segments:
        if entry.name in have:
            segment = have[entry.name].with_deleted(entry.deleted)
        else:
            segment = Segment(entry.name, store.load_segment(folder, entry.name), entry.deleted)
        if segment.meaning is None and key is not None:
            segment.meaning = meaning.open_meaning(folder / entry.name, key)
        segments.append(segment)
    index = SearchIndex(segments, fingerprint=manifest.id)
    if previous is not None:
        index.meaning_model = previous.meaning_model
    return index
