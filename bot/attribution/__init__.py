"""Who said what: statements and their speakers, attributed from the text itself.

`attribute` reads one article's sentences in order and gives each its statements (`attribute.py`);
`names` finds the people an article names and `people` makes them the people of a corpus; `sources`
finds a sentence's cue and source, `choice` chooses among the candidate speakers, `marks` reads
quotation and clause marks; `models` holds what attribution produces.
"""

from bot.attribution.attribute import Decide, attribute, attribute_recorded, voice_of
from bot.attribution.models import (
    Person,
    Speaker,
    Statement,
    StatementKind,
    speaker_key,
    speaks_for_passage,
)
from bot.attribution.names import article_names, people_of, titled_names
from bot.attribution.people import Lookup, People, lookups_hold, name_key

__all__ = [
    "Decide",
    "Lookup",
    "People",
    "Person",
    "Speaker",
    "Statement",
    "StatementKind",
    "article_names",
    "attribute",
    "attribute_recorded",
    "lookups_hold",
    "name_key",
    "people_of",
    "speaker_key",
    "speaks_for_passage",
    "titled_names",
    "voice_of",
]
