"""Segments, measured: `python -m benchmarks.segments [--size 1m]`.

In one run, on a generated shelf (benchmarks/synth.py, kept in benchmarks/.data):
1. query latency with 1, 10 and 50 segments holding the same articles (a base segment, then the last
   49 articles added one at a time, or in 9 groups, or all built whole), with a check that all three
   rank alike; in-process BM25 search, top 10, the benchmark's queries;
2. a running server (`python -m bot serve`, watching the shelf) and `python -m bot add` of one new
   article: how long `add` takes, and how long after it returns the server first answers a signed
   `/ask` with the new article's quote (issue 15's target: 2 s).
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

from benchmarks.run import DATA
from benchmarks.synth import corpus as synthetic
from benchmarks.synth import queries
from bot.index import open_index
from tests.slack_kit import FORM, StandIn, post, sign, slash_command, start_server

SIZES = {"100k": 100_000, "1m": 1_000_000}
ADDED = 49  # articles added after the base build: 50 segments one by one
GROUPS = (5, 10, 16, 21, 27, 32, 38, 43, 49)  # after these many, the 10-segment index is updated


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.segments", description=__doc__)
    parser.add_argument("--size", default="1m", choices=sorted(SIZES))
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--data", type=Path, default=DATA)
    args = parser.parse_args()
    source = synthetic(args.data, args.size, SIZES[args.size])
    with tempfile.TemporaryDirectory(prefix="citebot-segments-") as temp:
        work = Path(temp)
        corpus, late = _shelf(source, work)
        latency = _latency(corpus, late, work, args.queries)
        add = _add_to_running_server(corpus, work / "index-1")
    print()
    print(f"{SIZES[args.size]:,} passages, {os.cpu_count()} cores, {args.queries} queries (top 10):")
    base = latency[1]
    for count, (p50, p99) in latency.items():
        print(
            f"  {count:>2} segments: p50 {p50:6.2f} ms  p99 {p99:6.2f} ms  ({p50 / base[0]:.2f}× one segment's p50)"
        )
    print(
        f"  add one article: `add` took {add['add_s']:.2f} s; answerable {add['answerable_s']:.2f} s after it"
    )
    print("  (target: 10 segments within 20 % of one; answerable within 2 s of add)")
    return 0


def _shelf(source: Path, work: Path) -> tuple[Path, list[Path]]:
    corpus = work / "corpus"
    shutil.copytree(source, corpus)
    files = sorted(corpus.glob("*.txt"))
    late = work / "late"
    late.mkdir()
    for path in files[-ADDED:]:
        path.rename(late / path.name)
    hour_ago = time.time() - 3600
    for path in corpus.iterdir():
        os.utime(path, (hour_ago, hour_ago))
    return corpus, sorted(late.iterdir())


def _latency(corpus: Path, late: list[Path], work: Path, count: int) -> dict[int, tuple[float, float]]:
    print("base build …", flush=True)
    open_index(corpus, work / "index-50")
    shutil.copytree(work / "index-50", work / "index-10")
    print(f"adding {ADDED} articles, one segment each (and in 9 groups) …", flush=True)
    for number, path in enumerate(late, start=1):
        shutil.copy2(path, corpus / path.name)
        os.utime(corpus / path.name, (time.time() - 3600,) * 2)
        open_index(corpus, work / "index-50")
        if number in GROUPS:
            open_index(corpus, work / "index-10")
    print("whole build …", flush=True)
    indexes = {1: open_index(corpus, work / "index-1")}
    indexes[10] = open_index(corpus, work / "index-10")
    indexes[50] = open_index(corpus, work / "index-50")
    assert [len(i.segments) for i in indexes.values()] == [1, 10, 50], [
        len(i.segments) for i in indexes.values()
    ]
    texts = queries(count)
    terms = [indexes[1].analyzer.tokenize(text) for text in texts]
    tops = {n: [[h.passage for h in index.search(t, 10)] for t in terms] for n, index in indexes.items()}
    if not tops[1] == tops[10] == tops[50]:
        raise SystemExit("the segmented indexes rank differently from the whole one")
    result = {}
    for n, index in indexes.items():
        samples = []
        for _ in range(2):  # the first round maps the pages in; the second is measured
            samples = []
            for t in terms:
                started = time.perf_counter()
                index.search(t, 10)
                samples.append((time.perf_counter() - started) * 1000)
        result[n] = (float(np.percentile(samples, 50)), float(np.percentile(samples, 99)))
    return result


def _add_to_running_server(corpus: Path, index_dir: Path) -> dict[str, float]:
    stand_in = StandIn().start()
    # Words alone, as issue 28's targets are: with MEANING on, the server spends both cores embedding a
    # million passages, and the add waits for a core (benchmarks.meaning measures that path).
    env = {"CORPUS_DIR": str(corpus), "INDEX_DIR": str(index_dir), "WATCH_CORPUS": "true", "MEANING": "off"}
    server = start_server(stand_in, "--corpus", str(corpus), env=env)
    try:
        article = corpus.parent / "zebraquokka.txt"
        article.write_text(
            "Zebraquokka report\n\nThe zebraquokka council voted to open the new harbour gate, officials said.\n",
            encoding="utf-8",
        )
        command = [sys.executable, "-m", "bot", "add", str(article)]
        child_env = {k: v for k, v in os.environ.items() if not k.startswith(("CORPUS_", "STATE_", "INDEX_"))}
        child_env |= {"CORPUS_DIR": str(corpus), "INDEX_DIR": str(index_dir)}
        started = time.perf_counter()
        subprocess.run(command, env=child_env, check=True, capture_output=True)
        added = time.perf_counter()
        while time.perf_counter() - added < 120:
            body = slash_command("/ask", "zebraquokka council harbour gate")
            reply = post(server.port, body, FORM, sign(body))
            if "voted to open the new harbour gate" in reply.body.decode("utf-8", "replace"):
                break
            time.sleep(0.05)
        else:
            raise SystemExit("the added article was not answered within 120 s")
        answered = time.perf_counter()
    finally:
        server.stop()
        stand_in.stop()
    return {"add_s": added - started, "answerable_s": answered - added}


if __name__ == "__main__":
    sys.exit(main())
