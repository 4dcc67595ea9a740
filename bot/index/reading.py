"""What one article contributes to an index, worked out once and remembered by its content.

Reading an article (sentences, index terms, the names it gives) depends on the article alone;
attributing its statements depends also on the people the whole corpus names, but only through the
lookups attribution made (`attribution.lookups_hold`). Both are kept in a cache folder of Citebot's own,
one JSON file per article, keyed by the article's content, the shelf's knowledge and the code's version.
A rebuild after one article is added then reads every other article from the cache and works out
again only the new one and those whose people changed, with the same result as a build from nothing.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from bot.attribution import (
    Lookup,
    People,
    Speaker,
    Statement,
    StatementKind,
    article_names,
    attribute_recorded,
    lookups_hold,
)
from bot.copies import copy_key
from bot.corpus import Article
from bot.passages import Passage, split_article
from bot.text import Analyzer

logger = logging.getLogger(__name__)

Names = list[tuple[str, str | None]]


KINDS: tuple[StatementKind, ...] = ("voice", "quoted", "reported")  # a statement's kind, by position
VOICE = 0  # KINDS.index("voice")
ROW = ("passage", "speaker", "kind", "span_start", "span_end", "said_start", "said_end")  # Attributed.rows


@dataclass(frozen=True, slots=True)
class Reading:
    """An article read on its own: its passages, their index terms and copy keys, the names it gives.

    Terms are kept as positions in the article's own vocabulary, passage after passage (`lengths` says
    how many each has), so that the index builder handles an article's terms as arrays, not strings.
    The vocabulary and the words are each one string, a line per entry (no word or term holds a line
    break): a million passages' readings are held at once while a shelf is indexed, and a Python string
    per word would take gigabytes.
    """

    paragraph: np.ndarray  # int32[passages], 1-based
    start: np.ndarray  # int32[passages]: character offsets in the article's text
    end: np.ndarray  # int32[passages]
    vocabulary_lines: str  # the article's index terms, in order of first use, one per line
    tokens: np.ndarray  # int32: each passage's terms as positions in `vocabulary`, one passage after another
    lengths: np.ndarray  # int64[passages]: how many terms each passage has
    keys: list[str]  # each passage's `copy_key`: equal for copies of a sentence, or ""
    surface_lines: str  # the words as written (folded), one per line …
    surface_terms: np.ndarray  # … and their index terms (int32 positions in `vocabulary`): for typos
    names: Names  # attribution.article_names

    def __len__(self) -> int:
        return len(self.paragraph)

    def passages(self, article: Article) -> list[Passage]:
        """The article's passages."""
        return [
            Passage(article.doc_id, int(n), int(s), int(e), article.text[int(s) : int(e)])
            for n, s, e in zip(self.paragraph, self.start, self.end, strict=True)
        ]

    @property
    def vocabulary(self) -> list[str]:
        """The article's index terms, in order of first use."""
        return _lines(self.vocabulary_lines)

    @property
    def surface_words(self) -> list[str]:
        """The words as written (folded); `surface_terms` are their terms."""
        return _lines(self.surface_lines)

    def terms(self, number: int, vocabulary: list[str] | None = None) -> list[str]:
        """The index terms of passage `number` (0-based); `vocabulary`, if given, is `self.vocabulary`."""
        words = self.vocabulary if vocabulary is None else vocabulary
        end = int(self.lengths[: number + 1].sum())
        return [words[i] for i in self.tokens[end - int(self.lengths[number]) : end]]


@dataclass(frozen=True, slots=True)
class Attributed:
    """An article's statements (`rows`, by passage, columns as in ROW; `speaker` is a position in
    `speakers`), and the lookups of people they rest on."""

    speakers: list[Speaker]
    rows: np.ndarray  # int64[statements, 7]
    lookups: list[Lookup]

    def statements(self, number: int) -> tuple[Statement, ...]:
        """The statements of passage `number` (0-based), in order."""
        first, last = np.searchsorted(self.rows[:, 0], [number, number + 1])
        return tuple(
            Statement(
                self.speakers[int(r[1])], KINDS[int(r[2])], (int(r[3]), int(r[4])), (int(r[5]), int(r[6]))
            )
            for r in self.rows[first:last]
        )


def read(article: Article, analyzer: Analyzer) -> Reading:
    """Read one article on its own."""
    passages = split_article(article)
    vocabulary: dict[str, int] = {}
    surface: dict[str, int] = {}
    tokens: list[int] = []
    lengths: list[int] = []
    for passage in passages:
        pairs = analyzer.analyse(passage.text)
        for word, term in pairs:
            position = vocabulary.setdefault(term, len(vocabulary))
            tokens.append(position)
            surface.setdefault(word, position)
        lengths.append(len(pairs))
    return Reading(
        paragraph=np.array([p.paragraph for p in passages], dtype=np.int32),
        start=np.array([p.start for p in passages], dtype=np.int32),
        end=np.array([p.end for p in passages], dtype=np.int32),
        vocabulary_lines="\n".join(vocabulary),
        tokens=np.array(tokens, dtype=np.int32),
        lengths=np.array(lengths, dtype=np.int64),
        keys=[copy_key(p.text) for p in passages],
        surface_lines="\n".join(surface),
        surface_terms=np.array(list(surface.values()), dtype=np.int32),
        names=article_names(article),
    )


def attributed(article: Article, reading: Reading, people: People) -> Attributed:
    """Who says what in one article, given the corpus's people."""
    said, lookups = attribute_recorded(article, reading.passages(article), people, reading.names)
    speakers: dict[Speaker, int] = {}
    rows = [
        [number, speakers.setdefault(s.speaker, len(speakers)), KINDS.index(s.kind), *s.span, *s.said]
        for number, statements in enumerate(said)
        for s in statements
    ]
    return Attributed(list(speakers), np.array(rows, dtype=np.int64).reshape(-1, len(ROW)), lookups)


class ReadingCache:
    """Readings and attributions of articles in `folder`, keyed by content and `salt` (code, knowledge).

    Files are written whole (a hidden file, then renamed); an unreadable one is worked out again.
    `prune` removes the files no article of the last build used.
    """

    def __init__(self, folder: Path, salt: str) -> None:
        self.folder = folder
        self.salt = salt
        self._used: set[str] = set()

    def __reduce__(self) -> tuple[type[ReadingCache], tuple[Path, str]]:
        # To a worker process goes where and how to store, not which articles this build used.
        return ReadingCache, (self.folder, self.salt)

    def reading(self, article: Article) -> tuple[Reading, Attributed] | None:
        """The cached reading of `article` and the attribution kept with it, else None."""
        key = self._key(article)
        self._used.add(key)
        try:
            record = json.loads(self._path(key).read_text(encoding="utf-8"))
            reading = _reading_from(record)
            attributed = _attributed_from(record)
            if len(attributed.rows) and int(attributed.rows[:, 0].max()) >= len(reading):
                raise ValueError("inconsistent statements")
            return reading, attributed
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            logger.debug("cached reading of %s not used (%s)", article.doc_id, exc)
            return None

    def store(self, article: Article, reading: Reading, attributed: Attributed) -> None:
        """Remember `article`'s reading and attribution (a failure to write only costs time later)."""
        key = self._key(article)
        self._used.add(key)
        record = _reading_record(reading) | _attributed_record(attributed)
        path = self._path(key)
        staging = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            staging.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
            os.replace(staging, path)  # our own cache file: replacing it is ours to do
        except OSError as exc:
            staging.unlink(missing_ok=True)
            logger.debug("could not cache the reading of %s (%s)", article.doc_id, exc)

    def prune(self) -> None:
        """Remove cached readings that no article used since this cache object was made, and files a
        killed build left half-written."""
        if not self.folder.is_dir():
            return
        for path in self.folder.glob("??/*"):
            stale = path.name.startswith(".") or (path.suffix == ".json" and path.stem not in self._used)
            if stale and path.is_file():
                path.unlink(missing_ok=True)

    def _key(self, article: Article) -> str:
        digest = hashlib.blake2b(self.salt.encode(), digest_size=16)
        content = [
            article.doc_id,
            article.title,
            article.outlet,
            article.author,
            article.author_role,
            article.date,
            article.url,
            list(article.page_starts),
            [list(p) for p in article.paragraphs],
        ]
        digest.update(json.dumps(content, ensure_ascii=False).encode())
        digest.update(article.text.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"


def keep_attribution(cached: Attributed | None, people: People) -> bool:
    """A cached attribution still holds with these people."""
    return cached is not None and lookups_hold(cached.lookups, people)


# -- JSON records ----------------------------------------------------------------------------


def _reading_record(reading: Reading) -> dict[str, Any]:
    return {
        "paragraph": reading.paragraph.tolist(),
        "start": reading.start.tolist(),
        "end": reading.end.tolist(),
        "vocabulary": reading.vocabulary_lines,
        "tokens": _array_record(reading.tokens),
        "lengths": reading.lengths.tolist(),
        "keys": reading.keys,
        "surface_words": reading.surface_lines,
        "surface_terms": _array_record(reading.surface_terms),
        "names": [list(n) for n in reading.names],
    }


def _reading_from(record: dict[str, Any]) -> Reading:
    reading = Reading(
        paragraph=np.array(record["paragraph"], dtype=np.int32),
        start=np.array(record["start"], dtype=np.int32),
        end=np.array(record["end"], dtype=np.int32),
        vocabulary_lines=str(record["vocabulary"]),
        tokens=_array_from(record["tokens"]),
        lengths=np.array(record["lengths"], dtype=np.int64),
        keys=list(record["keys"]),
        surface_lines=str(record["surface_words"]),
        surface_terms=_array_from(record["surface_terms"]),
        names=[(name, role) for name, role in record["names"]],
    )
    n = len(reading)
    if not (len(reading.start) == len(reading.end) == len(reading.lengths) == len(reading.keys) == n):
        raise ValueError("inconsistent passages")
    if int(reading.lengths.sum()) != len(reading.tokens) or len(reading.surface_words) != len(
        reading.surface_terms
    ):
        raise ValueError("inconsistent terms")
    if len(reading.tokens) and not 0 <= int(reading.tokens.min()) <= int(reading.tokens.max()) < len(
        reading.vocabulary
    ):
        raise ValueError("inconsistent terms")
    return reading


def _attributed_record(attributed: Attributed) -> dict[str, Any]:
    return {
        "speakers": [[s.name, s.kind, s.role, s.role_first, s.key] for s in attributed.speakers],
        "rows": attributed.rows.ravel().tolist(),
        "lookups": [list(lookup) for lookup in attributed.lookups],
    }


def _attributed_from(record: dict[str, Any]) -> Attributed:
    speakers = [
        Speaker(name, kind, role, bool(role_first), key)
        for name, kind, role, role_first, key in record["speakers"]
    ]
    rows = np.array(record["rows"], dtype=np.int64).reshape(-1, len(ROW))
    if len(rows) and not (rows[:, 1].min() >= 0 and rows[:, 1].max() < len(speakers)):
        raise ValueError("inconsistent statements")
    if len(rows) and not (rows[:, 2].min() >= 0 and rows[:, 2].max() < len(KINDS)):
        raise ValueError("inconsistent statements")
    return Attributed(speakers, rows, lookups_from(record["lookups"]))


def lookups_from(record: list[Any]) -> list[Lookup]:
    """Lookups of people from their JSON form."""
    return [
        (
            method,
            name,
            None if local is None else tuple((s, k) for s, k in local),
            None if found is None else (found[0], found[1], found[2]),
        )
        for method, name, local, found in record
    ]


def _lines(text: str) -> list[str]:
    return text.split("\n") if text else []


def _array_record(values: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(values, dtype="<i4").tobytes()).decode("ascii")


def _array_from(encoded: str) -> np.ndarray:
    return np.frombuffer(base64.b64decode(encoded), dtype="<i4").astype(np.int32)
