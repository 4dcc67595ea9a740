"""Shared fixtures: the shipped seed articles, their index, and a factory for small corpora."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from bot.corpus import Corpus, load_corpus
from bot.index import SearchIndex
from tests.pg_kit import Postgres, remove, start_postgres
from tests.slack_kit import StandIn

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
OWN_ARTICLES = ROOT / "tests" / "articles"  # small articles we wrote, in English and other languages


@pytest.fixture(scope="session", autouse=True)
def words_alone_unless_asked() -> Iterator[None]:
    """Embedding a shelf takes a CPU for seconds to minutes: servers and commands that tests start rank
    by words alone unless a test asks for meaning (MEANING=on; tests/test_meaning.py and the like)."""
    before = os.environ.get("MEANING")
    os.environ["MEANING"] = "off"
    yield
    if before is None:
        os.environ.pop("MEANING", None)
    else:
        os.environ["MEANING"] = before


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_corpus() -> Corpus:
    return load_corpus(SEEDS)


@pytest.fixture(scope="session")
def seed_index(seed_corpus: Corpus) -> SearchIndex:
    return SearchIndex.build(seed_corpus)


@pytest.fixture(scope="session")
def own_index() -> SearchIndex:
    """The index of tests/articles."""
    return SearchIndex.build(load_corpus(OWN_ARTICLES))


@pytest.fixture
def write_corpus(tmp_path: Path) -> Callable[[dict[str, str | bytes]], Path]:
    """Write {file name: text or bytes} into a fresh folder and return it."""

    def write(files: dict[str, str | bytes]) -> Path:
        folder = tmp_path / "corpus"
        folder.mkdir(exist_ok=True)
        for name, content in files.items():
            path = folder / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(content, bytes):
                path.write_bytes(content)
            else:
                path.write_text(content, encoding="utf-8")
        return folder

    return write


@pytest.fixture
def stand_in() -> Iterator[StandIn]:
    """A stand-in Slack Web API on 127.0.0.1, fresh for each test."""
    api = StandIn().start()
    yield api
    api.stop()


@pytest.fixture(scope="session")
def postgres() -> Iterator[Postgres]:
    """A throwaway PostgreSQL server for the whole run (fails, never skips, without the binaries)."""
    server = start_postgres()
    yield server
    remove(server)
