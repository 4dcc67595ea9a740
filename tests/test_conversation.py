"""Conversations with the bot, on small articles of our own: follow-up questions, the prompts a new
side-panel thread offers, the Home tab's overview, and the feedback buttons under every answer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

from bot.answers import answer, follow_up
from bot.answers.overview import shelf_overview
from bot.answers.suggest import suggested_prompts
from bot.corpus import load_corpus
from bot.domain import load_domain, shipped_domain
from bot.index import SearchIndex
from bot.render import FEEDBACK_ACTION, render, render_home
from tests.conftest import ROOT

TRADE = ROOT / "tests" / "domains" / "trade.toml"

OLDER = """---
title: Port workers vote to strike
outlet: The Harbour Gazette
date: 2025-03-01
---
Dock workers at the eastern port voted on Friday to strike over pay.

"We have waited three years for a fair offer," union leader Marta Quist said.

Port director Olaf Brenner said the strike would cost the port a million euros a day.

Quist added that the strike would last at least a week.
"""

NEWER = """---
title: Tariff talks stall over steel duties
outlet: Trade Weekly
date: 2025-04-02
url: https://example.org/steel
---
Negotiators failed on Tuesday to agree on duties for imported steel.

"The duties on steel will stay until the mills recover," trade minister Ilse Marr said.

Marta Quist said the dock workers would support any deal that saved jobs at the port.

Marr added that the talks would resume in May.
"""


@pytest.fixture
def shelf(write_corpus: Callable[[dict[str, str]], Path]) -> SearchIndex:
    return SearchIndex.build(load_corpus(write_corpus({"a-strike.md": OLDER, "b-steel.md": NEWER})))


# -- follow-ups ---------------------------------------------------------------------------------------


def test_a_follow_up_about_a_person_is_read_with_the_earlier_question() -> None:
    readings = follow_up(
        "and what did Marta Quist say?", "what about the strike at the port?", shipped_domain()
    )
    assert readings[0] == "/whosaid Marta Quist about what about the strike at the port"


def test_an_elliptical_follow_up_takes_the_earlier_question() -> None:
    assert follow_up("what about steel?", "what did the union want?", shipped_domain()) == [
        "what did the union want steel?"
    ]


@pytest.mark.parametrize(
    "question",
    [
        "what did Marta Quist say?",  # no continuation word: a question of its own
        "and?",  # nothing to add to
        "and who will decide on the duties for imported steel next year?",  # says what it asks
    ],
)
def test_questions_that_stand_alone_are_left_alone(question: str) -> None:
    assert follow_up(question, "what about the strike?", shipped_domain()) == []


def test_a_follow_up_is_answered_with_context_only_where_that_finds_something(shelf: SearchIndex) -> None:
    domain = shipped_domain()
    with_context = answer(
        "and what did Marta Quist say?", shelf, domain=domain, earlier="would a deal save the port?"
    )
    assert with_context.speaker == "Marta Quist"
    assert [q.citation.doc_id for q in with_context.answers] == ["b-steel.md"]
    alone = answer("and what did Marta Quist say?", shelf, domain=domain)
    assert alone.speaker == "Marta Quist" and "a-strike.md" in {q.citation.doc_id for q in alone.answers}
    # An earlier question she said nothing about: her words as asked, not "not found".
    unrelated = answer(
        "and what did Marta Quist say?", shelf, domain=domain, earlier="what about the weather?"
    )
    assert unrelated.found and unrelated.answers == alone.answers


# -- prompts for a new side-panel thread -------------------------------------------------------------


def test_prompts_come_from_the_shelf_and_its_domain(shelf: SearchIndex) -> None:
    prompts = suggested_prompts(shelf, load_domain(TRADE))
    assert 3 <= len(prompts) <= 4
    messages = [p.message for p in prompts]
    assert any("tariff" in p.title.lower() for p in prompts)  # the domain's topic command
    assert "What did Marta Quist say?" in messages  # the person quoted most
    newest = next(p for p in prompts if p.title.startswith("Newest"))
    assert "Tariff talks stall" in newest.title  # by date, not by file name order
    reply = answer(newest.message, shelf, domain=load_domain(TRADE))
    assert reply.found and reply.answers[0].citation.doc_id == "b-steel.md"


def test_an_empty_shelf_offers_help(write_corpus: Callable[[dict[str, str]], Path]) -> None:
    empty = SearchIndex.build(load_corpus(write_corpus({})))
    assert [p.message for p in suggested_prompts(empty, shipped_domain())] == ["help"]


def test_prompt_titles_are_short(shelf: SearchIndex) -> None:
    for prompt in suggested_prompts(shelf, shipped_domain()):
        assert len(prompt.title) <= 60


# -- the Home tab -------------------------------------------------------------------------------------


def test_the_home_tab_lists_articles_outlets_latest_and_commands(shelf: SearchIndex) -> None:
    view = render_home(shelf_overview(shelf, load_domain(TRADE)), [("how high are the duties?", 4)])
    View(**view).validate_json()
    for block in view["blocks"]:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()
    text = str(view)
    assert "*2 articles* from The Harbour Gazette (1), Trade Weekly (1)" in text
    assert "<https://example.org/steel|Tariff talks stall over steel duties>" in text
    assert text.index("Tariff talks stall") < text.index("Port workers vote")  # newest first
    assert "/tariffs" in text and "4 × how high are the duties?" in text


def test_the_home_tab_without_stored_questions_has_no_such_section(shelf: SearchIndex) -> None:
    view = render_home(shelf_overview(shelf, shipped_domain()), None)
    assert "Most asked" not in str(view)


def test_the_home_tab_escapes_article_text(write_corpus: Callable[[dict[str, str]], Path]) -> None:
    odd = "---\ntitle: Tom & Jerry <b>win</b>\noutlet: <!channel>\n---\nThe cat said nothing at all today.\n"
    index = SearchIndex.build(load_corpus(write_corpus({"odd.md": odd})))
    text = str(render_home(shelf_overview(index, shipped_domain()), None))
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text


# -- feedback buttons ---------------------------------------------------------------------------------


def test_answers_carry_feedback_buttons_help_does_not(shelf: SearchIndex) -> None:
    reply = render(answer("/whosaid Marta Quist", shelf), feedback="abc123")
    [row] = [b for b in reply.blocks if b["type"] == "context_actions"]
    buttons = row["elements"][0]
    assert buttons["action_id"] == FEEDBACK_ACTION == "feedback"
    assert buttons["positive_button"]["value"] == "positive:abc123"
    assert buttons["negative_button"]["value"] == "negative:abc123"
    not_found = render(answer("/ask what did the moon landing cost?", shelf), feedback="x")
    assert any(b["type"] == "context_actions" for b in not_found.blocks)
    for line in ("help", "/whosaid"):
        assert not any(
            b["type"] == "context_actions" for b in render(answer(line, shelf), feedback="x").blocks
        )
