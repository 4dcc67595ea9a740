"""Save an index next to its corpus and map it back, trusting it only when it matches the corpus.

A saved index is a folder of .npy arrays, the text blob and small JSON tables, written to a temporary
folder and renamed into place, so a reader never sees half of one. It is used only if its
fingerprint (a hash of the corpus files' bytes) and its code version (a hash of the code that builds
indexes) both match; otherwise it is rebuilt. Arrays and text are memory-mapped, not read: server
processes share one copy in memory and start in seconds.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import mmap
import os
import shutil
import tempfile
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np

import bot
from bot.corpus import ArticleInfo
from bot.index.builder import IndexData, PassageTable, StatementTable
from bot.index.engine import Postings
from bot.quotes import Person, Speaker

logger = logging.getLogger(__name__)

FORMAT = 2
INDEX_FOLDER = ".citebot-index"
_ARRAYS = {
    "passages": ("article", "paragraph", "start", "end", "byte_start", "byte_end"),
    "postings": ("indptr", "docs", "weights", "idf"),
    "statements": ("indptr", "speaker", "kind", "span", "said", "voice"),
}
# The modules whose code decides what an index contains: a change to any of them rebuilds it.
_BUILDING_MODULES = ("corpus", "passages", "text", "quotes", "index/builder", "index/engine")


class IndexUnusable(Exception):
    """A saved index that must be rebuilt: missing, stale, or unreadable."""


def default_folder(corpus_dir: Path, index_dir: Path | None = None) -> Path:
    """Where a corpus's index lives: INDEX_DIR if set, else a hidden folder inside the corpus."""
    return index_dir if index_dir is not None else corpus_dir / INDEX_FOLDER


@contextmanager
def building(folder: Path) -> Iterator[None]:
    """Hold the build lock of `folder`: one process builds an index at a time, the others then load it."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with (folder.parent / f".{folder.name}.lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def code_version() -> str:
    """A hash of the code that builds indexes, and of the index format."""
    digest = hashlib.blake2b(f"{FORMAT}:{bot.__version__}".encode(), digest_size=12)
    package = Path(bot.__file__).parent
    for name in _BUILDING_MODULES:
        digest.update((package / f"{name}.py").read_bytes())
    return digest.hexdigest()


def save(data: IndexData, folder: Path) -> None:
    """Write `data` to `folder`, replacing what was there in one rename."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
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
        }
        for name, table in tables.items():
            (staging / f"{name}.json").write_text(json.dumps(table, ensure_ascii=False), encoding="utf-8")
        manifest = {
            "format": FORMAT,
            "code": code_version(),
            "fingerprint": data.fingerprint,
            "passages": len(data.passages.article),
            "articles": len(data.articles),
            "n_docs": data.postings.n_docs,
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _swap_in(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


def load(folder: Path, fingerprint: str) -> IndexData:
    """Map the index saved in `folder`; IndexUnusable if it is missing, stale or unreadable."""
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise IndexUnusable("no saved index") from exc
    except (OSError, ValueError) as exc:
        raise IndexUnusable(f"unreadable manifest ({exc})") from exc
    if manifest.get("format") != FORMAT or manifest.get("code") != code_version():
        raise IndexUnusable("built by another version of Citebot")
    if manifest.get("fingerprint") != fingerprint:
        raise IndexUnusable("the corpus has changed since it was built")
    try:
        return _read(folder, manifest)
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise IndexUnusable(f"unreadable ({type(exc).__name__}: {exc})") from exc


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
    return IndexData(
        articles=[ArticleInfo(**(a | {"also_in": tuple(a.get("also_in", ()))})) for a in tables["articles"]],
        text=_map_text(folder / "text.bin"),
        passages=passages,
        postings=Postings(n_docs=n_docs, **postings),
        vocabulary=tables["vocabulary"],
        surface=[(word, term) for word, term in tables["surface"]],
        statements=statements,
        speakers=[Speaker(**s) for s in tables["speakers"]],
        people=[Person(name=p["name"], key=p["key"], roles=Counter(p["roles"])) for p in tables["people"]],
        fingerprint=str(manifest["fingerprint"]),
    )


_TABLES = ("articles", "vocabulary", "surface", "speakers", "people")


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


def _swap_in(staging: Path, folder: Path) -> None:
    """Replace `folder` by `staging`. Readers that mapped the old files keep them until they let go."""
    old = None
    if folder.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{folder.name}.old.", dir=folder.parent))
        os.replace(folder, old / "index")
    os.replace(staging, folder)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
