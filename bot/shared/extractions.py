"""The extraction cache in the shared state, and a host's own folder in front of it."""

from __future__ import annotations

import logging

from bot.corpus import ExtractionCache
from bot.errors import StateUnavailable
from bot.shared.base import SharedState

logger = logging.getLogger(__name__)


class SharedExtractions:
    """The extraction cache (bot.corpus.ExtractionCache) in the shared state: a page one host
    extracted is not extracted again by another. A failure of the state is a miss, never an error."""

    def __init__(self, state: SharedState) -> None:
        self._state = state

    def get(self, key: str) -> str | None:
        try:
            return self._state.extraction(key)
        except StateUnavailable as exc:
            logger.debug("extraction cache unavailable: %s", exc)
            return None

    def put(self, key: str, record: str) -> None:
        try:
            self._state.keep_extraction(key, record)
        except StateUnavailable as exc:
            logger.debug("could not keep an extraction: %s", exc)


class LayeredExtractions:
    """This host's folder first, then the shared state; what only the state had is copied here."""

    def __init__(self, local: ExtractionCache | None, shared: ExtractionCache) -> None:
        self._local, self._shared = local, shared

    def get(self, key: str) -> str | None:
        if self._local is not None:
            record = self._local.get(key)
            if record is not None:
                return record
        record = self._shared.get(key)
        if record is not None and self._local is not None:
            self._local.put(key, record)
        return record

    def put(self, key: str, record: str) -> None:
        if self._local is not None:
            self._local.put(key, record)
        self._shared.put(key, record)
