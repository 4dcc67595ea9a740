"""Do adds hold up answers? `python -m benchmarks.adds [--questions N] [--adds N]`.

Starts `python -m bot serve` on a copy of the seeds and asks the same signed `/ask` questions twice in
one run: on a quiet server, then while N people each add a link to a site on 127.0.0.1 that drips its
page (a few bytes a second, as a slow or hostile site does). Prints the answer times side by side;
before adds had their own queue, every answer waited behind the adds (about 45 s with six).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from tests.slack_kit import FORM, ROOT, Drip, StandIn, post, sign, slash_command, start_server

QUESTIONS = ("How many troops would Europe send?", "/whosaid a long shot", "What does Moscow say?")


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def answer_times(port: int, count: int) -> list[float]:
    """Milliseconds for `count` signed /ask questions, one at a time."""
    times = []
    for n in range(count):
        body = slash_command("/ask", QUESTIONS[n % len(QUESTIONS)])
        started = time.perf_counter()
        reply = post(port, body, FORM, sign(body))
        times.append((time.perf_counter() - started) * 1000)
        assert reply.status == 200, reply.status
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--questions", type=int, default=60)
    parser.add_argument("--adds", type=int, default=6)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="citebot-bench-adds-"))
    corpus = work / "articles"
    shutil.copytree(ROOT / "seeds", corpus)
    api, drip = StandIn().start(), Drip(size=32, every=1.0, most=60.0)
    server = start_server(
        api, env={"CORPUS_DIR": str(corpus), "STATE_DIR": str(work / "state"), "FETCH_ALLOW_PRIVATE": "true"}
    )
    try:
        answer_times(server.port, 5)  # warm
        quiet = answer_times(server.port, args.questions)
        for person in range(args.adds):
            body = slash_command("/ask", f"add {drip.url}?n={person}", user_id=f"U9{person:03d}")
            post(server.port, body, FORM, sign(body))
        time.sleep(1.0)
        busy = answer_times(server.port, args.questions)
    finally:
        server.stop()
        drip.stop()
        api.stop()
        shutil.rmtree(work, ignore_errors=True)
    print(f"/ask through the server, {args.questions} questions each (ms):")
    print(f"{'':28}{'p50':>8}{'p99':>8}{'max':>8}{'mean':>8}")
    for label, times in (("quiet", quiet), (f"{args.adds} dripping adds", busy)):
        row = [percentile(times, 0.5), percentile(times, 0.99), max(times), statistics.fmean(times)]
        print(f"{label:28}" + "".join(f"{value:8.1f}" for value in row))


if __name__ == "__main__":
    main()
