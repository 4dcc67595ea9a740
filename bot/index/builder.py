"""Build an index from a corpus: passages, statements and BM25 postings, all as flat arrays.

Arrays (not a Python object per passage) keep a million passages within memory, let the index be
saved and memory-mapped back in seconds, and let several server processes share one copy.
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np

from bot.attribution import (
    Person,
    Speaker,
    Statement,
    article_names,
    attribute,
    people_of,
    speaker_key,
    speaks_for_passage,
    voice_of,
)
from bot.corpus import ArticleInfo, Corpus
from bot.domain import Knowledge
from bot.index.engine import Postings
from bot.passages import split_article
from bot.text import Analyzer, same_text_key

Progress = Callable[[int, int], None]  # (articles done, articles in all)

KINDS = ("voice", "quoted", "reported")  # a statement's kind, stored as its position here


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


SAME_STORY = 0.5  # an article with at least this share of its passages in an earlier one is a copy of it
MIN_DUPLICATE_CHARS = 30  # shorter sentences ("Kyiv disagrees.") may repeat without being copies


def build(corpus: Corpus, knowledge: Knowledge, progress: Progress | None = None) -> IndexData:
    """Split, attribute and index every article of `corpus`.

    Articles are read oldest first, and a passage already indexed from an earlier article is not indexed
    again: the same story saved twice, or syndicated, gives each quote once, cited to its first
    appearance, and the copies are noted on each other ("also in"). `knowledge` is the shelf's aliases
    and epithets (the domain file's).
    """
    analyzer = Analyzer(knowledge.aliases)
    articles = sorted(corpus.articles, key=lambda a: (a.date is None, a.date or "", a.doc_id))
    names = [article_names(article) for article in articles]
    people = people_of(names, knowledge.epithets)
    first_seen: dict[str, int] = {}  # a passage's normalised text -> the article it was indexed from
    copies: dict[int, set[int]] = {}
    vocabulary: dict[str, int] = {}
    surface: dict[str, str] = {}
    speakers: dict[Speaker, int] = {}
    token_terms, token_docs = array("i"), array("i")
    p_article, p_paragraph, p_start, p_end = array("i"), array("i"), array("i"), array("i")
    p_byte_start, p_byte_end = array("q"), array("q")
    s_indptr, s_speaker, s_kind, s_span, s_said = (
        array("q", [0]),
        array("i"),
        array("b"),
        array("i"),
        array("i"),
    )
    voice = array("b")
    blob: list[bytes] = []
    blob_size = 0
    total = len(articles)
    for number, article in enumerate(articles):
        passages = split_article(article)
        encoded = article.text.encode("utf-8")
        ascii_text = len(encoded) == len(article.text)
        char_at, byte_at = 0, 0
        repeated: Counter[int] = Counter()
        for passage, said in zip(passages, attribute(article, passages, people, names[number]), strict=True):
            key = same_text_key(passage.text)
            if len(key) >= MIN_DUPLICATE_CHARS:
                earlier = first_seen.setdefault(key, number)
                if earlier != number:
                    repeated[earlier] += 1
                    continue
            pid = len(p_article)
            if not ascii_text:
                byte_at += len(article.text[char_at : passage.start].encode("utf-8"))
                char_at = passage.start
            start_byte = passage.start if ascii_text else byte_at
            pairs = analyzer.analyse(passage.text)
            surface.update(pairs)
            ids = [
                vocabulary.setdefault(term, len(vocabulary))
                for term in passage_terms(analyzer, [t for _, t in pairs], said)
            ]
            token_terms.extend(ids)
            token_docs.extend([pid] * len(ids))
            p_article.append(number)
            p_paragraph.append(passage.paragraph)
            p_start.append(passage.start)
            p_end.append(passage.end)
            p_byte_start.append(blob_size + start_byte)
            p_byte_end.append(blob_size + start_byte + len(passage.text.encode("utf-8")))
            for statement in said:
                if statement.kind == "voice":
                    continue
                s_speaker.append(speakers.setdefault(statement.speaker, len(speakers)))
                s_kind.append(KINDS.index(statement.kind))
                s_span.extend(statement.span)
                s_said.extend(statement.said)
            s_indptr.append(len(s_speaker))
            voice.append(not any(speaks_for_passage(s) for s in said))
        if repeated:
            original, count = repeated.most_common(1)[0]
            if count >= SAME_STORY * len(passages):
                copies.setdefault(original, set()).add(number)
                copies.setdefault(number, set()).add(original)
        blob.append(encoded)
        blob_size += len(encoded)
        if progress is not None:
            progress(number + 1, total)
    n_docs = len(p_article)
    postings = Postings.build(
        np.frombuffer(token_terms, dtype=np.int32),
        np.frombuffer(token_docs, dtype=np.int32),
        len(vocabulary),
        n_docs,
    )
    infos = [
        replace(a.info, also_in=tuple(sorted(articles[c].doc_id for c in copies.get(n, ()))))
        for n, a in enumerate(articles)
    ]
    statement_table = StatementTable(
        indptr=np.frombuffer(s_indptr, dtype=np.int64),
        speaker=np.frombuffer(s_speaker, dtype=np.int32),
        kind=np.frombuffer(s_kind, dtype=np.int8),
        span=np.frombuffer(s_span, dtype=np.int32).reshape(-1, 2),
        said=np.frombuffer(s_said, dtype=np.int32).reshape(-1, 2),
        voice=np.frombuffer(voice, dtype=np.int8).astype(bool),
    )
    article_of = np.frombuffer(p_article, dtype=np.int32)
    return IndexData(
        articles=infos,
        text=b"".join(blob),
        passages=PassageTable(
            article=np.frombuffer(p_article, dtype=np.int32),
            paragraph=np.frombuffer(p_paragraph, dtype=np.int32),
            start=np.frombuffer(p_start, dtype=np.int32),
            end=np.frombuffer(p_end, dtype=np.int32),
            byte_start=np.frombuffer(p_byte_start, dtype=np.int64),
            byte_end=np.frombuffer(p_byte_end, dtype=np.int64),
        ),
        postings=postings,
        vocabulary=list(vocabulary),
        surface=sorted(surface.items()),
        statements=statement_table,
        speakers=list(speakers),
        people=list(people),
        fingerprint=index_fingerprint(corpus.fingerprint, knowledge),
        by_speaker=speaker_table(statement_table, list(speakers), [voice_of(a) for a in infos], article_of),
        knowledge=knowledge,
    )


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
