"""One rule for copies (bot/copies.py), and `add` checking against what the index holds.

The stories are our own: a harbour report, a copy of it from another outlet, the same report saved
again, and a follow-up that repeats less than half of it."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.config import default_index_folder
from bot.copies import article_keys, closest, copy_key, same_story
from bot.corpus import article_from_bytes, load_corpus
from bot.domain import shipped_domain
from bot.index import open_index, shelf_held
from bot.shelf import Held, Shelf

REPORT = [
    "The ferry line will run three crossings a day from November, the port authority said.",
    "Fees for lorries rise in spring, two months earlier than the operator had planned.",
    "The harbour handled more passengers last year than in any year since the bridge opened.",
    "Residents of the island want a morning boat kept in the winter timetable as well.",
]
FOLLOW_UP = [
    REPORT[0],
    "On Thursday the council asked the operator to publish the winter timetable by October.",
    "Two councillors said the morning boat was the only way to reach the mainland school on time.",
    "The operator has not said whether it will keep the earliest crossing after the spring.",
]


def _page(title: str, outlet: str, sentences: list[str]) -> str:
    return f"---\ntitle: {title}\noutlet: {outlet}\n---\n\n" + "\n\n".join(sentences) + "\n"


def _article(text: str, name: str = "story.md"):  # type: ignore[no-untyped-def]
    return article_from_bytes(text.encode(), name, ".md")


@pytest.fixture
def shelf(tmp_path: Path) -> Path:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "harbour.md").write_text(_page("Ferry plan", "Island Post", REPORT), encoding="utf-8")
    (folder / "school.md").write_text(
        _page("School run", "Island Post", ["The school bus will leave ten minutes earlier from Monday on."]),
        encoding="utf-8",
    )
    return folder


def test_a_copy_key_ignores_quotes_dashes_and_spacing_but_not_words() -> None:
    a = copy_key("The ferry line will run “three crossings” a day — from November.")
    assert a == copy_key('The  ferry line will run "three crossings" a day - from November.')
    assert a != copy_key("The ferry line will run four crossings a day - from November.")
    assert copy_key("Kyiv disagrees.") == ""  # too short to tell a copy from a coincidence


def test_closest_is_the_article_holding_most_of_the_keyed_passages() -> None:
    assert closest([3, 3, -1, 5]) == (3, 0.5)
    assert closest([-1, -1]) == (None, 0.0)
    assert closest([]) == (None, 0.0)
    assert same_story(0.5) and not same_story(0.49)


def test_add_and_the_index_agree_on_what_is_the_same_story(shelf: Path) -> None:
    """A follow-up repeating a quarter of the report is a new story for both; a syndicated copy is the
    same story for both: `add` notes it, and the index lists each copy on the other."""
    adder = Shelf(shelf)
    follow = adder.add_data(_page("Timetable", "Island Post", FOLLOW_UP).encode(), "follow.md", "follow.md")
    wire = adder.add_data(_page("Ferry plan", "Coast Wire", REPORT).encode(), "wire.md", "wire.md")
    assert follow.doc_id == "follow.md" and follow.note is None
    assert wire.doc_id == "wire.md" and "the same story as harbour.md" in str(wire.note)
    index = open_index(shelf)
    also = {doc_id: a.also_in for doc_id, a in index.articles.items()}
    assert also["harbour.md"] == ("wire.md",) and also["wire.md"] == ("harbour.md",)
    assert also["follow.md"] == ()


def test_the_same_story_from_the_same_outlet_is_refused_only_when_almost_all_of_it_is_there(
    shelf: Path,
) -> None:
    adder = Shelf(shelf)
    resaved = adder.add_data(
        _page("Ferry plan (updated)", "Island Post", REPORT).encode(), "again.md", "again.md"
    )
    assert resaved.doc_id is None and "duplicate of harbour.md" in str(resaved.refused)
    grown = REPORT[:3] + FOLLOW_UP[1:]  # three of six sentences repeated: same story, new text kept
    kept = adder.add_data(_page("Ferry plan", "Island Post", grown).encode(), "grown.md", "grown.md")
    assert kept.doc_id == "grown.md" and "the same story as harbour.md" in str(kept.note)


def _folder_held(shelf: Path) -> Held:
    """What the shelf holds, read from its files (what `add` does without an index)."""
    return Shelf(shelf).held


def test_the_index_holds_what_reading_the_folder_gives(shelf: Path) -> None:
    open_index(shelf)
    knowledge = shipped_domain().knowledge()
    held = shelf_held(default_index_folder(shelf), shelf, knowledge)
    assert held is not None
    folder = _folder_held(shelf)
    assert sorted(held.names) == sorted(folder.names)
    assert held.by_digest == folder.by_digest
    assert set(held.keys.tolist()) == set(folder.keys.tolist()) | set(folder.more_keys)
    for article in load_corpus(shelf).articles:
        number, share = held.closest(article)
        assert number is not None and held.names[number] == article.doc_id and share == 1.0


def test_add_with_an_index_reads_only_the_new_article_and_what_changed(shelf: Path) -> None:
    open_index(shelf)
    knowledge = shipped_domain().knowledge()
    folder = default_index_folder(shelf)
    # Changed since the index was saved: the report now holds other sentences, so a copy of the old
    # report is no longer the same story; the index's copy keys for it must not be used.
    (shelf / "harbour.md").write_text(_page("Ferry plan", "Island Post", FOLLOW_UP[1:]), encoding="utf-8")
    held = shelf_held(folder, shelf, knowledge)
    assert held is not None and "harbour.md" not in held.names
    adder = Shelf(shelf, held=held)
    copy = adder.add_data(_page("Ferry plan", "Island Post", REPORT).encode(), "old.md", "old.md")
    assert copy.doc_id == "old.md", copy.refused  # checked against the changed file, read afresh
    again = adder.add_data(_page("Timetable", "Island Post", FOLLOW_UP[1:]).encode(), "again.md", "again.md")
    assert again.doc_id is None and "duplicate of harbour.md" in str(again.refused)


def test_no_usable_index_means_the_folder_is_read(shelf: Path, tmp_path: Path) -> None:
    knowledge = shipped_domain().knowledge()
    assert shelf_held(tmp_path / "no-index", shelf, knowledge) is None
    keys = article_keys(_article(_page("Ferry plan", "Island Post", REPORT)))
    assert len(keys) == len(REPORT) and keys.dtype == np.uint64
