"""The corpus folder's article files: which they are, reading one safely, and what changed since a record."""

from __future__ import annotations

import hashlib
import os
import re
import time
from collections.abc import Sequence
from pathlib import Path
from stat import S_ISREG

from bot.corpus.models import FileChanges, FileRecord, Skipped
from bot.errors import ArticleError, CorpusError

ARTICLE_SUFFIXES = (".txt", ".md", ".markdown", ".html", ".htm", ".pdf")


MAX_ARTICLE_BYTES = 256_000_000


_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


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
