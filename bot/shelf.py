"""Adding articles to the corpus: `python -m bot add PATH…`, and links or files shared in Slack.

Each file is read as an article before it is copied, so that what is refused (empty, not an article,
unreadable, a duplicate) never reaches the corpus. Whether a story is already there is the index's own
rule (bot/copies.py): the same story saved again from the same source is refused; a copy from another
outlet (syndication) is kept, and the index cites each of its quotes once and notes the copies on each
other ("also in").

What is on the shelf (`Held`: each article's file hash, link, outlet and copy keys) comes from the saved
index when there is a current one, so an add reads only the new article and the files that changed since
the index was saved; without an index, from reading the folder.
"""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import secrets
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from bot.copies import RESAVED, article_keys, closest, same_story
from bot.corpus import (
    ARTICLE_SUFFIXES,
    Article,
    ExtractionCache,
    article_entries,
    article_from_bytes,
    file_digest,
    link_out_of,
    load_corpus,
    read_bytes,
    shown_name,
)
from bot.errors import ArticleError, CitebotError, FetchRefused
from bot.fetch import fetch
from bot.webpage import mark_saved_from, word_count

logger = logging.getLogger(__name__)

MIN_ARTICLE_WORDS = 5  # fewer words than the shortest sentence worth quoting: a stray note, not an article


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one file: added under `doc_id` (with what was extracted), or refused and why."""

    source: str  # the file or link as the user gave it
    doc_id: str | None = None
    article: Article | None = None
    refused: str | None = None
    note: str | None = None

    @property
    def words(self) -> int:
        """Words of article text (what can be quoted), 0 if refused."""
        if self.article is None:
            return 0
        return sum(word_count(self.article.text[s:e]) for s, e in self.article.paragraphs)

    def describe(self) -> str:
        """One line (two with a note) for people: what was extracted, or why the file was refused."""
        if self.doc_id is None or self.article is None:
            return f"refused  {self.source}: {self.refused}"
        article = self.article
        facts = [f"“{article.title}”" if article.title else "no title"]
        facts.append(f"by {article.author}" if article.author else "no author")
        facts.append(article.date or "no date")
        if article.outlet:
            facts.append(article.outlet)
        facts.append(f"{self.words:,} words")
        line = f"added    {self.source} as {self.doc_id}: {', '.join(facts)}"
        return line + (f"\n         ({self.note})" if self.note else "")

    def as_json(self) -> dict[str, object]:
        """The same for programs."""
        article = self.article
        return {
            "file": self.source,
            "added": self.doc_id is not None,
            "doc_id": self.doc_id,
            "title": article.title if article else None,
            "author": article.author if article else None,
            "date": article.date if article else None,
            "outlet": article.outlet if article else None,
            "url": article.url if article else None,
            "words": self.words,
            "refused": self.refused,
            "note": self.note,
        }


def add_to_corpus(
    paths: Sequence[Path],
    corpus_dir: Path,
    *,
    cache: ExtractionCache | Path | None = None,
    clutter: Sequence[str] = (),
    held: Held | None = None,
) -> list[Outcome]:
    """Copy the articles among `paths` (files, or folders searched recursively) into `corpus_dir`.

    `cache` keeps what was extracted from pages by their hash (load_corpus): the shelf's pages are then
    read from it, not extracted again, and a new page's extraction serves the next index build too.
    `clutter`: the domain file's clutter lines, so that the shelf is read as the index reads it (every
    add path passes them). `held`: what the shelf holds, from its index (`index.shelf_held`); without it
    the folder is read.
    """
    shelf = Shelf(corpus_dir, cache=cache, clutter=clutter, held=held)
    return [shelf.add(path) for path in shelf_files(paths)]


def add_link(
    url: str,
    corpus_dir: Path,
    *,
    allow_private: bool = False,
    cache: ExtractionCache | Path | None = None,
    clutter: Sequence[str] = (),
    held: Held | None = None,
) -> Outcome:
    """Fetch the page, PDF or text at `url` (safely: bot/fetch.py) and add it; a refusal says why."""
    shelf = Shelf(corpus_dir, cache=cache, clutter=clutter, held=held)
    return shelf.add_link(url, allow_private=allow_private)


def add_data(
    data: bytes,
    name: str,
    corpus_dir: Path,
    *,
    source: str,
    url: str | None = None,
    cache: ExtractionCache | Path | None = None,
    clutter: Sequence[str] = (),
    held: Held | None = None,
) -> Outcome:
    """Add one article given as bytes (a fetched page, a file shared in Slack) under the file name `name`.

    `url` is where it came from: the same address added twice is one article. Nothing is written unless
    the article is accepted, and then in one step (no reader ever sees half a file).
    """
    return Shelf(corpus_dir, cache=cache, clutter=clutter, held=held).add_data(data, name, source, url)


@dataclass
class Held:
    """What is on the shelf, as far as an add's checks need: for each article (by number), its name, link
    and outlet; which file bytes it was read from; and the copy keys of its passages in corpus order
    (`keys`, with the article of each in `key_article`; keys of articles remembered since are in
    `more_keys`)."""

    names: list[str]
    links: list[str | None]
    outlets: list[str | None]
    by_digest: dict[str, str]
    keys: np.ndarray  # uint64
    key_article: np.ndarray  # int: the article number of each key
    more_keys: dict[int, int]
    unreadable: set[str]

    @classmethod
    def empty(cls) -> Held:
        return cls([], [], [], {}, np.zeros(0, np.uint64), np.zeros(0, np.int64), {}, set())

    @classmethod
    def of_arrays(
        cls,
        articles: Sequence[tuple[str, str | None, str | None]],
        digests: dict[str, str],
        keys: np.ndarray,
        key_article: np.ndarray,
    ) -> Held:
        """From each article's (name, link, outlet), the files' digests by name, and every passage's copy
        key with its article's number, in corpus order."""
        return cls(
            [a[0] for a in articles],
            [a[1] for a in articles],
            [a[2] for a in articles],
            {digest: name for name, digest in digests.items()},
            keys,
            key_article,
            {},
            set(),
        )

    def known(self) -> set[str]:
        return set(self.names) | self.unreadable

    def remember(self, article: Article, digest: str | None) -> None:
        number = len(self.names)
        self.names.append(article.doc_id)
        self.links.append(article.url)
        self.outlets.append(article.outlet)
        if digest is not None:
            self.by_digest.setdefault(digest, article.doc_id)
        keys = article_keys(article)
        owners = self._owners(keys)
        for key in keys.tolist():
            if key not in owners:
                self.more_keys.setdefault(key, number)

    def with_link(self, url: str, source: str) -> str | None:
        return next(
            (n for n, link in zip(self.names, self.links, strict=True) if link in {url, source}), None
        )

    def closest(self, article: Article) -> tuple[int | None, float]:
        """The article holding most of `article`'s copy keys, and the share it holds."""
        keys = article_keys(article)
        owners = self._owners(keys)
        return closest([owners.get(key, -1) for key in keys.tolist()])

    def _owners(self, keys: np.ndarray) -> dict[int, int]:
        """For each of `keys` already on the shelf, the first article (in corpus order) holding it."""
        owners: dict[int, int] = {}
        if len(keys) and len(self.keys):
            # An article's few keys are looked for among the shelf's many, in one pass each: no sort.
            for at in np.flatnonzero(np.isin(self.keys, keys)).tolist():
                owners.setdefault(int(self.keys[at]), int(self.key_article[at]))
        for key in keys.tolist():
            if key not in owners and key in self.more_keys:
                owners[key] = self.more_keys[key]
        return owners


class Shelf:
    """The corpus as `add` sees it: file contents and sentences already there, and where each came from,
    read with the shelf's `clutter` lines as the index reads it."""

    def __init__(
        self,
        corpus_dir: Path,
        *,
        cache: ExtractionCache | Path | None = None,
        clutter: Sequence[str] = (),
        held: Held | None = None,
    ) -> None:
        try:
            corpus_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CitebotError(
                f"cannot create the corpus folder {corpus_dir}: {exc.strerror or exc}"
            ) from None
        self.corpus_dir = corpus_dir
        self.cache = cache
        self.clutter = tuple(clutter)
        if held is None:  # no current index to say what is on the shelf: read the folder
            held = Held.empty()
            corpus = load_corpus(corpus_dir, cache=cache, clutter=clutter)  # warns about each file it skips
            held.unreadable = {
                p.path.relative_to(corpus_dir).as_posix()
                for p in corpus.skipped
                if p.path.is_relative_to(corpus_dir)
            }
            for article in corpus.articles:
                try:
                    digest: str | None = file_digest((corpus_dir / article.doc_id).read_bytes())
                except OSError:  # gone or locked since it was loaded: nothing to compare against
                    digest = None
                held.remember(article, digest)
        self.held = held

    def add_link(self, url: str, *, allow_private: bool = False) -> Outcome:
        """Fetch the page, PDF or text at `url` (safely: bot/fetch.py) and add it; a refusal says why."""
        try:
            fetched = fetch(url, allow_private=allow_private)
        except FetchRefused as exc:
            return Outcome(url, refused=str(exc))
        return self.add_data(fetched.data, fetched.name, url, fetched.url)

    def add(self, path: Path) -> Outcome:
        if path.suffix.lower() not in ARTICLE_SUFFIXES:
            return Outcome(
                str(path),
                refused=f"not an article file ({path.suffix or 'no extension'}; "
                f"Citebot reads {', '.join(ARTICLE_SUFFIXES)})",
            )
        try:
            data = read_bytes(path)  # a regular file only: a FIFO or a device would block or never end
        except ArticleError as exc:
            return Outcome(str(path), refused=str(exc))
        return self.add_data(data, path.name, str(path))

    def add_data(self, data: bytes, name: str, source: str, url: str | None = None) -> Outcome:
        """Add one article given as bytes under the file name `name` (see the module's `add_data`)."""
        name = Path(name).name or "article.txt"
        suffix = Path(name).suffix.lower()
        if suffix not in ARTICLE_SUFFIXES:
            return Outcome(source, refused=f"not an article file ({suffix or 'no extension'})")
        try:
            article = article_from_bytes(data, name, suffix, cache=self.cache, clutter=self.clutter)
        except ArticleError as exc:
            return Outcome(source, refused=str(exc))
        words = sum(word_count(article.text[s:e]) for s, e in article.paragraphs)
        if words < MIN_ARTICLE_WORDS:
            return Outcome(source, refused=f"too short to be an article ({words} words of text)")
        if url and not article.url:
            article = replace(article, url=url)
        # Checked and written under the folder's lock, after reading what other processes added since
        # this shelf was read: two adds of one story at once add it once.
        with corpus_lock(self.corpus_dir):
            self._catch_up()
            return self._check_and_write(data, name, source, url, article)

    def _check_and_write(
        self, data: bytes, name: str, source: str, url: str | None, article: Article
    ) -> Outcome:
        held = self.held
        saved = mark_saved_from(data, url) if url and Path(name).suffix.lower() in {".html", ".htm"} else data
        same_file = held.by_digest.get(file_digest(data)) or held.by_digest.get(file_digest(saved))
        if same_file is not None:
            return Outcome(source, refused=f"already on the shelf as {same_file} (the same file)")
        same_link = held.with_link(url, source) if url else None
        if same_link is not None:
            return Outcome(source, refused=f"already on the shelf as {same_link} (the same link)")
        number, share = held.closest(article)
        note = None
        if number is not None and same_story(share):
            original = held.names[number]
            if share >= RESAVED and _same_source(article, held.links[number], held.outlets[number]):
                return Outcome(source, article=article, refused=f"duplicate of {original} (the same story)")
            note = f"the same story as {original}: its quotes are cited once, and each notes the other"
        try:
            doc_id = self._write(saved, name)
        except OSError as exc:
            return Outcome(source, refused=f"cannot write it into {self.corpus_dir} ({exc.strerror or exc})")
        article = replace(article, doc_id=doc_id)
        held.by_digest.setdefault(file_digest(data), doc_id)  # the page as fetched, and as saved
        held.remember(article, file_digest(saved))
        return Outcome(source, doc_id=doc_id, article=article, note=note)

    def _catch_up(self) -> None:
        """Read the articles that appeared in the folder since the shelf was read (another process's adds)."""
        seen = self.held.known()
        for doc_id, file in article_entries(self.corpus_dir):
            if doc_id in seen:
                continue
            try:
                data = read_bytes(Path(file))
                article = article_from_bytes(
                    data, doc_id, Path(file).suffix.lower(), cache=self.cache, clutter=self.clutter
                )
            except ArticleError as exc:  # named, as loading the corpus names it; then left alone
                logger.warning("skipped %s: %s", shown_name(Path(file), self.corpus_dir), exc)
                self.held.unreadable.add(doc_id)
                continue
            self.held.remember(article, file_digest(data))

    def _write(self, data: bytes, name: str) -> str:
        """Write under `name`; a different file of that name makes it `name-2.ext`. Never overwrites.

        The bytes go to a hidden file first (the loader and the watcher skip hidden files), then are
        linked under their name in one step, which fails rather than replace a file that appeared.
        """
        stem, suffix = Path(name).stem, Path(name).suffix
        staging = self.corpus_dir / f".citebot-adding-{secrets.token_hex(6)}{suffix}"
        staging.write_bytes(data)
        try:
            number = 1
            while True:
                target = self.corpus_dir / (name if number == 1 else f"{stem}-{number}{suffix}")
                try:
                    os.link(staging, target)
                    return target.relative_to(self.corpus_dir).as_posix()
                except FileExistsError:
                    number += 1
        finally:
            staging.unlink(missing_ok=True)


def shelf_files(paths: Sequence[Path]) -> Iterator[Path]:
    """The files to add among `paths`: files as given, folders searched (hidden entries left out, and
    links that lead out of the folder, with a warning: adding a folder copies only what is in it)."""
    for path in paths:
        if path.is_dir():
            inside = os.path.realpath(path)
            for found in sorted(path.rglob("*")):
                if any(part.startswith(".") for part in found.relative_to(path).parts):
                    continue
                if link_out_of(found, inside):
                    logger.warning("skipped %s: a link out of the folder being added", found)
                    continue
                if found.is_file():
                    yield found
        else:
            yield path


@contextlib.contextmanager
def corpus_lock(corpus_dir: Path) -> Iterator[None]:
    """Held while an add checks the shelf and writes: one add at a time across processes. The lock is
    taken on the folder itself (flock), so nothing but articles is ever written into it."""
    fd = os.open(corpus_dir, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _same_source(new: Article, url: str | None, outlet: str | None) -> bool:
    """Saved twice (same outlet or address, or nothing to tell them apart), not syndicated."""
    if new.url and url:
        return new.url == url
    if new.outlet and outlet:
        return new.outlet == outlet
    return True
