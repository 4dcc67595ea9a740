"""The answer a command gives: verbatim quotes with speakers and citations (the JSON interface)."""

from __future__ import annotations

from pydantic import BaseModel, Field

Command = str  # "whosaid", "ask", "help", or a topic command of the domain file


class Source(BaseModel):
    """Another copy of the same story: saved twice, or syndicated by another outlet."""

    doc_id: str
    title: str | None = None
    outlet: str | None = None
    url: str | None = None
    date: str | None = None


class Citation(BaseModel):
    """Where a quote comes from."""

    doc_id: str
    title: str | None
    outlet: str | None
    author: str | None
    paragraph: int
    page: int | None = Field(default=None, description="The page, for a PDF.")
    date: str | None = None
    url: str | None = None
    also_in: list[Source] = Field(default_factory=list, description="Other copies of the same story.")


class Quote(BaseModel):
    """One verbatim quote with its speaker (when the text names one) and citation."""

    quote: str
    speaker: str | None
    speaker_kind: str | None = Field(default=None, description="person, group, outlet, author or article.")
    citation: Citation
    score: float
    facet: str | None = Field(default=None, description="The topic facet this quote answers, in overviews.")
    note: str | None = Field(default=None, description="Why this quote was preferred, when it matters.")
    spans: list[tuple[int, int]] = Field(description="Offsets of the quoted pieces in the article text.")


class Answer(BaseModel):
    """What a command answers: the quotes, or why there are none."""

    command: Command
    query: str
    found: bool
    answers: list[Quote]
    message: str | None = Field(default=None, description="Why nothing was found, usage, or help.")
    routed_from: Command | None = Field(default=None, description="Set when free text was routed.")
    speaker: str | None = Field(default=None, description="/whosaid <person>: whose statements these are.")
    title: str | None = Field(default=None, description="A topic command's heading, from the domain file.")
