"""render: Answer -> text and Block Kit, judged by the output."""

from __future__ import annotations

import json

from slack_sdk.models.blocks import Block

from bot.answers import Answer, Citation, Quote, help_answer
from bot.domain import shipped_domain
from bot.render import MAX_SECTION_CHARS, SHARE_ACTION, apology, escape, render, render_text
from bot.slack.inbound import decode


def quote(text: str = "Officials say troops & tanks <will> deploy.", **changes: object) -> Quote:
    fields: dict[str, object] = {
        "quote": text,
        "speaker": "U.K. Prime Minister Keir Starmer",
        "speaker_kind": "person",
        "citation": Citation(
            doc_id="a.txt", title="Title <b>", outlet="Outlet & Co", author=None, paragraph=4
        ),
        "score": 1.5,
        "spans": [(0, len(text))],
    }
    return Quote.model_validate(fields | changes)


def found(*quotes: Quote, query: str = "troops") -> Answer:
    return Answer(command="ask", query=query, found=True, answers=list(quotes))


def valid(blocks: list[dict[str, object]]) -> None:
    for block in blocks:
        parsed = Block.parse(block)
        assert parsed is not None
        parsed.validate_json()


def test_quote_is_a_block_quote_with_bold_speaker_and_source_context() -> None:
    reply = render(found(quote()))
    valid(reply.blocks)
    section, context = reply.blocks[1], reply.blocks[2]
    assert (
        section["text"]["text"]
        == "*U.K. Prime Minister Keir Starmer*\n>Officials say troops &amp; tanks &lt;will&gt; deploy."
    )
    assert section["text"]["verbatim"] is True
    assert context["type"] == "context"
    assert context["elements"][0]["text"] == "Title &lt;b&gt; · Outlet &amp; Co · paragraph 4"


def test_text_fallback_is_always_there_and_escaped() -> None:
    reply = render(found(quote()))
    assert "Officials say troops &amp; tanks &lt;will&gt; deploy." in reply.text
    assert "<" not in reply.text


def test_share_button_only_for_found_answers_with_a_short_value() -> None:
    with_button = render(found(quote()), share="/ask troops")
    assert with_button.blocks[-1]["elements"][0]["action_id"] == SHARE_ACTION
    assert render(found(quote()), share="x" * 2001).blocks[-1]["type"] != "actions"
    not_found = Answer(command="ask", query="cake", found=False, answers=[], message="Nothing.")
    assert all(b["type"] != "actions" for b in render(not_found, share="/ask cake").blocks)


def test_shared_by_mentions_only_a_real_user_id() -> None:
    assert "<@U0001>" in json.dumps(render(found(quote()), shared_by="U0001").blocks)
    assert "<@" not in json.dumps(render(found(quote()), shared_by="<!channel>").blocks)


def test_long_quotes_fit_slacks_section_limit() -> None:
    reply = render(found(quote("word " * 2000)))
    valid(reply.blocks)
    assert all(len(b["text"]["text"]) <= MAX_SECTION_CHARS for b in reply.blocks if b["type"] == "section")


def test_many_quotes_stay_within_50_blocks() -> None:
    reply = render(found(*[quote(f"Quote number {i}.") for i in range(40)]))
    valid(reply.blocks)
    assert len(reply.blocks) <= 50


def test_url_links_the_title_only_for_http_urls() -> None:
    safe = quote(
        citation=Citation(doc_id="a", title="T", outlet=None, author=None, paragraph=1, url="https://x.org/a")
    )
    unsafe = quote(
        citation=Citation(
            doc_id="a", title="T", outlet=None, author=None, paragraph=1, url="javascript:alert(1)"
        )
    )
    assert "<https://x.org/a|T>" in json.dumps(render(found(safe)).blocks)
    assert "javascript" not in json.dumps(render(found(unsafe)).blocks)


def test_article_voice_has_no_speaker_line_and_facets_are_labelled() -> None:
    reply = render(found(quote(speaker="the article “T”", speaker_kind="article", facet="Size")))
    assert reply.blocks[1]["text"]["text"] == "*Size*\n>Officials say troops &amp; tanks &lt;will&gt; deploy."


def test_help_and_apology_are_valid_messages() -> None:
    for reply in (render(help_answer(shipped_domain())), apology()):
        valid(reply.blocks)
        assert reply.text


def test_plain_text_rendering() -> None:
    text = render_text(found(quote()))
    assert "1. Officials say troops & tanks <will> deploy." in text
    assert "— U.K. Prime Minister Keir Starmer" in text and "paragraph 4" in text


def test_escape() -> None:
    assert escape("a & <b> > c") == "a &amp; &lt;b&gt; &gt; c"


def test_decode_slack_text() -> None:
    assert decode("<@UBOT> who said &lt;this&gt; &amp; that?", drop_user="UBOT") == "who said <this> & that?"
    assert decode("<!channel> <!here> <!subteam^S1|@team> troops") == "troops"
    assert decode("see <https://x.org|the report> and <https://y.org> in <#C1|general>") == (
        "see https://x.org and https://y.org in #general"
    )
    assert decode("write to <mailto:ann@x.org|Ann>") == "write to ann@x.org"
    assert decode("<@U1|ann> asked") == "@ann asked"
