"""Citebot on one large generated shelf, end to end: `python -m benchmarks.scale [--size 10m]`.

Generates the corpus once (benchmarks/synth.py, kept in benchmarks/.data), then measures in one run:
the whole `python -m bot index` from an empty index folder (time, peak memory of the process tree,
size on disk), and `python -m bot serve` on that index (ready time, resident memory after the
questions) answering signed `/ask` one at a time (p50, p99), each printed beside issue 15's target.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from benchmarks.build import tree_peak
from benchmarks.run import DATA, _http
from benchmarks.synth import corpus as synthetic
from bot.config import default_index_folder
from bot.index.store import owned

SIZES = {"1m": 1_000_000, "10m": 10_000_000}
TARGETS = {
    "build_s": 480.0,
    "peak_mb": 8192.0,
    "ready_s": 5.0,
    "p50_ms": 30.0,
    "p99_ms": 150.0,
    "rss_mb": 2048.0,
}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.scale", description=__doc__)
    parser.add_argument("--size", default="10m", choices=sorted(SIZES))
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    corpus = synthetic(args.data, args.size, SIZES[args.size]).resolve()
    index_dir = default_index_folder(corpus)  # where the server started below looks for it
    if index_dir.exists() and owned(index_dir):
        shutil.rmtree(index_dir)  # an index this benchmark built before: measure a build from nothing
    env = {k: v for k, v in os.environ.items() if not k.startswith(("CORPUS_", "STATE_", "INDEX_"))}
    env |= {"WATCH_CORPUS": "false"}
    print("python -m bot index …", flush=True)
    build = tree_peak([sys.executable, "-m", "bot", "index", "--corpus", str(corpus)], env)
    disk_mb = sum(p.stat().st_size for p in index_dir.rglob("*") if p.is_file()) / 2**20
    cache_mb = sum(p.stat().st_size for p in (index_dir / "read").rglob("*") if p.is_file()) / 2**20
    print("python -m bot serve, signed /ask …", flush=True)
    http = _http(corpus, args.queries)
    measured = {"build_s": build["seconds"], "peak_mb": build["peak_mb"], **http}
    print()
    print(f"{SIZES[args.size]:,} passages, {os.cpu_count()} cores:")
    print(f"  index on disk: {disk_mb:,.0f} MB (of which {cache_mb:,.0f} MB each article's cached reading)")
    labels = {
        "build_s": "build (whole command)",
        "peak_mb": "peak build memory",
        "ready_s": "server ready",
        "p50_ms": "signed /ask p50",
        "p99_ms": "signed /ask p99",
        "rss_mb": "server RSS",
    }
    for key, label in labels.items():
        value, target = measured[key], TARGETS[key]
        mark = "met" if value <= target else "NOT met"
        print(f"  {label:<22} {value:>10,.1f}   target ≤ {target:,.0f}   {mark}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
