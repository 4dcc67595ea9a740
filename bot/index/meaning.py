"""Each segment's passages by meaning: their vectors, stored beside the segment's arrays and filled in
after the segment is written, so a shelf is answerable by words at once and by meaning as they fill.

In a segment's folder, for the model `key` (its name and version, so a new model re-embeds):
`meaning-KEY.npy` (int8 rows), `meaning-KEY.scale.npy` (one float32 scale per row) and
`meaning-KEY.filled` (one int64: rows 0 … filled-1 hold vectors). The arrays are created at full size,
rows are written in order and flushed before the count moves, so a reader (another process, memory
mapping the same files) never uses a row that is not written. Passages of deleted articles are left as
zero rows. One process fills a folder at a time (`meaning.lock`); a filler stopped at any moment
resumes at its count.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from threading import Event

import numpy as np

from bot.errors import IndexUnusable
from bot.index import store
from bot.index.builder import IndexData
from bot.index.segments import Segment
from bot.meaning import DIMS, Model, quantise

logger = logging.getLogger(__name__)

LOCK = "meaning.lock"
PREFIX = "meaning-"
IDLE_SECONDS = 30.0  # between looks for passages without vectors, unless woken
RETRY_SECONDS = 2.0  # … while another process is filling them
LOOK_SECONDS = 5.0  # between looks at the pace while a command waits for the vectors
BATCH = 32  # passages embedded, written and counted at a time (about two seconds on 2 cores)


@dataclass(frozen=True)
class SegmentMeaning:
    """A segment's vectors (int8, one scale per row) and how many rows are filled."""

    vectors: np.ndarray
    scales: np.ndarray
    counter: np.ndarray  # int64[1], memory-mapped when saved: follows the filler in another process

    @property
    def filled(self) -> int:
        return int(self.counter[0])

    @classmethod
    def in_memory(cls, vectors: np.ndarray) -> SegmentMeaning:
        """Vectors computed here and kept in memory (an index that is not saved)."""
        rows, scales = quantise(vectors)
        return cls(rows, scales, np.array([len(rows)], dtype=np.int64))


def _paths(segment: Path, key: str) -> tuple[Path, Path, Path]:
    stem = f"{PREFIX}{key}"
    return segment / f"{stem}.npy", segment / f"{stem}.scale.npy", segment / f"{stem}.filled"


def open_meaning(segment: Path, key: str) -> SegmentMeaning | None:
    """The segment's vectors for model `key`, memory-mapped; None when none are stored (yet)."""
    vectors, scales, filled = _paths(segment, key)
    try:
        return SegmentMeaning(
            np.load(vectors, mmap_mode="r", allow_pickle=False),
            np.load(scales, mmap_mode="r", allow_pickle=False),
            np.memmap(filled, dtype=np.int64, mode="r", shape=(1,)),
        )
    except (OSError, ValueError):
        return None


def _create(segment: Path, key: str, rows: int) -> SegmentMeaning:
    """Empty vectors for `rows` passages (other models' vectors in the segment are removed)."""
    for old in segment.glob(f"{PREFIX}*"):
        if not old.name.startswith(f"{PREFIX}{key}."):
            old.unlink(missing_ok=True)
    vectors, scales, filled = _paths(segment, key)
    if filled.exists():
        existing = open_meaning(segment, key)
        if existing is not None and len(existing.vectors) == rows:
            return _writable(segment, key)
    np.lib.format.open_memmap(vectors, mode="w+", dtype=np.int8, shape=(rows, DIMS)).flush()
    np.lib.format.open_memmap(scales, mode="w+", dtype=np.float32, shape=(rows,)).flush()
    np.memmap(filled, dtype=np.int64, mode="w+", shape=(1,)).flush()
    return _writable(segment, key)


def _writable(segment: Path, key: str) -> SegmentMeaning:
    vectors, scales, filled = _paths(segment, key)
    return SegmentMeaning(
        np.load(vectors, mmap_mode="r+", allow_pickle=False),
        np.load(scales, mmap_mode="r+", allow_pickle=False),
        np.memmap(filled, dtype=np.int64, mode="r+", shape=(1,)),
    )


@contextmanager
def _filling(folder: Path) -> Iterator[bool]:
    """Hold the folder's fill lock if no other process does; yields whether it is held."""
    with (folder / LOCK).open("a") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def passage_texts(data: IndexData, rows: Iterable[int]) -> list[str]:
    """The text of passages `rows` of a segment."""
    table, text = data.passages, data.text
    return [bytes(text[int(table.byte_start[r]) : int(table.byte_end[r])]).decode("utf-8") for r in rows]


Report = Callable[[int, int], None]  # (rows embedded in this run, rows still to embed when it began)


def fill(folder: Path, model: Model, *, stop: Event | None = None, report: Report | None = None) -> int:
    """Embed the passages of the saved index in `folder` that have no vector yet, segment by segment;
    returns how many were embedded (0 when another process is filling this folder)."""
    if not store.owned(folder) or not folder.is_dir():
        return 0
    with _filling(folder) as held:
        if not held:
            return 0
        try:
            entries = store.read_manifest(folder).segments
        except IndexUnusable:
            return 0
        plan = []
        for entry in entries:
            have = open_meaning(folder / entry.name, model.key)
            try:
                data = store.load_segment(folder, entry.name)
            except IndexUnusable:
                continue
            rows = len(data.passages.article)
            done = have.filled if have is not None and len(have.vectors) == rows else 0
            if done < rows:
                plan.append((entry, data, done))
        todo = sum(len(data.passages.article) - done for _, data, done in plan)
        embedded = 0
        started = time.monotonic()
        for entry, data, _ in plan:
            try:
                embedded += _fill_segment(
                    folder / entry.name, data, entry.deleted, model, stop, report, todo, embedded
                )
            except OSError as exc:  # a merge removed the segment meanwhile, or the disk is full
                logger.warning("meaning of segment %s not stored (%s)", entry.name, exc)
            if stop is not None and stop.is_set():
                break
        if embedded:
            seconds = time.monotonic() - started
            logger.info(
                "embedded %d passages in %.0f s (%.1f passages a second)",
                embedded,
                seconds,
                embedded / seconds if seconds else 0.0,
            )
        return embedded


def _fill_segment(
    path: Path,
    data: IndexData,
    deleted: list[str],
    model: Model,
    stop: Event | None,
    report: Report | None,
    todo: int,
    before: int,
) -> int:
    rows = len(data.passages.article)
    meaning = _create(path, model.key, rows)
    alive = Segment(path.name, data, deleted).alive
    start = meaning.filled
    for at in range(start, rows, BATCH):
        if stop is not None and stop.is_set():
            break
        batch = range(at, min(rows, at + BATCH))
        live = [r for r in batch if alive is None or alive[r]]
        vectors = np.zeros((len(batch), DIMS), dtype=np.float32)
        if live:
            vectors[[r - at for r in live]] = model.passages(passage_texts(data, live))
        ints, scales = quantise(vectors)
        meaning.vectors[batch.start : batch.stop] = ints
        meaning.scales[batch.start : batch.stop] = scales
        _flush(meaning.vectors, meaning.scales)
        meaning.counter[0] = batch.stop  # only once the rows are written: readers trust the count
        _flush(meaning.counter)
        if report is not None:
            report(before + batch.stop - start, todo)
    return meaning.filled - start


def _flush(*arrays: np.ndarray) -> None:
    for array in arrays:
        if isinstance(array, np.memmap):
            array.flush()


def embed_in_memory(segments: list[Segment], model: Model) -> None:
    """Give segments that are not saved their vectors, computed now (tests, `save=False`)."""
    for segment in segments:
        rows = range(len(segment))
        segment.meaning = SegmentMeaning.in_memory(model.passages(passage_texts(segment.data, rows)))


BLOCK = 65_536  # rows made float at a time when numba is not there


@cache
def _kernel() -> Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], None] | None:
    """A compiled similarity scan (numba, both cores), or None to use numpy: numpy has no int8 x float
    product, so it must make each block float first, about ten times slower at a million passages."""
    try:
        from numba import njit, prange
    except Exception:  # not installed or not loadable here: numpy does the same, slower
        return None

    @njit(parallel=True, fastmath=True, cache=False)
    def scan(rows: np.ndarray, scales: np.ndarray, query: np.ndarray, out: np.ndarray) -> None:
        for i in prange(rows.shape[0]):
            total = np.float32(0.0)
            for j in range(rows.shape[1]):
                total += np.float32(rows[i, j]) * query[j]
            out[i] = total * scales[i]

    return scan


def warm() -> None:
    """Compile the scan now (a second or two), not on the first question asked."""
    kernel = _kernel()
    if kernel is not None:
        kernel(
            np.zeros((1, DIMS), np.int8),
            np.ones(1, np.float32),
            np.zeros(DIMS, np.float32),
            np.zeros(1, np.float32),
        )


def similarities(stored: SegmentMeaning, query: np.ndarray, out: np.ndarray) -> None:
    """Write each filled row's cosine similarity to `query` into `out` (as long as the filled rows)."""
    rows, scales = stored.vectors[: len(out)], stored.scales[: len(out)]
    kernel = _kernel()
    if kernel is not None:
        kernel(rows, scales, query, out)
        return
    for at in range(0, len(out), BLOCK):
        end = min(len(out), at + BLOCK)
        out[at:end] = (np.asarray(rows[at:end], dtype=np.float32) @ query) * scales[at:end]


def filled(segments: list[Segment]) -> tuple[int, int]:
    """(passages with vectors, passages) over `segments`."""
    have = sum(s.meaning.filled for s in segments if s.meaning is not None)
    return have, sum(len(s) for s in segments)


class Filler:
    """Fills a saved index's vectors in a background thread, and hands the vectors to the index being
    answered from (`segments()`) as they are written; `wake()` after the index gains a segment."""

    def __init__(
        self,
        folder: Path,
        model: Model,
        segments: Callable[[], list[Segment]],
        report: Report | None = None,
    ) -> None:
        self.folder, self.model, self._segments, self._report = folder, model, segments, report
        self._stop, self._wake, self._idle = Event(), Event(), Event()
        self._thread = threading.Thread(target=self._run, name="meaning", daemon=True)
        self._progress = (0, 0)  # passages embedded in this pass, and to embed in it

    def follow(self, segments: Callable[[], list[Segment]]) -> None:
        """Hand vectors to the segments `segments()` returns from now on (a server's current index)."""
        self._segments = segments

    def report_to(self, report: Report | None) -> None:
        self._report = report

    def start(self) -> Filler:
        self._thread.start()
        return self

    def wake(self) -> None:
        self._wake.set()

    def wait(self, seconds: float) -> bool:
        """Wait up to `seconds` until every passage has its vector, but not at all once the pace so far
        says they cannot all be done by then (answers by words start at once instead); whether they are."""
        deadline = time.monotonic() + seconds
        started = time.monotonic()
        while not self._idle.wait(min(LOOK_SECONDS, max(0.0, deadline - time.monotonic()))):
            now = time.monotonic()
            if now >= deadline:
                return False
            done, todo = self._progress
            if done and (now - started) * (todo - done) / done > deadline - now:
                logger.info(
                    "the articles' vectors will take about %.0f s more: answering by words meanwhile",
                    (now - started) * (todo - done) / done,
                )
                return False
        return True

    def stop(self) -> None:
        self._stop.set()
        self._wake.set()
        self._thread.join(timeout=30)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._wake.clear()
            try:
                fill(self.folder, self.model, stop=self._stop, report=self._reported)
            except Exception:  # never let the filler die with the vectors half done: log and retry later
                logger.exception("embedding passages failed; retrying in a minute")
                self._wake.wait(60)
                continue
            self._attach()
            if self._complete():
                self._idle.set()
                self._wake.wait(IDLE_SECONDS)
            else:  # another process holds the fill lock: take up its vectors as they are written
                self._idle.clear()
                self._wake.wait(RETRY_SECONDS)

    def _reported(self, done: int, todo: int) -> None:
        self._progress = (done, todo)
        self._attach()
        if self._report is not None:
            self._report(done, todo)

    def _attach(self) -> None:
        for segment in self._segments():
            if segment.meaning is None:  # once open, its memory-mapped count follows the filler
                stored = open_meaning(self.folder / segment.name, self.model.key)
                if stored is not None:
                    segment.meaning = stored

    def _complete(self) -> bool:
        have, total = filled(self._segments())
        return have >= total


def carry_over(folder: Path, sources: Iterable[str], target: str) -> int:
    """Give segment `target` the vectors its passages already have in segments `sources` (a merge, or a
    whole rebuild, writes passages that were embedded before): for every model whose vectors are there,
    rows are matched by their text. Call it before `sources` leave the manifest (holding the build
    lock); returns how many rows were carried. The filler embeds the rest."""
    try:
        data = store.load_segment(folder, target)
    except IndexUnusable:
        return 0
    rows = len(data.passages.article)
    sources = [name for name in sources if name != target]
    keys = {
        p.name.removeprefix(PREFIX).removesuffix(".filled")
        for s in sources
        for p in (folder / s).glob(f"{PREFIX}*.filled")
    }
    carried = 0
    for key in keys:
        where: dict[str, tuple[SegmentMeaning, int]] = {}
        for name in sources:
            have = open_meaning(folder / name, key)
            if have is None:
                continue
            try:
                old = store.load_segment(folder, name)
            except IndexUnusable:
                continue
            for row, text in enumerate(passage_texts(old, range(min(have.filled, len(have.vectors))))):
                where.setdefault(text, (have, row))
        if not where:
            continue
        target_meaning = _create(folder / target, key, rows)
        filled = 0
        for row, text in enumerate(passage_texts(data, range(rows))):
            found = where.get(text)
            if found is None:
                break  # rows are filled in order: the filler embeds from here
            have, at = found
            target_meaning.vectors[row] = have.vectors[at]
            target_meaning.scales[row] = have.scales[at]
            filled = row + 1
        _flush(target_meaning.vectors, target_meaning.scales)
        target_meaning.counter[0] = filled
        _flush(target_meaning.counter)
        carried += filled
    return carried
