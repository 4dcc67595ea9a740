"""Build an index from a corpus: passages, statements and BM25 postings, all as flat arrays.

Arrays (not a Python object per passage) keep a million passages within memory, let the index be
saved and memory-mapped back in seconds, and let several server processes share one copy.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bot.attribution import (
    Lookup,
    People,
    Person,
    Speaker,
    Statement,
    people_of,
    speaker_key,
    voice_of,
)
from bot.copies import closest, key_numbers, same_story
from bot.corpus import Article, ArticleInfo, Corpus
from bot.domain import Knowledge
from bot.index.engine import Postings
from bot.index.reading import (
    ROW,
    VOICE,
    Attributed,
    Names,
    Reading,
    ReadingCache,
    keep_attribution,
)
from bot.index.workers import Progress, Workers
from bot.text import Analyzer


@dataclass(frozen=True)
class PassageTable:
    """Where each passage is: its article, paragraph, character offsets, and bytes in the text blob."""

    article: np.ndarray  # int32[passages]: index into IndexData.articles
    paragraph: np.ndarray  # int32[passages], 1-based
    start: np.ndarray  # int32[passages]: character offsets in the article's text
    end: np.ndarray  # int32[passages]
    byte_start: np.ndarray  # int64[passages]: the passage's UTF-8 bytes in IndexData.text
    byte_end: np.ndarray  # int64[passages]


@dataclass(frozen=True)
class StatementTable:
    """Attributed statements by passage; a passage's own-voice statement is implied by `voice`."""

    indptr: np.ndarray  # int64[passages + 1]: passage p's statements are rows [indptr[p], indptr[p + 1])
    speaker: np.ndarray  # int32[statements]: index into IndexData.speakers
    kind: np.ndarray  # int8[statements]: index into KINDS
    span: np.ndarray  # int32[statements, 2]: what to quote, character offsets in the article
    said: np.ndarray  # int32[statements, 2]: the words attributed
    voice: np.ndarray  # bool[passages]: the passage also speaks in its article's voice


@dataclass(frozen=True)
class SpeakerTable:
    """Every statement of each speaker, so that "what did X say" reads a slice, not the whole index.

    Speaker keys (`speaker_key`) are listed in `keys`; speaker k's statements are rows
    [indptr[k], indptr[k + 1]) of `passage` and `row` (a row of StatementTable, or -1 for an author
    speaking in their article's own voice), in passage order.
    """

    keys: list[str]
    indptr: np.ndarray  # int64[keys + 1]
    passage: np.ndarray  # int32[entries]
    row: np.ndarray  # int64[entries]


@dataclass(frozen=True)
class IndexData:
    """Everything an index holds; what the store saves and maps back."""

    articles: list[ArticleInfo]
    text: Any  # bytes, or an mmap of them: every article's text in UTF-8, one after another
    passages: PassageTable
    postings: Postings
    vocabulary: list[str]
    surface: list[tuple[str, str]]  # (corpus word, its index term), for correcting typos
    statements: StatementTable
    speakers: list[Speaker]
    people: list[Person]
    fingerprint: str  # of the corpus's files and the knowledge it was built with
    by_speaker: SpeakerTable
    knowledge: Knowledge
    records: ArticleRecords | None = None  # kept for updating the index; not loaded to answer


@dataclass(frozen=True)
class ArticleRecords:
    """What an update of the index needs to know of each article without reading it again."""

    names: list[Names]  # the people each names (the shelf's people come from every article's)
    lookups: list[list[Lookup]]  # the lookups of people its attribution rests on
    keys: np.ndarray  # uint64: copy keys of its passages (every one, indexed or not) …
    key_article: np.ndarray  # int32: … and the article each is from


def build(
    corpus: Corpus,
    knowledge: Knowledge,
    progress: Progress | None = None,
    cache: ReadingCache | None = None,
    workers: int | None = None,
    people: People | None = None,
) -> IndexData:
    """Split, attribute and index every article of `corpus`.

    Articles are read oldest first, and a passage already indexed from an earlier article is not indexed
    again: the same story saved twice, or syndicated, gives each quote once, cited to its first
    appearance, and the copies are noted on each other ("also in"). `knowledge` is the shelf's aliases
    and epithets (the domain file's). `cache` keeps each article's reading and attribution: a rebuild
    works out again only articles that are new or changed, or whose people changed. Reading and
    attributing run in `workers` processes (default: one per core) when there is enough to do; the
    index is the same whatever their number. `people`, when given, are the people of a larger shelf
    that `corpus` is part of (for a segment of its index); by default, those `corpus` names.
    """
    analyzer = Analyzer(knowledge.aliases)
    articles = sorted(corpus.articles, key=lambda a: (a.date is None, a.date or "", a.doc_id))
    readings, said_by, people = _read_and_attribute(articles, knowledge, progress, cache, workers, people)
    records = _records(readings, said_by)
    first_seen: dict[str, int] = {}  # a passage's copy key -> the article it was indexed from
    copies: dict[int, set[int]] = {}
    vocabulary: defaultdict[str, int] = defaultdict(itertools.count().__next__)  # term -> id, in order seen
    surface: dict[str, str] = {}
    speakers: dict[Speaker, int] = {}
    parts = _Parts()
    blob: list[bytes] = []
    blob_size, n_docs = 0, 0
    for number, article in enumerate(articles):
        # Each article's reading is let go once its arrays are joined: memory holds one copy, not two.
        reading, said = readings.pop(number), said_by.pop(number)
        # A passage already indexed from an earlier article (a copy of its sentence) is left out.
        kept = np.ones(len(reading), dtype=bool)
        owners: list[int] = []  # for each keyed passage, the earlier article holding it, or -1
        for at, key in enumerate(reading.keys):
            if key:
                earlier = first_seen.setdefault(key, number)
                owners.append(earlier if earlier != number else -1)
                kept[at] = earlier == number
        original, share = closest(owners)
        if original is not None and same_story(share):
            copies.setdefault(original, set()).add(number)
            copies.setdefault(number, set()).add(original)
        encoded = article.text.encode("utf-8")
        pids = np.full(len(reading), -1, dtype=np.int64)
        pids[kept] = np.arange(n_docs, n_docs + int(kept.sum()))
        parts.add_passages(number, reading, kept, _byte_offsets(article.text, encoded) + blob_size)
        local = reading.vocabulary  # split once: for the terms and for the words
        parts.add_terms(_terms(analyzer, reading, local, said, kept, pids, vocabulary))
        parts.add_statements(said, kept, pids, speakers)
        n_docs += int(kept.sum())
        surface.update(
            zip(
                reading.surface_words,
                map(local.__getitem__, reading.surface_terms.tolist()),
                strict=True,
            )
        )
        blob.append(encoded)
        blob_size += len(encoded)
    token_terms, token_docs = parts.terms()
    postings = Postings.build(token_terms, token_docs, len(vocabulary), n_docs)
    infos = [
        replace(a.info, also_in=tuple(sorted(articles[c].doc_id for c in copies.get(n, ()))))
        for n, a in enumerate(articles)
    ]
    statement_table = parts.statement_table(n_docs)
    passages = parts.passage_table()
    return IndexData(
        articles=infos,
        text=b"".join(blob),
        passages=passages,
        postings=postings,
        vocabulary=list(vocabulary),
        surface=sorted(surface.items()),
        statements=statement_table,
        speakers=list(speakers),
        people=list(people),
        fingerprint=index_fingerprint(corpus.fingerprint, knowledge),
        by_speaker=speaker_table(
            statement_table, list(speakers), [voice_of(a) for a in infos], passages.article
        ),
        knowledge=knowledge,
        records=records,
    )


def _records(readings: dict[int, Reading], said_by: dict[int, Attributed]) -> ArticleRecords:
    keys = [key_numbers(readings[n].keys) for n in range(len(readings))]
    return ArticleRecords(
        names=[readings[n].names for n in range(len(readings))],
        lookups=[said_by[n].lookups for n in range(len(readings))],
        keys=np.concatenate(keys) if keys else np.zeros(0, dtype=np.uint64),
        key_article=np.repeat(np.arange(len(keys), dtype=np.int32), [len(ks) for ks in keys]),
    )


def _read_and_attribute(
    articles: Sequence[Article],
    knowledge: Knowledge,
    progress: Progress | None,
    cache: ReadingCache | None,
    workers: int | None,
    people: People | None = None,
) -> tuple[dict[int, Reading], dict[int, Attributed], People]:
    """Each article's reading and statements (by position in `articles`), and the corpus's people
    (`people` if given): from the cache where it has them and they still hold, else worked out on
    every core."""
    cached = [cache.reading(a) if cache is not None else None for a in articles]
    with Workers(articles, knowledge, workers) as pool:
        fresh = pool.read([n for n, c in enumerate(cached) if c is None], progress)
        readings = {n: c[0] if c is not None else fresh[n] for n, c in enumerate(cached)}
        if people is None:
            people = people_of((r.names for r in readings.values()), knowledge.epithets)
        stale = [n for n, c in enumerate(cached) if c is None or not keep_attribution(c[1], people)]
        said_by = {n: c[1] for n, c in enumerate(cached) if c is not None}
        said_by.update(pool.attribute(stale, readings, people, cache))
    return readings, said_by, people


def index_fingerprint(corpus_fingerprint: str, knowledge: Knowledge) -> str:
    """What a saved index must match to be used: the corpus's files and the shelf's knowledge."""
    return f"{corpus_fingerprint}:{knowledge.fingerprint}"


def speaker_table(
    statements: StatementTable, speakers: list[Speaker], voices: list[Speaker], article_of: np.ndarray
) -> SpeakerTable:
    """Group statements by speaker key: attributed rows, and passages where an author speaks."""
    keys: dict[str, int] = {}
    speaker_ids = np.array([keys.setdefault(speaker_key(s), len(keys)) for s in speakers], dtype=np.int64)
    voice_ids = np.array(
        [keys.setdefault(speaker_key(v), len(keys)) if v.kind == "author" else -1 for v in voices],
        dtype=np.int64,
    )
    rows = np.arange(len(statements.speaker), dtype=np.int64)
    row_passage = np.searchsorted(statements.indptr, rows, side="right") - 1
    voiced = np.flatnonzero(statements.voice)
    voiced = voiced[voice_ids[article_of[voiced]] >= 0]
    key = np.concatenate([speaker_ids[statements.speaker], voice_ids[article_of[voiced]]])
    passage = np.concatenate([row_passage, voiced]).astype(np.int32)
    row = np.concatenate([rows, np.full(len(voiced), -1, dtype=np.int64)])
    # By key, then passage; a passage's attributed statements before its author's voice.
    order = np.lexsort((row < 0, passage, key))
    indptr = np.zeros(len(keys) + 1, dtype=np.int64)
    np.cumsum(np.bincount(key, minlength=len(keys)), out=indptr[1:])
    return SpeakerTable(list(keys), indptr, passage[order], row[order])


def passage_terms(analyzer: Analyzer, terms: list[str], statements: Sequence[Statement]) -> list[str]:
    """A passage's terms plus the name of a person it quotes but names only as "he" or an epithet."""
    present = set(terms)
    for statement in statements:
        if statement.kind != "voice" and statement.speaker.kind == "person":
            terms.extend(t for t in analyzer.tokenize(statement.speaker.name) if t not in present)
            present.update(terms)
    return terms


class _Parts:
    """The index's arrays, gathered article by article and joined at the end."""

    def __init__(self) -> None:
        self.passages: dict[str, list[np.ndarray]] = {name: [] for name in _PASSAGE_COLUMNS}
        self.token_terms: list[np.ndarray] = []
        self.token_docs: list[np.ndarray] = []
        self.statements: list[np.ndarray] = []  # rows as in reading.ROW, passage and speaker global
        self.voice: list[np.ndarray] = []

    def add_passages(self, number: int, reading: Reading, kept: np.ndarray, byte_at: np.ndarray) -> None:
        start, end = reading.start[kept], reading.end[kept]
        columns = {
            "article": np.full(len(start), number, dtype=np.int32),
            "paragraph": reading.paragraph[kept],
            "start": start,
            "end": end,
            "byte_start": byte_at[start],
            "byte_end": byte_at[end],
        }
        for name, values in columns.items():
            self.passages[name].append(values)

    def add_terms(self, terms_and_docs: tuple[np.ndarray, np.ndarray]) -> None:
        self.token_terms.append(terms_and_docs[0])
        self.token_docs.append(terms_and_docs[1])

    def add_statements(
        self, said: Attributed, kept: np.ndarray, pids: np.ndarray, speakers: dict[Speaker, int]
    ) -> None:
        """The attributed statements of the kept passages; `speakers` numbers each speaker on first use."""
        rows = said.rows
        passage = rows[:, 0]
        # A passage speaks in its article's voice unless a statement covers the whole of what it says.
        speaks = (rows[:, 2] != VOICE) & (rows[:, 3] == rows[:, 5]) & (rows[:, 4] == rows[:, 6])
        spoken = np.bincount(passage[speaks], minlength=len(kept)) > 0
        self.voice.append(~spoken[kept])
        attributed_rows = rows[(rows[:, 2] != VOICE) & kept[passage]].copy()
        attributed_rows[:, 0] = pids[attributed_rows[:, 0]]
        used, first = np.unique(attributed_rows[:, 1], return_index=True)
        ids = np.zeros(len(said.speakers), dtype=np.int64)
        for at in used[np.argsort(first, kind="stable")]:
            ids[at] = speakers.setdefault(said.speakers[at], len(speakers))
        attributed_rows[:, 1] = ids[attributed_rows[:, 1]]
        self.statements.append(attributed_rows)

    def terms(self) -> tuple[np.ndarray, np.ndarray]:
        """Every (term id, passage id), joined; the parts are let go (the postings need the memory)."""
        terms, docs = _joined(self.token_terms, np.int32), _joined(self.token_docs, np.int32)
        self.token_terms, self.token_docs = [], []
        return terms, docs

    def passage_table(self) -> PassageTable:
        return PassageTable(
            **{name: _joined(parts, _PASSAGE_COLUMNS[name]) for name, parts in self.passages.items()}
        )

    def statement_table(self, n_docs: int) -> StatementTable:
        rows = np.concatenate(self.statements) if self.statements else np.zeros((0, len(ROW)), np.int64)
        indptr = np.zeros(n_docs + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows[:, 0], minlength=n_docs), out=indptr[1:])
        return StatementTable(
            indptr=indptr,
            speaker=rows[:, 1].astype(np.int32),
            kind=rows[:, 2].astype(np.int8),
            span=np.ascontiguousarray(rows[:, 3:5], dtype=np.int32),
            said=np.ascontiguousarray(rows[:, 5:7], dtype=np.int32),
            voice=_joined(self.voice, np.bool_),
        )


_PASSAGE_COLUMNS = {
    "article": np.int32,
    "paragraph": np.int32,
    "start": np.int32,
    "end": np.int32,
    "byte_start": np.int64,
    "byte_end": np.int64,
}


def _joined(parts: list[np.ndarray], dtype: Any) -> np.ndarray:
    return np.concatenate(parts).astype(dtype, copy=False) if parts else np.zeros(0, dtype=dtype)


def _byte_offsets(text: str, encoded: bytes) -> np.ndarray:
    """For each character offset of `text` (and its end), the offset of its UTF-8 bytes."""
    if len(encoded) == len(text):
        return np.arange(len(text) + 1, dtype=np.int64)
    points = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    sizes = 1 + (points >= 0x80).astype(np.int64) + (points >= 0x800) + (points >= 0x10000)
    offsets = np.zeros(len(text) + 1, dtype=np.int64)
    np.cumsum(sizes, out=offsets[1:])
    return offsets


def _terms(
    analyzer: Analyzer,
    reading: Reading,
    local: list[str],
    said: Attributed,
    kept: np.ndarray,
    pids: np.ndarray,
    vocabulary: defaultdict[str, int],
) -> tuple[np.ndarray, np.ndarray]:
    """(term id, passage id) for each term of the kept passages; new terms get ids in order of use.
    `local` is `reading.vocabulary`."""
    lengths = reading.lengths
    # A passage that quotes a person it names only as "he" or by an epithet gets the person's name too.
    extra: dict[int, list[str]] = {}
    for number in np.unique(said.rows[said.rows[:, 2] != VOICE, 0]):
        if kept[number]:
            terms = reading.terms(int(number), local)
            added = passage_terms(analyzer, list(terms), said.statements(int(number)))[len(terms) :]
            if added:
                extra[int(number)] = added
    if not extra:
        stream = reading.tokens[np.repeat(kept, lengths)]
        doc_ids = np.repeat(pids[kept], lengths[kept])
    else:
        position = {term: i for i, term in enumerate(local)}
        ends = np.cumsum(lengths)
        chunks, docs = [], []
        for number in np.flatnonzero(kept):
            chunk = reading.tokens[int(ends[number] - lengths[number]) : int(ends[number])]
            if int(number) in extra:
                names = [position.setdefault(t, len(position)) for t in extra[int(number)]]
                chunk = np.concatenate([chunk, np.array(names, dtype=np.int32)])
            chunks.append(chunk)
            docs.append(np.full(len(chunk), pids[number], dtype=np.int64))
        local = list(position)
        stream = np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int32)
        doc_ids = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
    # Global ids in order of first use, as a build term by term would give them.
    used, first = np.unique(stream, return_index=True)
    order = used[np.argsort(first, kind="stable")].tolist()
    ids = np.zeros(len(local), dtype=np.int32)
    ids[order] = list(map(vocabulary.__getitem__, map(local.__getitem__, order)))
    return ids[stream], doc_ids.astype(np.int32)
