"""Adding one saved web page to a shelf of 1,000 pages, end to end: `python -m benchmarks.add_page`.

Times `python -m bot add PAGE` (a new process, as a user runs it: read the shelf, check for duplicates,
copy, rebuild the index) on a shelf of synthetic HTML pages whose index is current, three times in the
same run: with the caches Citebot keeps in its index folder (what was extracted from each page, and what
each article contributes to the index), with only the second emptied (every article split, analysed and
attributed again), and with both emptied (every page also extracted again, as before either existed).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synth import vocabulary

ROOT = Path(__file__).resolve().parent.parent


def page(rng: random.Random, words: list[str], number: int) -> str:
    paragraphs = []
    for _ in range(12):
        sentences = []
        for _ in range(4):
            body = " ".join(rng.choice(words) for _ in range(rng.randint(12, 24)))
            sentences.append(body.capitalize() + ".")
        paragraphs.append(f"<p>{' '.join(sentences)}</p>")
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>Story {number} | Bench Gazette</title>"
        "<meta property='og:site_name' content='Bench Gazette'></head><body>"
        "<nav>Home | World | Sport | Weather</nav>"
        f"<article><h1>Story {number}</h1><p class='byline'>By Ann Writer</p>{''.join(paragraphs)}</article>"
        "<footer>Copyright Bench Gazette</footer></body></html>"
    )


def run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(
        command, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, cwd=ROOT
    )
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.add_page", description=__doc__)
    parser.add_argument("--pages", type=int, default=1000)
    args = parser.parse_args()
    rng = random.Random(5)
    words = vocabulary(20_000, rng)
    with tempfile.TemporaryDirectory(prefix="citebot-add-bench-") as tmp:
        shelf, state, new = Path(tmp) / "shelf", Path(tmp) / "state", Path(tmp) / "new"
        shelf.mkdir()
        new.mkdir()
        for number in range(args.pages):
            (shelf / f"story-{number:04d}.html").write_text(page(rng, words, number), encoding="utf-8")
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("CORPUS_", "STATE_", "INDEX_", "DOMAIN_"))
        }
        env |= {"STATE_DIR": str(state), "WATCH_CORPUS": "false"}
        bot = [sys.executable, "-m", "bot"]
        print(f"shelf of {args.pages:,} pages; first index (every page extracted) …", flush=True)
        first = run([*bot, "index", "--corpus", str(shelf)], env)
        timings = {}
        variants = (
            ("with both caches", ()),
            ("reading cache emptied", ("read",)),
            ("both caches emptied (before)", ("read", "extracted")),
        )
        for number, (label, emptied) in enumerate(variants):
            (new / f"new-{number}.html").write_text(page(rng, words, 10_000 + number), encoding="utf-8")
            for cache in emptied:
                shutil.rmtree(state / "index" / cache, ignore_errors=True)
            timings[label] = run([*bot, "add", "--corpus", str(shelf), str(new / f"new-{number}.html")], env)
        print(f"  first full index: {first:.1f} s")
        for label, seconds in timings.items():
            print(f"  add one page, {label}: {seconds:.2f} s")
        ratio = timings["both caches emptied (before)"] / timings["with both caches"]
        print(f"  the caches make adding {ratio:.1f}x faster (target: under 2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
