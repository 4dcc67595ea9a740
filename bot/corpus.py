"""Load articles from the corpus folder: text, honest metadata, and the paragraphs worth quoting.

An article keeps its file's text exactly as decoded; paragraphs are offsets into it, so every quote
taken later is a slice of the file, character for character. Boilerplate lines (menus, breadcrumbs,
subscribe prompts, cut markers, trailers) are left out of the paragraphs, never edited.
"""

from __future__ import annotations

import bisect
import datetime as dt
import functools
import hashlib
import importlib.metadata
import json
import logging
import os
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields, replace
from pathlib import Path
from stat import S_ISREG
from typing import Any, NamedTuple, Protocol

import yaml

from bot.errors import ArticleError, CorpusError
from bot.pdf import extract_pdf
from bot.webpage import Webpage, extract_webpage

logger = logging.getLogger(__name__)

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")
WEBPAGE_SUFFIXES = (".html", ".htm")
MAX_ARTICLE_BYTES = 256_000_000
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")

# A run of capitalised words: a person's name ("Naila Huseynova", "Bence Németh").
_NAME = r"[A-ZÀ-Þ][\w'’.-]*(?:\s+(?:(?:van|von|de|der|da|di|al|bin|le|la)\s+)?[A-ZÀ-Þ][\w'’.-]*){1,3}"
_BYLINE = re.compile(rf"^By\s+(?P<name>{_NAME}(?:\s*(?:,|and|&)\s*{_NAME})*)\s*(?:[|,–—-].*)?$")
_BIO = re.compile(rf"^(?P<name>{_NAME})\s+(?:is|was|has been|writes)\s+(?P<role>(?:a|an|the|[A-Z]).*?)\.?$")
_BIO_WORDS = re.compile(
    r"\b(?:director|fellow|editor|correspondent|journalist|reporter|analyst|professor|writer|author|"
    r"columnist|contributor|researcher|founder|head|expert|lecturer|chair|president)\b",
    re.IGNORECASE,
)
# Lines that are site furniture, not article text (matched against the whole stripped line).
_JUNK = re.compile(
    r"""^(?:
        [\W_]*\d{0,3}[\W_]*                                  # a lone "0", "…", "***", "—"
      | (?:subscribe|sign\ up|log\ in|sign\ in)\b.{0,120}
      | share\ (?:this|on)\b.{0,80} | click\ to\ share\b.{0,80}
      | advertisement | sponsored(?:\ content)? | skip\ to\ (?:main\ )?content
      | (?:related|recommended|most\ read|trending)(?:\ (?:articles|stories|posts|news))?:?
      | read\ (?:more|also|next)\b.{0,120}
      | source:\ *source | (?:source|via|tags?|filed\ under|categories):.{0,160}
      | follow\ us\b.{0,120} | (?:we\ use\ )?cookies?\b.{0,160}
      | all\ rights\ reserved.{0,80} | ©.{0,120} | copyright\b.{0,120}
    )$""",
    re.IGNORECASE | re.VERBOSE,
)
# Markers after which the file goes on with a list of other stories.
_TRAILER = re.compile(r"^(?:previously|related|see also|read also|more on this|more from \w+):?$", re.I)
_TRAILER_MAX_LINES = 4
_MENU_SEPARATORS = re.compile(r"\s[|›»>/·•]\s")
MENU_ITEM_WORDS = 6  # a menu's items are a few words each
_DISCOVER_MORE = re.compile(r"^Discover more from\s+(?P<outlet>.+?)(?:\s+[|–—-]\s+.*)?$", re.IGNORECASE)
_COPYRIGHT = re.compile(r"^(?:©|copyright)\s*(?:\d{4}\s*)?(?P<outlet>[^.,|]+?)\.?(?:\s+all rights.*)?$", re.I)
_ORIGINALLY = re.compile(r"originally (?:published|appeared) (?:on|in|by)\s+(?P<outlet>[A-Z][\w.&' -]+?)[.,]")
# An outlet naming itself in the text: "Example.com reports, citing officials".
_SELF_REPORTS = re.compile(r"\b(?P<outlet>[A-Z][\w-]*\.[A-Za-z]{2,})\s+(?:reports|reported|has learned)\b")
_URL_LINE = re.compile(r"^(?:source|url|link|canonical):\s*(?P<url>https?://\S+)$", re.IGNORECASE)
_MD_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s+(?P<text>.+?)\s*#*$")
_MD_PREFIX = re.compile(r"^(?:[-*+]\s+|\d{1,3}[.)]\s+|>\s*)")
_SENTENCE_END = re.compile(r"[.!?…:;,\"”’)]$")
_FRONT_MATTER_KEYS = {
    "title": ("title", "headline"),
    "outlet": ("outlet", "site", "site_name", "publication", "publisher", "source"),
    "author": ("author", "authors", "byline"),
    "date": ("date", "published", "published_at", "pubdate"),
    "url": ("url", "link", "canonical_url", "canonical"),
}


@dataclass(frozen=True, slots=True)
class ArticleInfo:
    """What is known about an article, without its text: enough to cite it."""

    doc_id: str
    title: str | None = None
    outlet: str | None = None
    author: str | None = None
    author_role: str | None = None
    date: str | None = None
    url: str | None = None
    also_in: tuple[str, ...] = ()  # doc_ids of other copies of the same story (saved twice, syndicated)
    page_starts: tuple[int, ...] = ()  # a PDF's pages: where each begins in the text (offsets, ascending)

    def page_at(self, offset: int) -> int | None:
        """The page (1-based) that the text at `offset` is on, for a PDF; None for other articles."""
        return bisect.bisect_right(self.page_starts, offset) if self.page_starts else None


@dataclass(frozen=True, slots=True, kw_only=True)
class Article(ArticleInfo):
    """One article: what is known about it, its text as decoded, and the kept paragraphs as offsets."""

    text: str
    paragraphs: tuple[tuple[int, int], ...]

    def paragraph_text(self, number: int) -> str:
        """Text of paragraph `number` (1-based)."""
        start, end = self.paragraphs[number - 1]
        return self.text[start:end]

    @property
    def info(self) -> ArticleInfo:
        """The article's metadata, without its text."""
        return ArticleInfo(**{field.name: getattr(self, field.name) for field in fields(ArticleInfo)})


@dataclass(frozen=True, slots=True)
class Skipped:
    """A file that was not loaded, and why."""

    path: Path
    reason: str


@dataclass(frozen=True, slots=True)
class Corpus:
    """What `load_corpus` found: the articles, the files it skipped, and each file as it was read."""

    articles: tuple[Article, ...]
    skipped: tuple[Skipped, ...]
    stat_taken_ns: int = 0  # when the files began to be read …
    files: tuple[FileRecord, ...] = ()  # … and each readable article file as it was read

    @property
    def fingerprint(self) -> str:
        """A hash of the files' names and bytes (through their hashes): it changes exactly when they do."""
        digest = hashlib.blake2b(digest_size=20)
        for record in self.files:
            digest.update(
                f"{len(record.name)}:{record.name}:{record.digest};".encode("utf-8", "surrogatepass")
            )
        return digest.hexdigest()


class FileRecord(NamedTuple):
    """An article file as read: its name in the corpus, size, modification time and bytes' hash."""

    name: str
    size: int
    mtime_ns: int
    digest: str


@dataclass(frozen=True, slots=True)
class FileChanges:
    """How the corpus's files differ from recorded ones: the files now, and which names are new or
    changed (`changed`) or gone (`removed`)."""

    files: tuple[FileRecord, ...]
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    taken_ns: int  # when the files were looked at


RACY_NS = 2_000_000_000  # a file whose time is this close to when it was read may have changed unseen


def file_changes(folder: Path, recorded: Sequence[FileRecord], taken_ns: int) -> FileChanges:
    """Compare the corpus's files with `recorded` (as read from `taken_ns` on). A file whose size and
    time are as recorded, and were not within a clock tick of the recording, is trusted unchanged (as
    git trusts a file's stat); any other is read and its bytes' hash compared."""
    known = {record.name: record for record in recorded}
    taken = time.time_ns()
    files: list[FileRecord] = []
    changed: list[str] = []
    for name, file in article_entries(folder):
        try:
            stat = os.stat(file)
        except OSError:
            continue
        old = known.get(name)
        same = old is not None and (old.size, old.mtime_ns) == (stat.st_size, stat.st_mtime_ns)
        if old is not None and same and stat.st_mtime_ns < taken_ns - RACY_NS:
            files.append(old)
            continue
        try:
            record = FileRecord(name, stat.st_size, stat.st_mtime_ns, file_digest(read_bytes(Path(file))))
        except ArticleError:
            continue  # unreadable now: as if it were gone
        files.append(record)
        if old is None or old.digest != record.digest:
            changed.append(name)
    present = {record.name for record in files}
    removed = tuple(name for name in known if name not in present)
    return FileChanges(tuple(files), tuple(changed), removed, taken)


def file_digest(data: bytes) -> str:
    """A hash of a file's bytes."""
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class _Line:
    start: int
    end: int
    text: str
    after_blank: bool = False


def article_files(folder: Path, problems: list[Skipped] | None = None) -> list[Path]:
    """Article files under `folder`, sorted, leaving out hidden files and folders.

    Linked folders are followed once: a link back into a folder already walked (a loop) is left out.
    What cannot be listed or named (a loop, an unreadable folder, a broken link, a file name with a
    line break, which would break every listing and citation of it) is left out and, when `problems`
    is given, reported there.
    """
    return [Path(path) for _, path in article_entries(folder, problems)]


def article_entries(folder: Path, problems: list[Skipped] | None = None) -> list[tuple[str, str]]:
    """`article_files` as (name in the corpus, its relative path with "/"; the file's path)."""
    if not folder.is_dir():
        raise CorpusError(f"corpus folder not found: {folder}")
    if not os.access(folder, os.R_OK | os.X_OK):
        raise CorpusError(f"cannot read the corpus folder {folder}: permission denied")
    report = problems if problems is not None else []
    found: list[tuple[str, str]] = []
    walked: set[tuple[int, int]] = set()
    root = os.fspath(folder)
    real_root = os.path.realpath(root)

    def leads_out(path: str) -> bool:
        """A symbolic link whose target is outside the corpus: never followed (it could be anything)."""
        if not link_out_of(path, real_root):
            return False
        report.append(Skipped(path=Path(path), reason="a link out of the corpus folder; not followed"))
        return True

    def unreadable(error: OSError) -> None:
        where = Path(error.filename) if error.filename else folder
        report.append(Skipped(path=where, reason=f"folder not readable ({error.strerror or error})"))

    # Strings, not Path objects: a shelf of a hundred thousand files is listed whenever the index is
    # opened, and pathlib's parsing would cost seconds of it.
    for top, dirs, files in os.walk(root, onerror=unreadable, followlinks=True):
        stat = os.stat(top)
        if (stat.st_dev, stat.st_ino) in walked:  # reached again through a link: a loop
            report.append(Skipped(path=Path(top), reason="a link back to a folder already read (a loop)"))
            dirs.clear()
            continue
        walked.add((stat.st_dev, stat.st_ino))
        prefix = "" if top == root else os.path.relpath(top, root).replace(os.sep, "/") + "/"
        dirs[:] = sorted(
            d
            for d in dirs
            if not d.startswith(".") and _fit_name(top, d, report) and not leads_out(os.path.join(top, d))
        )
        for name in files:
            if name.startswith(".") or os.path.splitext(name)[1].lower() not in ARTICLE_SUFFIXES:
                continue
            if not _fit_name(top, name, report):
                continue
            full = os.path.join(top, name)
            if leads_out(full):
                continue
            if os.path.isfile(full):
                found.append((prefix + name, full))
            elif os.path.islink(full):
                report.append(Skipped(path=Path(full), reason="a link to nothing (broken symbolic link)"))
    found.sort()
    return found


def link_out_of(path: str | Path, real_folder: str) -> bool:
    """Whether `path` is a symbolic link whose target lies outside `real_folder` (a resolved path)."""
    if not os.path.islink(path):
        return False
    target = os.path.realpath(path)
    return not (target == real_folder or target.startswith(real_folder.rstrip(os.sep) + os.sep))


def _fit_name(folder: str, name: str, problems: list[Skipped]) -> bool:
    """False (and a problem reported) for a name with a control character, a line break above all."""
    if _CONTROL_CHARS.search(name) is None:
        return True
    problems.append(
        Skipped(path=Path(folder, name), reason="its name holds a line break or control character; rename it")
    )
    return False


def load_corpus(
    folder: Path, *, cache: ExtractionCache | Path | None = None, clutter: Sequence[str] = ()
) -> Corpus:
    """Load every article under `folder`; unreadable files are skipped with one warning each.

    `cache`, a folder of Citebot's own, keeps what was extracted from web pages and PDFs by their bytes'
    hash, so that a page is extracted once however often the corpus is loaded.
    """
    articles: list[Article] = []
    skipped: list[Skipped] = []
    taken = time.time_ns()
    files: list[FileRecord] = []
    for doc_id, name in article_entries(folder, skipped):
        path = Path(name)
        try:
            stat = os.stat(name)  # before reading: a change while it is read shows as a new stat later
        except OSError:
            stat = None  # the read below says what is wrong
        try:
            data = read_bytes(path)
            if stat is not None:
                files.append(FileRecord(doc_id, stat.st_size, stat.st_mtime_ns, file_digest(data)))
            articles.append(
                article_from_bytes(data, doc_id, path.suffix.lower(), cache=cache, clutter=clutter)
            )
        except ArticleError as exc:
            skipped.append(Skipped(path=path, reason=str(exc)))
    for problem in skipped:
        logger.warning("skipped %s: %s", shown_name(problem.path, folder), problem.reason)
    return Corpus(
        articles=tuple(articles),
        skipped=tuple(skipped),
        stat_taken_ns=taken,
        files=tuple(files),
    )


def shown_name(path: Path, folder: Path) -> str:
    """A path for messages: relative to the corpus, control characters escaped."""
    try:
        name = path.relative_to(folder).as_posix()
    except ValueError:
        name = str(path)
    return _CONTROL_CHARS.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), name)


def corpus_stat(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Names, sizes and modification times of the article files: cheap to take, and different after
    any edit. Only a hint that something changed; whether it did is decided by `file_changes`."""
    signature = []
    for path in article_files(folder):
        try:
            stat = path.stat()
        except OSError:
            continue
        signature.append((path.relative_to(folder).as_posix(), stat.st_size, stat.st_mtime_ns))
    return tuple(signature)


def read_article(path: Path, doc_id: str) -> Article:
    """Read and parse one article file; raise ArticleError if it is not a readable article."""
    return article_from_bytes(read_bytes(path), doc_id, path.suffix.lower())


def article_from_bytes(
    data: bytes,
    doc_id: str,
    suffix: str,
    *,
    cache: ExtractionCache | Path | None = None,
    clutter: Sequence[str] = (),
) -> Article:
    """An article from a file's bytes: a saved web page, a PDF, Markdown, or plain text.

    `clutter`: whole lines to leave out (the domain file's; a trailing `*` matches any ending).
    """
    lines = clutter_pattern(tuple(clutter))
    if suffix == ".pdf":
        page = _extracted(data, suffix, cache, extract_pdf)
        return replace(
            parse_article(page.text, doc_id, meta=page.meta, clutter=lines), page_starts=page.pages
        )
    if suffix in WEBPAGE_SUFFIXES:
        if not data.strip():
            raise ArticleError("empty file")
        if b"\x00" in data[:8192]:
            raise ArticleError("binary file, not text")
        page = _extracted(data, suffix, cache, extract_webpage)
        return parse_article(page.text, doc_id, meta=page.meta, clutter=lines)
    return parse_article(decode_article(data), doc_id, markdown=suffix != ".txt", clutter=lines)


@functools.lru_cache(maxsize=16)
def clutter_pattern(lines: tuple[str, ...]) -> re.Pattern[str] | None:
    """One pattern for a shelf's clutter lines: each whole, case aside; a trailing `*` matches any ending."""
    if not lines:
        return None
    parts = [
        re.escape(" ".join(line.rstrip("*").split())) + (".*" if line.endswith("*") else "") for line in lines
    ]
    return re.compile("|".join(f"(?:{part})" for part in parts), re.IGNORECASE)


@functools.cache
def _extractor_version() -> str:
    """Changes whenever the extraction code or trafilatura/pypdf change: part of every cache key."""
    digest = hashlib.blake2b(digest_size=8)
    for module in ("webpage.py", "pdf.py"):
        digest.update((Path(__file__).parent / module).read_bytes())
    for package in ("trafilatura", "pypdf"):
        digest.update(importlib.metadata.version(package).encode())
    return digest.hexdigest()


class ExtractionCache(Protocol):
    """Where what was extracted from pages and PDFs is remembered, by a key made of the bytes' hash:
    a folder of Citebot's own (FolderCache), or the state several hosts share (bot/shared)."""

    def get(self, key: str) -> str | None:
        """The record kept under `key`, if any."""
        ...

    def put(self, key: str, record: str) -> None:
        """Keep `record` under `key`; a failure only costs extracting again."""
        ...


@dataclass(frozen=True, slots=True)
class FolderCache:
    """Extraction records as files in a folder of Citebot's own (the index folder's `extracted/`)."""

    folder: Path

    def get(self, key: str) -> str | None:
        try:
            return (self.folder / key[:2] / f"{key}.json").read_text(encoding="utf-8")
        except OSError:
            return None

    def put(self, key: str, record: str) -> None:
        path = self.folder / key[:2] / f"{key}.json"
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            staging = path.with_name(f".{path.name}.{os.getpid()}.tmp")
            staging.write_text(record, encoding="utf-8")
            os.replace(staging, path)  # our own cache file: replacing it is ours to do
        except OSError as exc:
            logger.debug("could not cache an extraction in %s (%s)", self.folder, exc)


def _extracted(
    data: bytes, suffix: str, cache: ExtractionCache | Path | None, extract: Callable[[bytes], Webpage]
) -> Webpage:
    """`extract(data)`, remembered in `cache` by the bytes' hash (refusals too, as an error text)."""
    if cache is None:
        return extract(data)
    store = FolderCache(cache) if isinstance(cache, Path) else cache
    key = hashlib.blake2b(data, digest_size=20, key=_extractor_version().encode()).hexdigest() + suffix
    try:
        known = json.loads(store.get(key) or "")
        if "refused" in known:
            raise ArticleError(str(known["refused"]))
        return Webpage(
            text=str(known["text"]),
            meta={str(k): str(v) for k, v in known["meta"].items()},
            pages=tuple(int(n) for n in known.get("pages", ())),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass  # not cached yet, or unreadable: extract again
    try:
        page = extract(data)
        record: dict[str, object] = {"text": page.text, "meta": page.meta, "pages": list(page.pages)}
    except ArticleError as exc:
        record = {"refused": str(exc)}
        page = None
    store.put(key, json.dumps(record, ensure_ascii=False))
    if page is None:
        raise ArticleError(str(record["refused"]))
    return page


def read_bytes(path: Path) -> bytes:
    """An article file's bytes; ArticleError if it is unreadable or too large."""
    try:
        info = path.stat()
        if not S_ISREG(info.st_mode):  # a FIFO or a device: reading it would block or never end
            raise ArticleError("not a regular file")
        size = info.st_size
        if size > MAX_ARTICLE_BYTES:
            raise ArticleError(f"too large ({size:,} bytes; the limit is {MAX_ARTICLE_BYTES:,})")
        return path.read_bytes()
    except OSError as exc:
        raise ArticleError(f"unreadable ({exc.strerror or exc})") from exc


def decode_article(data: bytes) -> str:
    """Decode an article file's bytes, refusing empty, binary and non-UTF-8 files."""
    if not data.strip():
        raise ArticleError("empty file")
    if b"\x00" in data[:8192]:
        raise ArticleError("binary file, not text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ArticleError(f"not UTF-8 text (bad byte at offset {exc.start})") from exc


def _is_menu(text: str) -> bool:
    """A line of links ("World | Europe | Politics"): two separators or more, and every item short. A
    paragraph that happens to hold separators (a dateline merged into the opening) is not one."""
    items = _MENU_SEPARATORS.split(text)
    return len(items) >= 3 and all(len(item.split()) <= MENU_ITEM_WORDS for item in items)


def parse_article(
    text: str,
    doc_id: str,
    *,
    markdown: bool = False,
    meta: dict[str, str] | None = None,
    clutter: re.Pattern[str] | None = None,
) -> Article:
    """Split a decoded article into metadata and quotable paragraphs; `meta` (from a page) wins.

    `clutter` matches lines a shelf's domain file lists as furniture (an outlet's own promotions).
    """
    body_start = 1 if text.startswith("\ufeff") else 0
    front, body_start = _front_matter(text, body_start, doc_id)
    meta = front | (meta or {})
    lines = list(_lines(text, body_start))
    if not lines:
        raise ArticleError("no text after the front matter")

    title = meta.get("title")
    if markdown:
        lines, heading = _drop_markdown_headings(lines)
        title = title or heading
    if title is None:
        title, lines = _take_title(lines)

    outlet = meta.get("outlet")
    author = meta.get("author")
    author_role = None
    url = meta.get("url")
    kept: list[_Line | None] = []  # None marks a dropped line, which also ends a paragraph
    for i, line in enumerate(_cut_trailer(lines)):
        near_edge = i < 5 or i >= len(lines) - 3
        if line.after_blank:
            kept.append(None)  # a blank line ends a paragraph
        if (title and _is_title_copy(line.text, title)) or _is_menu(line.text):
            kept.append(None)
        elif (m := _DISCOVER_MORE.match(line.text)) is not None:
            outlet = outlet or m["outlet"].strip()
            kept.append(None)
        elif (m := _URL_LINE.match(line.text)) is not None:
            url = url or m["url"]
            kept.append(None)
        elif (m := _COPYRIGHT.match(line.text)) is not None and len(line.text) < 120:
            outlet = outlet or _clean_outlet(m["outlet"])
            kept.append(None)
        elif _JUNK.match(line.text) or (
            clutter is not None and clutter.fullmatch(" ".join(line.text.split()))
        ):
            kept.append(None)
        elif near_edge and len(line.text) <= 80 and (m := _BYLINE.match(line.text)) is not None:
            author = author or m["name"].strip()
            kept.append(None)
        elif i >= len(lines) - 2 and _is_bio(line.text):
            bio = _BIO.match(line.text)
            assert bio is not None
            if author is None or author == bio["name"]:
                author, author_role = bio["name"], bio["role"]
            kept.append(None)
        else:
            kept.append(line)

    paragraphs = _paragraphs(kept, markdown=markdown)
    if not paragraphs:
        raise ArticleError("no article text (only boilerplate)")
    if outlet is None:
        outlet = _outlet_named_in_text(text, paragraphs)
    return Article(
        doc_id=doc_id,
        text=text,
        paragraphs=tuple(paragraphs),
        title=title,
        outlet=outlet,
        author=author,
        author_role=author_role,
        date=meta.get("date"),
        url=url,
    )


def _front_matter(text: str, start: int, doc_id: str) -> tuple[dict[str, str], int]:
    """YAML front matter between `---` lines at the top; returns the fields we use and where the body starts.

    Front matter that is not valid YAML, or not a mapping, gives no fields, but it is still front
    matter: the body starts after it, so its lines are never quoted as the article's words.
    """
    match = re.match(r"---[ \t]*\r?\n(?P<yaml>.*?)\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|$)", text[start:], re.S)
    if match is None:
        return {}, start
    body_start = start + match.end()
    try:
        data = yaml.safe_load(match["yaml"])
    except yaml.YAMLError as exc:
        where = getattr(exc, "problem_mark", None)
        line = f" (line {where.line + 2})" if where is not None else ""
        logger.warning("%s: front matter is not valid YAML%s; its fields are ignored", doc_id, line)
        return {}, body_start
    if isinstance(data, str):  # plain text between two rules: the article's own words, not front matter
        return {}, start
    if not isinstance(data, dict):
        logger.warning("%s: front matter is not a list of fields; it is ignored", doc_id)
        return {}, body_start
    lowered = {str(k).lower(): v for k, v in data.items()}
    meta: dict[str, str] = {}
    for field, keys in _FRONT_MATTER_KEYS.items():
        for key in keys:
            value = _front_matter_value(lowered.get(key))
            if value:
                meta[field] = value
                break
    return meta, body_start


def _front_matter_value(value: Any) -> str | None:
    if isinstance(value, list):
        parts = [str(v).strip() for v in value if str(v).strip()]
        return ", ".join(parts) or None
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if value is None or isinstance(value, dict):
        return None
    return str(value).strip() or None


def _lines(text: str, start: int) -> Iterator[_Line]:
    """Each non-blank line from `start`, trimmed, with its offsets and whether a blank line precedes it."""
    blank = False
    for match in re.finditer(r"[^\r\n]*(?:\r\n|\r|\n|$)", text[start:]):
        raw = match.group().rstrip("\r\n")
        stripped = raw.strip()
        if not stripped:
            blank = True
            if match.end() == len(text) - start:
                return
            continue
        begin = start + match.start() + len(raw) - len(raw.lstrip())
        yield _Line(begin, begin + len(stripped), stripped, after_blank=blank)
        blank = False


def _drop_markdown_headings(lines: list[_Line]) -> tuple[list[_Line], str | None]:
    """Markdown headings are not sentences; the first level-1 heading is a title."""
    title = None
    kept = []
    for line in lines:
        match = _MD_HEADING.match(line.text)
        if match is None:
            kept.append(line)
        elif title is None and len(match["hashes"]) == 1:
            title = match["text"]
    return kept, title


def _take_title(lines: list[_Line]) -> tuple[str | None, list[_Line]]:
    """Find the title line: a heading repeated near the top, or a first line that reads as a headline."""
    top = [line.text for line in lines[:8]]
    for text in top:
        if top.count(text) >= 2 and _looks_like_title(text):
            return text, lines
    first = lines[0].text
    if len(lines) > 2 and first.endswith(";") and _looks_like_title(first[:-1].rstrip()):
        return first[:-1].rstrip(), lines[1:]  # "Headline; " above its deck line, as news archives print it
    if len(lines) > 1 and (_looks_like_title(first) or _sentence_case_headline(first, lines[1:])):
        return first, lines[1:]
    return None, lines


HEADLINE_WORDS = 18  # a first line this short, one sentence, alone above a body, is a headline


def _sentence_case_headline(text: str, rest: list[_Line]) -> bool:
    """ "After a big loss, Clinton looks for pace to quicken." above the article: a headline written as a
    sentence. One sentence of at most HEADLINE_WORDS words, with at least two paragraphs below it,
    the first of them longer than it (a one-line lede is followed by more of the same)."""
    words = text.split()
    if not 2 <= len(words) <= HEADLINE_WORDS or not text.endswith((".", "!", "?")) or len(rest) < 2:
        return False
    if re.search(r"[.!?][\"'”’]?\s+[A-Z]", text[:-1]):  # more than one sentence (or an abbreviation)
        return False
    body = next(
        (line.text for line in rest if len(line.text.split()) >= 4), ""
    )  # past "ABSTRACT." and the like
    return len(body.split()) > len(words)


def _looks_like_title(text: str) -> bool:
    words = text.split()
    if not 1 <= len(words) <= 30 or len(text) > 200:
        return False
    if len(words) == 1:  # "Oxygen", "Warsaw": a one-word title is a name, with no sentence punctuation
        return text[:1].isalpha() and text[-1:].isalnum()
    if not text.endswith("."):
        return not text.endswith((",", ";", ":"))
    # A headline may end with an abbreviation ("… Without U.S."); it is then mostly capitalised.
    capitalised = sum(1 for w in words if w[0].isupper() or not w[0].isalpha())
    return capitalised / len(words) >= 0.6


def _is_title_copy(text: str, title: str) -> bool:
    """The title again, or a breadcrumb trail that ends with it."""
    squashed, squashed_title = " ".join(text.split()).lower(), " ".join(title.split()).lower()
    return squashed == squashed_title or (
        squashed.endswith(squashed_title) and len(squashed) - len(squashed_title) < 120
    )


def _cut_trailer(lines: list[_Line]) -> list[_Line]:
    """Drop a closing "Previously:" / "Related:" list of other stories."""
    for i in range(max(0, len(lines) - _TRAILER_MAX_LINES - 1), len(lines)):
        if _TRAILER.match(lines[i].text):
            return lines[:i]
    return lines


def _is_bio(text: str) -> bool:
    return len(text) <= 400 and _BIO.match(text) is not None and _BIO_WORDS.search(text) is not None


def _clean_outlet(name: str) -> str | None:
    name = name.strip(" .-|")
    return name or None


def _paragraphs(kept: list[_Line | None], *, markdown: bool) -> list[tuple[int, int]]:
    """Group kept lines into paragraphs: one per line, unless a block is hard-wrapped text."""
    paragraphs: list[tuple[int, int]] = []
    block: list[_Line] = []
    for line in [*kept, None]:
        if line is not None:
            block.append(line)
            continue
        if block:
            paragraphs.extend(_block_paragraphs(block, markdown=markdown))
        block = []
    return [p for p in paragraphs if p[1] > p[0]]


def _block_paragraphs(block: list[_Line], *, markdown: bool) -> list[tuple[int, int]]:
    spans = []
    for line in block:
        start = line.start
        if markdown and (prefix := _MD_PREFIX.match(line.text)) is not None:
            start += prefix.end()
        spans.append((start, line.end))
    listed = markdown and any(_MD_PREFIX.match(line.text) for line in block)
    if not listed and _hard_wrapped(block):
        return [(spans[0][0], spans[-1][1])]
    return spans


def _hard_wrapped(block: list[_Line]) -> bool:
    """Lines broken at a fixed width: short, nearly equal in length, and mostly not ending a sentence."""
    if len(block) < 2:
        return False
    inner = block[:-1]
    widest = max(len(line.text) for line in inner)
    if widest > 100:
        return False
    # A wrapped line ends near the wrap width; lines of any length are one-line paragraphs.
    if any(len(line.text) < 0.7 * widest for line in inner):
        return False
    open_ends = sum(1 for line in inner if not _SENTENCE_END.search(line.text))
    return open_ends * 2 >= len(inner)


def _outlet_named_in_text(text: str, paragraphs: list[tuple[int, int]]) -> str | None:
    for start, end in paragraphs:
        paragraph = text[start:end]
        match = _SELF_REPORTS.search(paragraph) or _ORIGINALLY.search(paragraph)
        if match is not None:
            return match["outlet"].strip()
    return None
