"""/ask by meaning at scale: `python -m benchmarks.meaning [--size 1m] [--queries N]`.

Prints, measured in one run on this machine:
- the model: load time in a fresh process, a question's embedding (p50), passages embedded a second;
- the seeds: how long a first start takes until every passage has its vector (`ask`, fresh index);
- /ask through the real HTTP server on a synthetic shelf (benchmarks/synth.py, default 1M passages),
  signed requests one at a time, with MEANING=off (words alone) and MEANING=on side by side: p50, p99,
  resident memory.

Embedding a million passages takes this machine most of a day (the rate is printed), so the shelf's
vectors for the server rows are written directly into the index's meaning files: random unit vectors,
quantised as the filler stores them. Answer time does not depend on the vectors' values, only on how
many there are; the rate above says how long real ones take to fill.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import psutil

from benchmarks.synth import corpus as synthetic
from benchmarks.synth import queries
from bot.index import meaning as stored
from bot.index import saved_index
from bot.meaning import DIMS, load, quantise
from tests.slack_kit import FORM, ROOT, StandIn, get, post, sign, slash_command, start_server

DATA = ROOT / "benchmarks" / ".data"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def model_figures() -> dict[str, float]:
    code = "import time; t = time.perf_counter(); from bot.meaning import load; load(); print(time.perf_counter() - t)"
    load_s = float(
        subprocess.run(
            [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
        ).stdout
    )
    model = load()
    assert model is not None
    asked = []
    for text in queries(50):
        started = time.perf_counter()
        model.query(text)
        asked.append((time.perf_counter() - started) * 1000)
    texts = []
    for path in sorted((ROOT / "seeds").iterdir()):
        texts += [p for p in path.read_text(encoding="utf-8", errors="replace").split(". ") if len(p) > 40]
    texts = (texts * 4)[:256]
    started = time.perf_counter()
    model.passages(texts)
    rate = len(texts) / (time.perf_counter() - started)
    return {"load_s": load_s, "query_p50_ms": float(np.percentile(asked, 50)), "passages_per_s": rate}


def seeds_ready() -> float:
    """Seconds from a fresh start of `ask` on the seeds until it answers with every vector filled."""
    with tempfile.TemporaryDirectory() as work:
        corpus = Path(work) / "seeds"
        shutil.copytree(ROOT / "seeds", corpus)
        env = {**os.environ, "MEANING": "on", "MEANING_WAIT": "600", "STATE_DIR": str(Path(work) / "state")}
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "bot", "ask", "--corpus", str(corpus), "Who would lead the force?"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            check=True,
        )
        return time.perf_counter() - started


def write_vectors(index_dir: Path) -> int:
    """Random unit vectors for every passage of the saved index, stored as the filler stores them."""
    index = saved_index(index_dir)
    assert index is not None
    model = load()
    assert model is not None
    rng = np.random.default_rng(26)
    for segment in index.segments:
        target = stored._create(index_dir / segment.name, model.key, len(segment))
        for at in range(0, len(segment), 100_000):
            end = min(len(segment), at + 100_000)
            vectors = rng.normal(size=(end - at, DIMS)).astype(np.float32)
            vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
            target.vectors[at:end], target.scales[at:end] = quantise(vectors)
        stored._flush(target.vectors, target.scales)
        target.counter[0] = len(segment)
        stored._flush(target.counter)
    return len(index)


def through_server(corpus: Path, index_dir: Path, meaning: str, count: int) -> dict[str, float]:
    stand_in = StandIn().start()
    env = {
        "CORPUS_DIR": str(corpus),
        "INDEX_DIR": str(index_dir),
        "MEANING": meaning,
        "WATCH_CORPUS": "false",
    }
    started = time.perf_counter()
    server = start_server(stand_in, "--corpus", str(corpus), env=env)
    ready = time.perf_counter() - started
    samples = []
    try:
        for text in queries(count, seed=26):
            body = slash_command("/ask", text)
            reply = post(server.port, body, FORM, sign(body))
            assert reply.status == 200, reply.status
            samples.append(reply.elapsed * 1000)
        health = get(server.port, "/healthz")
        assert health.status == 200
        rss = psutil.Process(server.process.pid).memory_info().rss / 2**20
    finally:
        server.stop()
        stand_in.stop()
    return {
        "ready_s": ready,
        "p50_ms": float(np.percentile(samples, 50)),
        "p99_ms": float(np.percentile(samples, 99)),
        "rss_mb": rss,
    }


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.meaning", description=__doc__)
    parser.add_argument("--size", default="1m", choices=sorted(SIZES))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    figures = model_figures()
    print(
        f"model: load {figures['load_s']:.2f} s, a question {figures['query_p50_ms']:.0f} ms (p50), "
        f"{figures['passages_per_s']:.1f} passages embedded a second",
        flush=True,
    )
    print(f"seeds: first start answers with every vector filled after {seeds_ready():.0f} s", flush=True)
    corpus = synthetic(args.data, args.size, SIZES[args.size])
    index_dir = args.data / f"index-meaning-{args.size}"
    subprocess.run(
        [sys.executable, "-m", "bot", "index", "--if-stale", "--corpus", str(corpus)],
        cwd=ROOT,
        env={**os.environ, "INDEX_DIR": str(index_dir), "MEANING": "off"},
        check=True,
        capture_output=True,
    )
    passages = write_vectors(index_dir)
    print(f"/ask through the server, {passages:,} passages, {args.queries} signed questions one at a time:")
    print(f"{'':>14} {'ready':>7} {'p50':>8} {'p99':>8} {'RSS':>8}")
    for label, meaning in (("words alone", "off"), ("words+meaning", "on")):
        row = through_server(corpus, index_dir, meaning, args.queries)
        print(
            f"{label:>14} {row['ready_s']:>6.1f}s {row['p50_ms']:>6.1f}ms {row['p99_ms']:>6.1f}ms "
            f"{row['rss_mb']:>6.0f}MB",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
