"""Synthetic English-like corpora: a Zipf-distributed vocabulary, articles of sentence passages.

Deterministic for a given seed, so that every engine in one run sees the same passages and queries.
"""

from __future__ import annotations

import random
import time
from pathlib import Path

import numpy as np

SYLLABLES = (
    "ka lo mi ne ra ta so vu de pi an er in on el or is us at en ar ul om ix ba co du fe gi ho ju "
    "ly ma no pe qu ri se ti ve wo ya ze str pl gr th sh ch br cr dr fl tr"
).split()
FUNCTION_WORDS = "the of and to in a is that for on with as by at from it this be are was".split()


def vocabulary(size: int, rng: random.Random) -> list[str]:
    """`size` distinct made-up words, shortest first, so that frequent words are short as in English."""
    words: set[str] = set()
    ordered: list[str] = []
    while len(ordered) < size:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((1, 2, 2, 3, 3, 4))))
        if len(word) >= 3 and word not in words:
            words.add(word)
            ordered.append(word)
    return sorted(ordered, key=len)


def generate(
    folder: Path, passages: int, *, seed: int = 7, vocab_size: int = 50_000, per_article: int = 100
) -> Path:
    """Write `passages` sentences into articles of `per_article` sentences under `folder`."""
    rng = random.Random(seed)
    np_rng = np.random.default_rng(seed)
    words = vocabulary(vocab_size, rng)
    ranks = np.arange(1, vocab_size + 1)
    weights = 1.0 / ranks**1.07
    weights /= weights.sum()
    folder.mkdir(parents=True, exist_ok=True)
    written = 0
    article = 0
    while written < passages:
        count = min(per_article, passages - written)
        lengths = np_rng.integers(8, 26, size=count)
        draws = np_rng.choice(vocab_size, size=int(lengths.sum()), p=weights)
        sentences = []
        at = 0
        for length in lengths:
            picked = [words[i] for i in draws[at : at + length]]
            at += length
            for slot in range(0, len(picked), 3):  # function words between content words, as in English
                picked.insert(slot, rng.choice(FUNCTION_WORDS))
            sentence = " ".join(picked)
            sentences.append(sentence[0].upper() + sentence[1:] + ".")
        title = " ".join(w.capitalize() for w in rng.sample(words[:2000], 5))
        paragraphs = [" ".join(sentences[i : i + 4]) for i in range(0, len(sentences), 4)]
        text = title + "\n\n" + "\n\n".join(paragraphs) + "\n"
        (folder / f"article_{article:06d}.txt").write_text(text, encoding="utf-8")
        written += count
        article += 1
    return folder


def corpus(data: Path, label: str, passages: int) -> Path:
    """The corpus `synthetic-<label>` kept in `data`, generated the first time it is asked for."""
    folder = data / f"synthetic-{label}"
    if not folder.exists():
        print(f"[{label}] generating {passages:,} passages in {folder} …", flush=True)
        started = time.perf_counter()
        generate(folder, passages)
        print(f"  {time.perf_counter() - started:.0f} s", flush=True)
    return folder


def queries(count: int, *, seed: int = 11, vocab_size: int = 50_000) -> list[str]:
    """Questions of 2-4 words from the same vocabulary, mostly mid-frequency words as people ask."""
    rng = random.Random(seed)
    words = vocabulary(vocab_size, random.Random(7))
    out = []
    for _ in range(count):
        picked = [
            words[min(vocab_size - 1, int(rng.paretovariate(0.6) * 20))] for _ in range(rng.randint(2, 4))
        ]
        out.append(" ".join(picked))
    return out
