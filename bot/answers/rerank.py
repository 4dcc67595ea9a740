"""Second-stage re-ranking for /ask: how close a candidate sentence, and its paragraph, are in meaning to
the question, by WordLlama's static word embeddings.

WordLlama ships its weights inside the package (no download at run time) and embeds a few hundred
sentences in milliseconds, so the candidates BM25 found are embedded when asked (each sentence once,
and recently used ones are kept); nothing is stored in the index. Measured on the QA development set
(issue 12): top-3 +4.5 points and found +4.5 points for 2 more off-topic answers. Without the package,
answers are ranked by words alone.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

logger = logging.getLogger(__name__)

CACHED_SENTENCES = 50_000  # embeddings kept between questions (256 floats each: about 50 MB)


@cache
def _model() -> Any | None:
    """The embedding model, loaded once; None (with one warning) if it cannot be."""
    try:
        import wordllama  # imported here: loading costs half a second that only /ask needs
        from wordllama import WordLlama

        # The package holds its tokenizer under tokenizers/, where load() looks for it only as a cache.
        return WordLlama.load(cache_dir=Path(wordllama.__file__).parent, disable_download=True)
    except Exception as exc:  # any failure only costs the re-ranking, never the answer
        logger.warning("answers are ranked by words alone: the embedding model did not load (%s)", exc)
        return None


_cache: OrderedDict[str, np.ndarray] = OrderedDict()
_cache_lock = threading.Lock()


def available() -> bool:
    """The re-ranker can be used."""
    return _model() is not None


def embed(texts: Sequence[str]) -> np.ndarray:
    """Unit vectors for `texts` (rows), each text embedded once and recent ones remembered."""
    model = _model()
    if model is None:
        return np.zeros((len(texts), 1), dtype=np.float32)
    with _cache_lock:
        missing = list(dict.fromkeys(t for t in texts if t not in _cache))
    fresh = model.embed(missing, norm=True) if missing else np.zeros((0, 1), dtype=np.float32)
    with _cache_lock:
        for text, vector in zip(missing, fresh, strict=True):
            _cache[text] = np.asarray(vector, dtype=np.float32)
        for text in texts:
            _cache.move_to_end(text)
        vectors = np.stack([_cache[t] for t in texts]) if texts else np.zeros((0, 1), dtype=np.float32)
        while len(_cache) > CACHED_SENTENCES:
            _cache.popitem(last=False)
    return vectors


def similarity(question: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """Cosine similarity of each row of `vectors` to `question` (all unit vectors)."""
    return np.asarray(vectors @ question, dtype=np.float32)
