"""Citebot at scale, measured in one run: `python -m benchmarks.run` (or `sh scripts/benchmark`).

For synthetic corpora of 10k, 100k and 1M sentence passages it prints index build time, load time,
resident memory and query p50/p99 for Citebot's engine, for rank-bm25's BM25Okapi (the reference:
same variant, same terms; its queries are sampled at 1M) and for bm25s, with the ratio; then the
same through the real HTTP server: `python -m bot serve`, signed `/ask` requests one at a time, words
alone (MEANING=off: with the model on, a server at a million passages spends its cores embedding the
shelf for hours, and `python -m benchmarks.meaning` measures that path).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import psutil

from benchmarks.synth import corpus as synthetic
from benchmarks.synth import queries
from tests.slack_kit import FORM, StandIn, get, post, sign, slash_command, start_server

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "benchmarks" / ".data"
SIZES = {"10k": 10_000, "100k": 100_000, "1m": 1_000_000}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--sizes", default="10k,100k,1m", help="comma-separated: 10k, 100k, 1m")
    parser.add_argument("--queries", type=int, default=300, help="queries per engine and size")
    parser.add_argument("--reference-at-1m", type=int, default=12, help="rank-bm25 queries sampled at 1M")
    parser.add_argument("--data", type=Path, default=DATA, help="where the corpora are generated (kept)")
    parser.add_argument("--skip-bm25s", action="store_true")
    args = parser.parse_args()
    results = []
    for label in args.sizes.split(","):
        size = SIZES[label.strip().lower()]
        corpus = synthetic(args.data, label, size)
        row: dict[str, Any] = {"label": label, "passages": size}
        print(f"[{label}] building the index (python -m bot index) …", flush=True)
        row["build"] = _index(corpus)
        print(f"[{label}] Citebot engine …", flush=True)
        row["citebot"] = _task("citebot", corpus, args.queries)
        reference_queries = args.queries if size < 1_000_000 else args.reference_at_1m
        print(f"[{label}] rank-bm25 ({reference_queries} queries) …", flush=True)
        row["rank-bm25"] = _task("rank-bm25", corpus, reference_queries)
        row["agree"] = _agreement(row["citebot"]["tops"], row["rank-bm25"]["tops"])
        if not args.skip_bm25s:
            print(f"[{label}] bm25s …", flush=True)
            row["bm25s"] = _task("bm25s", corpus, args.queries)
        print(f"[{label}] end to end over HTTP …", flush=True)
        row["http"] = _http(corpus, args.queries)
        results.append(row)
        _print_table(results)
    return 0


def _index(corpus: Path) -> dict[str, float]:
    started = time.perf_counter()
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "index", "--corpus", str(corpus)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _, status, usage = os.wait4(process.pid, 0)
    if status != 0:
        raise RuntimeError("python -m bot index failed")
    return {"seconds": time.perf_counter() - started, "peak_mb": usage.ru_maxrss / 1024}


def _task(name: str, corpus: Path, count: int) -> dict[str, Any]:
    return in_own_process("benchmarks.tasks", name, str(corpus), str(count))


def in_own_process(module: str, *args: str) -> dict[str, Any]:
    """Run `python -m module args…` (one measurement, its memory its own); the JSON on its last line."""
    output = subprocess.run(
        [sys.executable, "-m", module, *args], check=True, capture_output=True, text=True, cwd=ROOT
    ).stdout
    result: dict[str, Any] = json.loads(output.strip().splitlines()[-1])
    return result


def _agreement(ours: list[list[int]], reference: list[list[int]]) -> str:
    same = sum(1 for a, b in zip(ours, reference, strict=False) if a == b)
    return f"{same}/{len(reference)}"


def _http(corpus: Path, count: int) -> dict[str, float]:
    stand_in = StandIn().start()
    started = time.perf_counter()
    server = start_server(
        stand_in, "--corpus", str(corpus), env={"CORPUS_DIR": str(corpus), "MEANING": "off"}
    )
    ready_s = time.perf_counter() - started
    samples = []
    try:
        for text in queries(count):
            body = slash_command("/ask", text)
            reply = post(server.port, body, FORM, sign(body))
            if reply.status != 200:
                raise RuntimeError(f"/ask answered {reply.status}")
            samples.append(reply.elapsed * 1000)
        rss = psutil.Process(server.process.pid).memory_info().rss / 2**20
        assert get(server.port, "/healthz").status == 200
    finally:
        server.stop()
        stand_in.stop()
    values = np.array(samples)
    return {
        "ready_s": ready_s,
        "p50_ms": float(np.percentile(values, 50)),
        "p99_ms": float(np.percentile(values, 99)),
        "rss_mb": rss,
    }


def _print_table(results: list[dict[str, Any]]) -> None:
    print()
    print("Engine (BM25 scores + top 10, one process each; same passages, same terms):")
    print(
        f"{'passages':>9} | {'build':>7} {'load':>6} {'RSS':>7} {'p50':>8} {'p99':>8} | "
        f"{'rank-bm25 build':>15} {'RSS':>7} {'p50':>9} {'p99':>9} | {'p50 ratio':>9} {'top10 same':>10} | "
        f"{'bm25s p50':>9} {'p99':>8}"
    )
    for row in results:
        ours, ref = row["citebot"], row["rank-bm25"]
        bm25s = row.get("bm25s")
        print(
            f"{row['passages']:>9,} | {row['build']['seconds']:>6.1f}s {ours['load_s']:>5.2f}s {ours['rss_mb']:>5.0f}MB "
            f"{ours['p50_ms']:>6.2f}ms {ours['p99_ms']:>6.2f}ms | "
            f"{ref['build_s']:>14.1f}s {ref['rss_mb']:>5.0f}MB {ref['p50_ms']:>7.1f}ms {ref['p99_ms']:>7.1f}ms | "
            f"{ref['p50_ms'] / ours['p50_ms']:>8.0f}x {row['agree']:>10} | "
            + (f"{bm25s['p50_ms']:>7.2f}ms {bm25s['p99_ms']:>6.2f}ms" if bm25s else "")
        )
    print()
    print(
        "End to end: python -m bot serve, signed /ask one at a time (ready = process start to /healthz 200):"
    )
    print(
        f"{'passages':>9} | {'ready':>7} {'p50':>8} {'p99':>8} {'server RSS':>10} | {'index build':>11} {'peak':>7}"
    )
    for row in results:
        http = row["http"]
        print(
            f"{row['passages']:>9,} | {http['ready_s']:>6.2f}s {http['p50_ms']:>6.2f}ms {http['p99_ms']:>6.2f}ms "
            f"{http['rss_mb']:>8.0f}MB | {row['build']['seconds']:>10.1f}s {row['build']['peak_mb']:>5.0f}MB"
        )
    print(flush=True)


if __name__ == "__main__":
    sys.exit(main())
