"""What the shared state costs an event: `python -m benchmarks.state [--events N]`.

Slack's events are claimed in the shared state before they are acknowledged, so the claim is on the
path Slack times (3 seconds). This starts `python -m bot serve` twice in one run, once on the default
SQLite file and once on a throwaway PostgreSQL server started from the machine's binaries (as the
tests do), sends the same signed events to each, one at a time, and prints the acknowledgement times
side by side, with the in-process time of one claim in each backend.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from bot.shared import open_state
from tests.pg_kit import remove, start_postgres
from tests.slack_kit import JSON, StandIn, event_callback, mention_event, post, sign, start_server


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def acks(env: dict[str, str], events: int, label: str) -> list[float]:
    """Acknowledgement times (ms) of `events` signed mentions sent one at a time to a fresh server."""
    api = StandIn().start()
    server = start_server(api, env=env)
    try:
        times = []
        for n in range(events):
            body = event_callback(mention_event("how many troops?", ts=f"{n}.1"), f"EvBench{label}{n}")
            started = time.perf_counter()
            reply = post(server.port, body, JSON, sign(body))
            times.append((time.perf_counter() - started) * 1000)
            assert reply.status == 200, reply.status
        api.wait_for("chat.postMessage", count=events, timeout=120)
        return times
    finally:
        server.stop()
        api.stop()


def claims(url: str, count: int) -> list[float]:
    """In-process time (ms) of claiming and finishing one new event."""
    state = open_state(url)
    try:
        times = []
        for n in range(count):
            started = time.perf_counter()
            assert state.claim_event(f"EvClaim{n}") == "new"
            state.finish_event(f"EvClaim{n}")
            times.append((time.perf_counter() - started) * 1000)
        return times
    finally:
        state.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--events", type=int, default=300)
    args = parser.parse_args()
    postgres = start_postgres()
    folder = Path(tempfile.mkdtemp(prefix="citebot-bench-state-"))
    try:
        backends = {
            "sqlite": f"sqlite:///{folder / 'events.sqlite3'}",
            "postgres": postgres.new_database("bench"),
        }
        rows = []
        for name, url in backends.items():
            env = {"STATE_URL": url, "STATE_DIR": str(folder / name)}
            ack = acks(env, args.events, name)
            claim = claims(url, args.events)
            rows.append((name, ack, claim))
        print(f"{args.events} signed events, one at a time, through `python -m bot serve` (1 worker)")
        print(f"{'state':<10} {'ack p50':>9} {'ack p99':>9} {'claim p50':>10} {'claim p99':>10}")
        for name, ack, claim in rows:
            print(
                f"{name:<10} {statistics.median(ack):>7.2f}ms {percentile(ack, 0.99):>7.2f}ms "
                f"{statistics.median(claim):>8.3f}ms {percentile(claim, 0.99):>8.3f}ms"
            )
    finally:
        remove(postgres)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
