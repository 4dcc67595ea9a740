"""Building the index, measured in one run: `python -m benchmarks.build [--sizes 100k,1m]`.

For each synthetic corpus (benchmarks/synth.py, kept in benchmarks/.data) it times the whole command a
user runs, `python -m bot index`, with one worker process per core and with one worker, each from an
empty index folder, and reports the peak memory of the whole process tree (the command and its
workers, sampled every 50 ms). Beside them, in their own processes over the same passages: bm25s
building its index from Citebot's terms, and tantivy (its Python package, with its own tokenizer and
two indexing threads) indexing the passages' text.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psutil

from benchmarks.run import DATA, SIZES, in_own_process
from benchmarks.synth import corpus as synthetic
from bot.index.workers import cores

ROOT = Path(__file__).resolve().parent.parent


def tree_peak(command: list[str], env: dict[str, str]) -> dict[str, float]:
    """Run `command`; its wall time and the peak of the summed RSS of it and its children."""
    started = time.perf_counter()
    process = subprocess.Popen(command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peak = 0.0
    root = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            total = sum(p.memory_info().rss for p in [root, *root.children(recursive=True)])
            peak = max(peak, total / 2**20)
        except psutil.Error:
            pass
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise RuntimeError(
            f"{' '.join(command)} failed: {process.stderr.read().decode()[-2000:] if process.stderr else ''}"
        )
    return {"seconds": seconds, "peak_mb": peak}


def citebot_build(corpus: Path, workers: int) -> dict[str, float]:
    with tempfile.TemporaryDirectory(prefix="citebot-build-bench-") as tmp:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("CORPUS_", "STATE_", "INDEX_"))}
        env |= {"INDEX_DIR": str(Path(tmp) / "index"), "WATCH_CORPUS": "false"}
        command = [sys.executable, "-m", "bot", "index", "--corpus", str(corpus), "--workers", str(workers)]
        result = tree_peak(command, env)
        result["disk_mb"] = sum(p.stat().st_size for p in Path(tmp).rglob("*") if p.is_file()) / 2**20
        return result


def other_build(task: str, corpus: Path) -> dict[str, Any]:
    return in_own_process("benchmarks.build", "--task", task, str(corpus))


# -- tasks, one per process ----------------------------------------------------------------------


def _passages(corpus: Path) -> tuple[list[str], list[list[str]]]:
    from bot.index import open_index

    index = open_index(corpus)  # the corpus's own saved index (benchmarks.run keeps it too), built once
    return [index.passage_text(i) for i in range(len(index))], [index.terms(i) for i in range(len(index))]


def _bm25s(corpus: Path) -> dict[str, float]:
    import bm25s

    _, terms = _passages(corpus)
    started = time.perf_counter()
    engine = bm25s.BM25(k1=1.5, b=0.75, method="robertson")
    engine.index(terms, show_progress=False)
    return {"seconds": time.perf_counter() - started}


def _tantivy(corpus: Path) -> dict[str, float]:
    import tantivy

    texts, _ = _passages(corpus)
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("body", stored=False, tokenizer_name="en_stem")
    schema = builder.build()
    folder = Path(tempfile.mkdtemp(prefix="tantivy-bench-"))
    try:
        started = time.perf_counter()
        index = tantivy.Index(schema, path=str(folder))
        writer = index.writer(heap_size=500_000_000, num_threads=2)
        for text in texts:
            writer.add_document(tantivy.Document(body=text))
        writer.commit()
        writer.wait_merging_threads()
        return {"seconds": time.perf_counter() - started}
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.build", description=__doc__)
    parser.add_argument("--sizes", default="100k,1m", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--data", type=Path, default=DATA, help="where the corpora are generated (kept)")
    parser.add_argument("--task", help=argparse.SUPPRESS)
    parser.add_argument("corpus", nargs="?", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.task:
        print(json.dumps({"bm25s": _bm25s, "tantivy": _tantivy}[args.task](args.corpus)))
        return 0
    rows = []
    for label in args.sizes.split(","):
        size = SIZES[label.strip().lower()]
        corpus = synthetic(args.data, label, size)
        row: dict[str, Any] = {"passages": size}
        for workers in (cores(), 1):
            print(f"[{label}] python -m bot index --workers {workers} …", flush=True)
            row[f"citebot-{workers}"] = citebot_build(corpus, workers)
        for task in ("bm25s", "tantivy"):
            print(f"[{label}] {task} …", flush=True)
            try:
                row[task] = other_build(task, corpus)
            except (subprocess.CalledProcessError, json.JSONDecodeError) as exc:
                print(f"  {task} did not run: {exc}", flush=True)
        rows.append(row)
    n = cores()
    print()
    print(f"Full build, whole command, {n} cores (peak: the process tree's summed RSS):")
    print(
        f"{'passages':>9} | {f'{n} workers':>18} {'on disk':>8} | {'1 worker':>18} | {'speed-up':>8} | {'bm25s':>7} {'tantivy':>8}"
    )
    for row in rows:
        many, one = row[f"citebot-{n}"], row["citebot-1"]
        bm25s = row.get("bm25s", {}).get("seconds")
        tantivy = row.get("tantivy", {}).get("seconds")
        print(
            f"{row['passages']:>9,} | {many['seconds']:>6.1f}s {many['peak_mb']:>7.0f}MB {many['disk_mb']:>6.0f}MB | "
            f"{one['seconds']:>6.1f}s {one['peak_mb']:>7.0f}MB | {one['seconds'] / many['seconds']:>7.2f}x | "
            + (f"{bm25s:>6.1f}s " if bm25s else "     - ")
            + (f"{tantivy:>7.1f}s" if tantivy else "       -")
        )
    print(
        "(bm25s: its index from Citebot's terms, not counting reading; tantivy: its own tokenizer, from text)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
