"""The README shows what the bot really prints: every `citebot>` line in it is asked again here."""

from __future__ import annotations

import re

from bot.answers import answer
from bot.index import SearchIndex
from bot.render import render_text
from tests.slack_kit import ROOT

_BLOCK = re.compile(r"```text\n(citebot> .*?)```", re.S)


def readme_examples() -> list[tuple[str, str]]:
    """(question, the answer the README shows) for every console example in the README."""
    examples = []
    for block in _BLOCK.findall((ROOT / "README.md").read_text("utf-8")):
        for turn in block.split("citebot> ")[1:]:
            question, _, shown = turn.partition("\n")
            examples.append((question, shown.strip()))
    return examples


def test_the_readme_has_examples() -> None:
    assert len(readme_examples()) >= 2


def test_readme_examples_are_what_the_bot_prints(seed_index: SearchIndex) -> None:
    for question, shown in readme_examples():
        printed = render_text(answer(question, seed_index)).strip()
        assert printed == shown, f"README shows for {question!r}:\n{shown}\n\nthe bot prints:\n{printed}"
