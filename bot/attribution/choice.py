"""Which of a sentence's candidate speakers said it: rules propose, a small learned model chooses.

Attribution proposes, for each sentence, the speakers it could have: the source of the sentence's own
cue, the speaker of a quotation still open from the sentence before, the last speaker of the paragraph
(or of the one before), the speaker of an attribution that ended in a colon, and the article's own
voice. Each candidate is described by features of general English news writing (the cue's kind and what
follows it, quotation marks, how far back a carried speaker spoke), never by words of an article.

A logistic regression trained on people's annotations (`scripts/train_attribution.py`, PolNeAR)
scores every candidate; the best one speaks. Its weights are a small data file (`chooser.json`) read
once per process; without it the rules' own order decides (`rule_choice`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Literal

from pydantic import BaseModel

from bot.attribution.grammar import Source, tokens
from bot.attribution.lexicon import lexicon
from bot.attribution.marks import QUOTE
from bot.attribution.models import Speaker

Origin = Literal["cue", "open", "last", "colon", "voice"]
ORIGINS: tuple[Origin, ...] = ("cue", "open", "last", "colon", "voice")
MODEL_FILE = "chooser.json"

_FIRST_PERSON = frozenset({"i", "we", "my", "our", "me", "us"})
_WINDOW = 40  # characters either side of a cue that its features read
_MODALS = frozenset("would could might may should must can will".split())


@dataclass(frozen=True, slots=True)
class Candidate:
    """A speaker a sentence may have (None: the article's own voice), where it came from, and what
    describes it. `rule` is True where the rules alone would accept it.

    `describe` works the features out when asked: a sentence with one candidate, most of them, needs
    none to be chosen."""

    speaker: Speaker | None
    origin: Origin
    describe: Callable[[], Mapping[str, float]]
    rule: bool = True

    @property
    def features(self) -> Mapping[str, float]:
        return self.describe()


@dataclass(frozen=True, slots=True)
class Sentence:
    """What attribution knows about one sentence when it weighs its candidates."""

    text: str
    masked: str  # quotations blanked
    was_open: bool  # a quotation was open when it began
    open_at_end: bool
    only_quotation: bool
    first_in_paragraph: bool


class Chooser(BaseModel):
    """A linear model over candidate features: the candidate with the highest score speaks."""

    version: int = 1
    trained_on: str = ""
    bias: float = 0.0
    weights: dict[str, float]

    def score(self, candidate: Candidate) -> float:
        return self.bias + sum(
            self.weights.get(name, 0.0) * value for name, value in candidate.features.items()
        )

    def choose(self, candidates: Sequence[Candidate]) -> Candidate:
        """The best-scoring candidate; on a tie, the rules' earlier one."""
        if len(candidates) == 1:
            return candidates[0]
        best = candidates[0]
        best_score = -math.inf
        for candidate in candidates:
            value = self.score(candidate)
            if value > best_score + 1e-9:
                best, best_score = candidate, value
        return best


def rule_choice(candidates: Sequence[Candidate]) -> Candidate:
    """The rules' order: the first candidate the rules accept (the voice always is)."""
    return next(c for c in candidates if c.rule)


@cache
def packaged_chooser() -> Chooser | None:
    """The trained model shipped with Citebot, or None when the file is missing (the rules decide)."""
    try:
        text = resources.files("bot.attribution").joinpath(MODEL_FILE).read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    return Chooser.model_validate(json.loads(text))


def choose(candidates: Sequence[Candidate], chooser: Chooser | None) -> Candidate:
    return chooser.choose(candidates) if chooser is not None else rule_choice(candidates)


# ----------------------------------------------------------------------------------------------
# Features


def sentence_features(sentence: Sentence) -> dict[str, float]:
    """Features of the sentence itself, the same for each of its candidates."""
    words = [t.lower for t in tokens(sentence.masked) if t.text[:1].isalnum()]
    total = max(len(sentence.text.split()), 1)
    return {
        "quoted_share": 1 - min(len(words), total) / total,  # a few scare-quoted words, or a quotation
        "quote": float(bool(QUOTE.search(sentence.text))),
        "only_quote": float(sentence.only_quotation),
        "was_open": float(sentence.was_open),
        "open_at_end": float(sentence.open_at_end),
        "first_person": float(not _FIRST_PERSON.isdisjoint(words)),
        "first_in_paragraph": float(sentence.first_in_paragraph),
        "words": min(len(sentence.text.split()), 60) / 60,
    }


def cue_features(source: Source, sentence: Sentence) -> dict[str, float]:
    """Features of the cue a source was found at: its kind, what follows it, where it stands."""
    lex = lexicon()
    cue = source.cue.lower()
    first = cue.split()[0] if cue else ""
    if cue == "according to":
        kind = "according"
    elif not cue or not first.isalpha():
        kind = "label"  # "Name: …", a signature
    elif first in lex.speech_forms:
        kind = "speech"
    elif first in lex.cue_forms:
        kind = "thought"
    elif first in {"is", "are", "was", "were", "been", "be"}:
        kind = "stance"
    else:
        kind = "other"
    # Only the words next to the cue matter: a window around it, not the whole sentence, is read.
    window = sentence.masked[source.start : source.start + len(cue) + _WINDOW]
    after = [t.lower for t in tokens(window)][len(cue.split()) :][:2]
    nxt = after[0] if after else ""
    if nxt in {"that", "to", ":", ","}:
        follows = nxt
    elif nxt in {'"', "“", "``", "''", "”"}:
        follows = "quote"
    elif not nxt or nxt in {".", "!", "?"}:
        follows = "end"
    else:
        follows = "word"
    before = [t.lower for t in tokens(sentence.masked[max(0, source.start - _WINDOW) : source.start])]
    length = max(len(sentence.masked), 1)
    quote_before = bool(QUOTE.search(sentence.text[: source.start]))
    # Not the source's kind (a name, a description, a group): the annotated cases it is trained on
    # name their sources, so it would learn that a description never speaks.
    return {
        f"cue:{kind}": 1.0,
        f"follows:{follows}": 1.0,
        f"cue:{kind}:follows:{follows}": 1.0,
        "position": source.start / length,
        "quote_before_cue": float(quote_before),
        "modal": float(bool(before) and before[-1] in _MODALS),
        "role": float(source.role is not None),
    }


def features(
    origin: Origin, sentence: dict[str, float], own: Mapping[str, float] | None = None
) -> dict[str, float]:
    """A candidate's features, each named after its origin, so that every origin weighs the sentence
    in its own way."""
    out: dict[str, float] = {origin: 1.0}
    out.update({f"{origin}|{name}": value for name, value in sentence.items()})
    out.update({f"{origin}|{name}": value for name, value in (own or {}).items()})
    return out
