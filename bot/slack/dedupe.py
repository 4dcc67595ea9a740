"""Remember which Events API deliveries were handled, so that Slack's retries are not answered twice."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from typing import Protocol


class SeenEvents(Protocol):
    """A record of handled event ids."""

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True if it was not seen before."""
        ...


class MemorySeenEvents:
    """Event ids seen in the last `ttl` seconds, in this process (at most `size` of them)."""

    def __init__(self, *, ttl: float = 3600.0, size: int = 50_000) -> None:
        self._ttl = ttl
        self._size = size
        self._seen: OrderedDict[str, float] = OrderedDict()
        self._lock = threading.Lock()

    def first_time(self, event_id: str) -> bool:
        """Record `event_id`; True if it was not seen before."""
        now = time.monotonic()
        with self._lock:
            while self._seen and (
                len(self._seen) >= self._size or next(iter(self._seen.values())) < now - self._ttl
            ):
                self._seen.popitem(last=False)
            if event_id in self._seen:
                return False
            self._seen[event_id] = now
            return True
