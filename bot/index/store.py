"""Save an index in a folder Citebot owns and map it back, trusting it only when it matches the corpus.

The index folder holds a pointer file, `citebot-index.json`, naming the current generation: a
subfolder of .npy arrays, the text blob and small JSON tables. A build writes a new generation in a
staging folder inside the index folder, renames it, then replaces the pointer in one rename, so a
reader never sees half of one. Staging folders and old generations left by a killed build are removed
by the next build. Citebot writes and deletes only inside a folder that is empty or holds its pointer
file (`check_folder`), so a mistyped INDEX_DIR can never cost a user's files.

A generation is used only if its fingerprint (a hash of the corpus files' bytes) and its code version
(a hash of the code that builds indexes) both match; otherwise it is rebuilt. Arrays and text are
memory-mapped, not read: server processes share one copy in memory and start in seconds.
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

import bot
from bot.attribution import Person, Speaker
from bot.corpus import ArticleInfo, stat_digest
from bot.domain import Knowledge
from bot.errors import CitebotError, IndexUnusable
from bot.index.builder import IndexData, PassageTable, SpeakerTable, StatementTable
from bot.index.engine import Postings

logger = logging.getLogger(__name__)

FORMAT = 4
POINTER = "citebot-index.json"  # names the current generation
LEGACY_FOLDER = (
    ".citebot-index"  # INDEX_DIR may name this hidden folder in the corpus: earlier versions' default
)
MARKER = ".citebot-index"  # written first into a folder Citebot makes its index folder
LOCK = ".build.lock"
_STAGING = ".staging-"
_GENERATION = "gen-"
# What an index of the previous format (a flat folder) consisted of: removed when a new one replaces it.
RACY_NS = 2_000_000_000  # a file whose time is this close to the build's reading may have changed unseen
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
    "postings": ("indptr", "docs", "weights", "idf"),
    "statements": ("indptr", "speaker", "kind", "span", "said", "voice"),
    "by_speaker": ("indptr", "passage", "row"),
}
# The stages whose code and data decide what an index contains: a change to any file in them rebuilds it.
_BUILDING_STAGES = ("corpus.py", "webpage.py", "passages.py", "text.py", "attribution", "index")


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
            if file.suffix in {".py", ".toml"} and file.is_file():
                digest.update(str(file.relative_to(package)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def save(data: IndexData, folder: Path) -> None:
    """Write `data` as the new current generation of `folder`. Call it holding `building(folder)`."""
    folder.mkdir(parents=True, exist_ok=True)
    remove_debris(folder)
    name = f"{_GENERATION}{secrets.token_hex(6)}"
    staging = folder / f"{_STAGING}{name}"
    staging.mkdir()
    try:
        _write_generation(data, staging)
        os.replace(staging, folder / name)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    pointer = folder / f"{_STAGING}{POINTER}"
    pointer.write_text(json.dumps({"format": FORMAT, "current": name}), encoding="utf-8")
    os.replace(pointer, folder / POINTER)
    remove_debris(folder)


def remove_debris(folder: Path) -> None:
    """Remove what earlier builds left in `folder`: staging folders, old generations, the old format.

    Only names Citebot gives its own files are touched, and only in a folder that `check_folder` let
    through. A reader still using an old generation keeps its mapped files until it lets go.
    """
    current = _current_name(folder)
    for entry in list(folder.iterdir()):
        name = entry.name
        if name.startswith(_STAGING) or (name.startswith(_GENERATION) and name != current):
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                entry.unlink(missing_ok=True)
    if current is not None:
        for name in _LEGACY_FILES:
            (folder / name).unlink(missing_ok=True)
        for path in folder.glob("*.npy"):
            path.unlink(missing_ok=True)


def _current_name(folder: Path) -> str | None:
    try:
        pointer = json.loads((folder / POINTER).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    name = pointer.get("current") if isinstance(pointer, dict) else None
    return name if isinstance(name, str) and name.startswith(_GENERATION) and "/" not in name else None


def _write_generation(data: IndexData, staging: Path) -> None:
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
    manifest = {
        "format": FORMAT,
        "code": code_version(),
        "fingerprint": data.fingerprint,
        "stat": data.corpus_stat,
        "stat_taken_ns": data.stat_taken_ns,
        "passages": len(data.passages.article),
        "articles": len(data.articles),
        "n_docs": data.postings.n_docs,
    }
    (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")


def load(folder: Path, fingerprint: str) -> IndexData:
    """Map the current index saved in `folder`; IndexUnusable if it is missing, stale or unreadable."""

    def current(manifest: dict[str, Any]) -> None:
        saved = str(manifest.get("fingerprint"))
        if saved != fingerprint:
            # "<corpus files>:<knowledge>" (builder.index_fingerprint): say which of the two changed.
            if saved.partition(":")[0] == fingerprint.partition(":")[0]:
                raise IndexUnusable("the domain file's aliases or people have changed since it was built")
            raise IndexUnusable("the corpus has changed since it was built")

    return _load(folder, current)


def load_unchanged(folder: Path, signature: Sequence[tuple[str, int, int]], knowledge: str) -> IndexData:
    """Map the current index of `folder` if the corpus's files have the names, sizes and times they had
    when it was built (`corpus_stat`), none of them changed just before it was read, and it was built
    with `knowledge` (a fingerprint): then their bytes need not be read and hashed to know that it is
    current (as git trusts a file's stat). IndexUnusable otherwise: compare the bytes then (`load`)."""

    def unchanged(manifest: dict[str, Any]) -> None:
        taken = manifest.get("stat_taken_ns")
        if not manifest.get("stat") or manifest.get("stat") != stat_digest(signature):
            raise IndexUnusable("the corpus's files are not as they were")
        if str(manifest.get("fingerprint")).partition(":")[2] != knowledge:
            raise IndexUnusable("built with other knowledge")
        # A file changed within a clock tick of being read could change again unseen: hash those.
        if not isinstance(taken, int) or any(mtime >= taken - RACY_NS for _, _, mtime in signature):
            raise IndexUnusable("a file changed while the index was built")

    return _load(folder, unchanged)


def _load(folder: Path, accept: Callable[[dict[str, Any]], None]) -> IndexData:
    for _ in range(3):  # a build may replace the generation between reading the pointer and opening it
        name = _current_name(folder)
        if name is None:
            if (folder / POINTER).exists():
                raise IndexUnusable("unreadable pointer file")
            raise IndexUnusable("no saved index")
        generation = folder / name
        try:
            manifest = json.loads((generation / "manifest.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except (OSError, ValueError) as exc:
            raise IndexUnusable(f"unreadable manifest ({exc})") from exc
        if not isinstance(manifest, dict):
            raise IndexUnusable("unreadable manifest")
        if manifest.get("format") != FORMAT or manifest.get("code") != code_version():
            raise IndexUnusable("built by another version of Citebot")
        accept(manifest)
        try:
            return _read(generation, manifest)
        except FileNotFoundError as exc:
            if _current_name(folder) != name:
                continue  # replaced meanwhile: read the new one
            raise IndexUnusable(f"unreadable (missing {Path(str(exc.filename)).name})") from exc
        except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
            raise IndexUnusable(f"unreadable ({type(exc).__name__}: {exc})") from exc
    raise IndexUnusable("replaced while it was being read")


def _read(folder: Path, manifest: dict[str, Any]) -> IndexData:
    arrays = {
        group: {
            name: np.load(folder / f"{group}.{name}.npy", mmap_mode="r", allow_pickle=False) for name in names
        }
        for group, names in _ARRAYS.items()
    }
    tables = {name: json.loads((folder / f"{name}.json").read_text(encoding="utf-8")) for name in _TABLES}
    n, n_docs = int(manifest["passages"]), int(manifest["n_docs"])
    postings = arrays["postings"]
    passages = PassageTable(**arrays["passages"])
    statements = StatementTable(**arrays["statements"])
    _check(n == n_docs and all(len(a) == n for a in arrays["passages"].values()), "passage arrays")
    _check(len(statements.indptr) == n + 1 and len(statements.voice) == n, "statement arrays")
    _check(len(postings["indptr"]) == len(tables["vocabulary"]) + 1 == len(postings["idf"]) + 1, "postings")
    _check(int(postings["indptr"][-1]) == len(postings["docs"]) == len(postings["weights"]), "postings")
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
        postings=Postings(n_docs=n_docs, **postings),
        vocabulary=tables["vocabulary"],
        surface=[(word, term) for word, term in tables["surface"]],
        statements=statements,
        speakers=[Speaker(**s) for s in tables["speakers"]],
        people=[Person(name=p["name"], key=p["key"], roles=Counter(p["roles"])) for p in tables["people"]],
        fingerprint=str(manifest["fingerprint"]),
        corpus_stat=str(manifest.get("stat") or ""),
        stat_taken_ns=int(manifest.get("stat_taken_ns") or 0),
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
