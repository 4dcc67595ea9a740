"""Save an index in a folder Citebot owns as immutable segments and a manifest, and map it back.

The index folder holds the manifest, `citebot-index.json`: the code version and knowledge the index
was built with, its segments (each a subfolder of .npy arrays, the text blob and small JSON tables),
the articles deleted from each, and every article file as it was read (name, size, time, hash). A
segment is written in a staging folder and renamed; the manifest is replaced in one rename, so a
reader never sees half of either, and a build killed at any moment leaves the previous index whole.
Staging folders and segments no manifest names are removed by the next writer (under the build lock).
Citebot writes and deletes only inside a folder that is empty or holds its manifest (`check_folder`),
so a mistyped INDEX_DIR can never cost a user's files.

Arrays and text are memory-mapped, not read: server processes share one copy in memory and start in
seconds, and a server that already maps a segment keeps it when the manifest gains another.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import mmap
import os
import secrets
import shutil
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import BaseModel, ValidationError

import bot
from bot.attribution import Person, Speaker
from bot.corpus import ArticleInfo, FileRecord
from bot.domain import Knowledge
from bot.errors import CitebotError, IndexUnusable
from bot.index.builder import ArticleRecords, IndexData, PassageTable, SpeakerTable, StatementTable
from bot.index.engine import Postings
from bot.index.reading import lookups_from

logger = logging.getLogger(__name__)

FORMAT = 5
POINTER = "citebot-index.json"  # the manifest: names the current segments
LEGACY_FOLDER = (
    ".citebot-index"  # INDEX_DIR may name this hidden folder in the corpus: earlier versions' default
)
MARKER = ".citebot-index"  # written first into a folder Citebot makes its index folder
LOCK = ".build.lock"
_STAGING = ".staging-"
_GENERATION = "gen-"  # the previous format's whole-index folders
_SEGMENT = "seg-"
# What an index of an earlier format (a flat folder) consisted of: removed when a new one replaces it.
_LEGACY_FILES = (
    "manifest.json",
    "text.bin",
    "articles.json",
    "vocabulary.json",
    "surface.json",
    "speakers.json",
    "people.json",
)
_ARRAYS = {
    "passages": ("article", "paragraph", "start", "end", "byte_start", "byte_end"),
    "postings": ("indptr", "docs", "tf", "doc_len"),
    "statements": ("indptr", "speaker", "kind", "span", "said", "voice"),
    "by_speaker": ("indptr", "passage", "row"),
}
# The stages whose code and data decide what an index contains: a change to any file in them rebuilds it.
_BUILDING_STAGES = (
    "corpus",
    "webpage.py",
    "pdf.py",
    "passages.py",
    "copies.py",
    "text.py",
    "wordlists.py",
    "wordlists.toml",
    "attribution",
    "index",
)
# … but for files that decide nothing a segment holds: its vectors are kept apart, keyed by their model.
_NOT_BUILDING = frozenset({"index/meaning.py"})


def check_folder(folder: Path, corpus_dir: Path) -> None:
    """Refuse an index folder Citebot could damage: a file, the corpus or a folder in it (but for the
    hidden `.citebot-index` that earlier versions kept there, when INDEX_DIR names it), or a non-empty
    folder that holds no Citebot index. Raises CitebotError naming the problem."""
    corpus = corpus_dir.resolve()
    resolved = folder.resolve()
    if resolved == corpus / LEGACY_FOLDER:
        pass  # asked for by name: the hidden folder earlier versions kept there, which loading skips
    elif resolved == corpus or corpus in resolved.parents:
        raise CitebotError(
            f"the index folder {folder} is inside the articles' folder {corpus_dir}; "
            "Citebot keeps its own files outside it (set INDEX_DIR or STATE_DIR elsewhere)"
        )
    if folder.exists() and not folder.is_dir():
        raise CitebotError(f"the index folder {folder} is a file, not a folder; set INDEX_DIR to a folder")
    if folder.is_dir() and not owned(folder) and _has_entries(folder):
        raise CitebotError(
            f"the index folder {folder} is not empty and holds no Citebot index; "
            "Citebot only writes into an empty folder or one it made (set INDEX_DIR elsewhere)"
        )


def owned(folder: Path) -> bool:
    """`folder` is a Citebot index folder (of this format or the previous one)."""
    if (folder / MARKER).is_file() or (folder / POINTER).is_file():
        return True
    try:
        legacy = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(legacy, dict) and {"format", "code", "fingerprint"} <= legacy.keys()


def _has_entries(folder: Path) -> bool:
    try:
        return any(folder.iterdir())
    except OSError:
        return True


@contextmanager
def building(folder: Path) -> Iterator[None]:
    """Hold the build lock of `folder`: one process builds an index at a time, the others then load it.

    A new or empty folder is marked as Citebot's first, so a build killed before its first index was
    saved leaves a folder the next build recognises as its own.
    """
    folder.mkdir(parents=True, exist_ok=True)
    if not owned(folder):
        if _has_entries(folder):  # checked by check_folder already; never write into someone's folder
            raise CitebotError(f"the index folder {folder} is not empty and holds no Citebot index")
        (folder / MARKER).write_text("Citebot's index folder: Citebot may replace anything in it.\n", "utf-8")
    with (folder / LOCK).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@cache
def code_version() -> str:
    """A hash of the code that builds indexes, and of the index format."""
    digest = hashlib.blake2b(f"{FORMAT}:{bot.__version__}".encode(), digest_size=12)
    package = Path(bot.__file__).parent
    for stage in _BUILDING_STAGES:
        path = package / stage
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            if (
                file.suffix in {".py", ".toml", ".json"}
                and file.is_file()
                and _relative(file) not in _NOT_BUILDING
            ):
                digest.update(str(file.relative_to(package)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def _relative(file: Path) -> str:
    return file.relative_to(Path(bot.__file__).parent).as_posix()


class SegmentEntry(BaseModel):
    """A segment the index consists of, and the articles (doc ids) deleted from it since."""

    name: str
    deleted: list[str] = []


class Manifest(BaseModel):
    """What `citebot-index.json` says: which segments make the index, and what it was built from."""

    format: int
    code: str  # code_version() of the code that built it
    knowledge: str  # the fingerprint of the shelf's knowledge it was built with
    id: str  # changes whenever what the index answers from does
    segments: list[SegmentEntry]
    files: list[FileRecord]  # the article files as read …
    taken_ns: int  # … from this moment on

    def usable(self, knowledge: str) -> None:
        """Raise IndexUnusable unless this code built it with `knowledge`."""
        if self.format != FORMAT or self.code != code_version():
            raise IndexUnusable("built by another version of Citebot")
        if self.knowledge != knowledge:
            raise IndexUnusable("the domain file's aliases or people have changed since it was built")


def new_id() -> str:
    """A fresh manifest id."""
    return secrets.token_hex(8)


def read_manifest(folder: Path) -> Manifest:
    """The manifest of `folder`; IndexUnusable if there is none or it cannot be read."""
    try:
        text = (folder / POINTER).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise IndexUnusable("no saved index") from None
    except OSError as exc:
        raise IndexUnusable(f"unreadable manifest ({exc})") from exc
    try:
        return Manifest.model_validate_json(text)
    except ValidationError as exc:
        raise IndexUnusable("unreadable manifest (an older format, or damaged)") from exc


def write_manifest(folder: Path, manifest: Manifest) -> None:
    """Make `manifest` current in one rename, then remove what no manifest names. Call it holding
    `building(folder)`."""
    staging = folder / f"{_STAGING}{POINTER}"
    staging.write_text(manifest.model_dump_json(indent=1), encoding="utf-8")
    os.replace(staging, folder / POINTER)
    remove_debris(folder)


def save_segment(data: IndexData, folder: Path) -> str:
    """Write `data` as a new segment of `folder` and return its name (not yet in any manifest)."""
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{_SEGMENT}{secrets.token_hex(6)}"
    staging = folder / f"{_STAGING}{name}"
    staging.mkdir()
    try:
        _write_segment(data, staging)
        os.replace(staging, folder / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return name


def save(
    data: IndexData,
    folder: Path,
    files: Sequence[FileRecord],
    taken_ns: int,
    before_switch: Callable[[str, list[str]], object] | None = None,
) -> Manifest:
    """Write `data` as the whole index of `folder`: one segment. Call it holding `building(folder)`.
    `before_switch(new segment, segments it replaces)` runs before the manifest names it."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_debris(folder)
    try:
        replaced = [entry.name for entry in read_manifest(folder).segments]
    except IndexUnusable:
        replaced = []
    name = save_segment(data, folder)
    if before_switch is not None:
        before_switch(name, replaced)
    manifest = Manifest(
        format=FORMAT,
        code=code_version(),
        knowledge=data.knowledge.fingerprint,
        id=new_id(),
        segments=[SegmentEntry(name=name)],
        files=list(files),
        taken_ns=taken_ns,
    )
    write_manifest(folder, manifest)
    return manifest


def remove_debris(folder: Path) -> None:
    """Remove what earlier builds left in `folder`: staging folders, segments no manifest names, the
    earlier formats' files.

    Only names Citebot gives its own files are touched, and only in a folder that `check_folder` let
    through. A reader still using an old segment keeps its mapped files until it lets go.
    """
    try:
        current = {entry.name for entry in read_manifest(folder).segments}
    except IndexUnusable:
        current = None
    for entry in list(folder.iterdir()):
        name = entry.name
        unused = current is not None and name.startswith(_SEGMENT) and name not in current
        if name.startswith(_STAGING) or unused or (current is not None and name.startswith(_GENERATION)):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    if current is not None:
        for name in _LEGACY_FILES:
            (folder / name).unlink(missing_ok=True)
        for path in folder.glob("*.npy"):
            path.unlink(missing_ok=True)


def _write_segment(data: IndexData, staging: Path) -> None:
    for group, names in _ARRAYS.items():
        for name in names:
            np.save(
                staging / f"{group}.{name}.npy", np.ascontiguousarray(getattr(getattr(data, group), name))
            )
    (staging / "text.bin").write_bytes(bytes(data.text))
    tables = {
        "articles": [_plain(a) for a in data.articles],
        "vocabulary": data.vocabulary,
        "surface": data.surface,
        "speakers": [_plain(s) for s in data.speakers],
        "people": [{"name": p.name, "key": p.key, "roles": dict(p.roles)} for p in data.people],
        "speaker_keys": data.by_speaker.keys,
        "knowledge": {
            "aliases": data.knowledge.aliases,
            "epithets": data.knowledge.epithets,
            "clutter": list(data.knowledge.clutter),
        },
    }
    for name, table in tables.items():
        (staging / f"{name}.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
    if data.records is not None:
        records = data.records
        np.save(staging / "records.keys.npy", records.keys)
        np.save(staging / "records.key_article.npy", records.key_article)
        reads = {"names": records.names, "lookups": records.lookups}
        (staging / "records.json").write_text(json.dumps(reads, ensure_ascii=False), encoding="utf-8")
    manifest = {
        "format": FORMAT,
        "fingerprint": data.fingerprint,
        "passages": len(data.passages.article),
        "articles": len(data.articles),
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def load_segment(folder: Path, name: str) -> IndexData:
    """Map segment `name` of `folder`; IndexUnusable if it is missing or unreadable."""
    segment = folder / name
    try:
        manifest = json.loads((segment / "manifest.json").read_text(encoding="utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError("not a segment of this format")
        return _read(segment, manifest)
    except FileNotFoundError as exc:
        raise IndexUnusable(f"segment {name} unreadable (missing {Path(str(exc.filename)).name})") from exc
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise IndexUnusable(f"segment {name} unreadable ({type(exc).__name__}: {exc})") from exc


def load_records(folder: Path, name: str) -> ArticleRecords:
    """What segment `name` keeps for updates: each article's names, lookups and copy keys."""
    segment = folder / name
    try:
        reads = json.loads((segment / "records.json").read_text(encoding="utf-8"))
        keys = np.load(segment / "records.keys.npy", allow_pickle=False)
        key_article = np.load(segment / "records.key_article.npy", allow_pickle=False)
        return ArticleRecords(
            names=[[(n, r) for n, r in names] for names in reads["names"]],
            lookups=[lookups_from(lookups) for lookups in reads["lookups"]],
            keys=keys,
            key_article=key_article,
        )
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise IndexUnusable(f"segment {name}'s records unreadable ({type(exc).__name__}: {exc})") from exc


def load_shelf_records(
    folder: Path, name: str
) -> tuple[list[tuple[str, str | None, str | None]], np.ndarray, np.ndarray]:
    """What `add` checks a new article against in segment `name`: each article's (name, link, outlet),
    and its passages' copy keys with the article each is from. Reads only those, not the segment."""
    segment = folder / name
    try:
        articles = json.loads((segment / "articles.json").read_text(encoding="utf-8"))
        keys = np.load(segment / "records.keys.npy", allow_pickle=False)
        key_article = np.load(segment / "records.key_article.npy", allow_pickle=False)
        return [(a["doc_id"], a.get("url"), a.get("outlet")) for a in articles], keys, key_article
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise IndexUnusable(f"segment {name}'s records unreadable ({type(exc).__name__}: {exc})") from exc


def _read(folder: Path, manifest: dict[str, Any]) -> IndexData:
    arrays = {
        group: {
            name: np.load(folder / f"{group}.{name}.npy", mmap_mode="r", allow_pickle=False) for name in names
        }
        for group, names in _ARRAYS.items()
    }
    tables = {name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in _TABLES}
    n = int(manifest["passages"])
    postings = arrays["postings"]
    passages = PassageTable(**arrays["passages"])
    statements = StatementTable(**arrays["statements"])
    _check(
        len(postings["doc_len"]) == n and all(len(a) == n for a in arrays["passages"].values()), "passages"
    )
    _check(len(statements.indptr) == n + 1 and len(statements.voice) == n, "statement arrays")
    _check(len(postings["indptr"]) == len(tables["vocabulary"]) + 1, "postings")
    _check(int(postings["indptr"][-1]) == len(postings["docs"]) == len(postings["tf"]), "postings")
    _check(len(tables["articles"]) == int(manifest["articles"]), "articles")
    by_speaker = arrays["by_speaker"]
    _check(len(by_speaker["indptr"]) == len(tables["speaker_keys"]) + 1, "speaker table")
    _check(
        int(by_speaker["indptr"][-1]) == len(by_speaker["passage"]) == len(by_speaker["row"]), "speaker table"
    )
    return IndexData(
        articles=[
            ArticleInfo(
                **(
                    a
                    | {"also_in": tuple(a.get("also_in", ())), "page_starts": tuple(a.get("page_starts", ()))}
                )
            )
            for a in tables["articles"]
        ],
        text=_map_text(folder / "text.bin"),
        passages=passages,
        postings=Postings(**postings),
        vocabulary=tables["vocabulary"],
        surface=[(word, term) for word, term in tables["surface"]],
        statements=statements,
        speakers=[Speaker(**s) for s in tables["speakers"]],
        people=[Person(name=p["name"], key=p["key"], roles=Counter(p["roles"])) for p in tables["people"]],
        fingerprint=str(manifest["fingerprint"]),
        by_speaker=SpeakerTable(keys=tables["speaker_keys"], **arrays["by_speaker"]),
        knowledge=Knowledge(
            aliases={term: tuple(v) for term, v in tables["knowledge"]["aliases"].items()},
            epithets=dict(tables["knowledge"]["epithets"]),
            clutter=tuple(tables["knowledge"].get("clutter", ())),
        ),
    )


_TABLES = ("articles", "vocabulary", "surface", "speakers", "people", "speaker_keys", "knowledge")


def _check(ok: bool, what: str) -> None:
    if not ok:
        raise ValueError(f"inconsistent {what}")


def _map_text(path: Path) -> bytes | mmap.mmap:
    with path.open("rb") as handle:
        if os.fstat(handle.fileno()).st_size == 0:
            return b""
        return mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)


def _plain(item: Any) -> dict[str, Any]:
    return {name: getattr(item, name) for name in item.__slots__}
