"""Who said what in one article: each sentence's speaker, read in order.

Each sentence (passage) is read with its quotations masked; its cue and source come from
`sources.find_source`. A named source is resolved to a person of the corpus (`people.People`), a
pronoun to the last person who spoke, and a sentence inside a quotation that runs over several
sentences or continues the previous paragraph to that quotation's speaker; the rules propose those
candidates and `choice` picks one. A sentence with no source is the article's own voice: its author
where the article names one, else its outlet, else the article.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cache

from bot.attribution.choice import (
    Candidate,
    Sentence,
    choose,
    cue_features,
    features,
    packaged_chooser,
    sentence_features,
)
from bot.attribution.grammar import Source
from bot.attribution.lexicon import lexicon
from bot.attribution.marks import CLAUSE_SPLIT, QUOTE, cue_possible, mask_quotations, only_quotation
from bot.attribution.models import (
    Person,
    Speaker,
    SpeakerKind,
    Statement,
    StatementKind,
)
from bot.attribution.names import article_names
from bot.attribution.people import (
    Lookup,
    People,
    PeopleLookup,
    RecordedPeople,
    person_key,
    usual_role,
)
from bot.attribution.sources import find_source
from bot.corpus import Article, ArticleInfo
from bot.passages import Passage
from bot.text import fold

Decide = Callable[[int, Sequence[Candidate]], Candidate]  # (passage number, candidates) -> the speaker


_POSSESSIVE_SPEECH = re.compile(r"\b(?:his|her|their)\b[^“\"]{0,40}$", re.IGNORECASE)


def voice_of(article: ArticleInfo) -> Speaker:
    """Who speaks when an article speaks in its own voice: author, else outlet, else the article."""
    if article.author:
        about = ", ".join(part for part in (article.author_role, article.outlet) if part)
        return Speaker(article.author, "author", role=about or None, key=person_key(article.author) or None)
    if article.outlet:
        return Speaker(article.outlet, "outlet")
    label = f"“{article.title}”" if article.title else article.doc_id
    return Speaker(f"the article {label}", "article")


@dataclass(slots=True)
class _Context:
    """What attribution remembers while reading one article in order."""

    article: Article
    people: PeopleLookup
    voice: Speaker
    local: dict[str, Person] = field(default_factory=dict)  # surname key -> person named in this article
    last_person: Speaker | None = None
    open_quote: bool = False
    quote_speaker: Speaker | None = None  # who speaks in the quotation still open
    pending: list[int] = field(default_factory=list)  # passages inside a quotation not yet attributed
    last_quoted: tuple[int, Speaker] | None = None  # (paragraph, speaker) of the last attributed sentence
    paragraph: int = 0
    roles: dict[str, str] = field(default_factory=dict)  # person key -> role stated in this article
    last_outlet: Speaker | None = None
    quote_only: tuple[int, int] | None = None  # (passage, paragraph) of a sentence that is only a quotation
    colon: tuple[int, Speaker] | None = None  # (paragraph, speaker) of an attribution ending in ":"


def attribute(
    article: Article,
    passages: Sequence[Passage],
    people: PeopleLookup,
    names: Sequence[tuple[str, str | None]] | None = None,
    decide: Decide | None = None,
) -> list[tuple[Statement, ...]]:
    """Statements of each passage of one article (in reading order), each with its speaker.

    `names` are the article's `article_names`, when the caller has them already; `decide` picks each
    passage's speaker among its candidates (by default the shipped model, else the rules' order)."""
    if decide is None:
        chooser = packaged_chooser()
        decide = lambda _number, candidates: choose(candidates, chooser)  # noqa: E731
    context = _Context(article=article, people=people, voice=voice_of(article.info))
    for sighting, role in article_names(article) if names is None else names:
        person = people.find(sighting)
        if person is not None:
            context.local.setdefault(person.key.split()[-1], person)
            if role:
                context.roles.setdefault(person.key, role)
    speakers: list[Speaker | None] = []
    kinds: list[StatementKind] = []
    clauses: dict[int, list[tuple[tuple[int, int], Speaker | None]]] = {}
    for number, passage in enumerate(passages):
        speaker, kind = _speaker_of(number, passage, context, speakers, decide)
        speakers.append(speaker)
        kinds.append(kind)
        if speaker is not None and (split := _clause_speakers(passage, context)):
            clauses[number] = split
    statements: list[tuple[Statement, ...]] = []
    for number, (passage, speaker, kind) in enumerate(zip(passages, speakers, kinds, strict=True)):
        whole = (passage.start, passage.end)
        if number in clauses:
            statements.append(
                tuple(
                    Statement(who, kind, span, span) if who is not None else _voice(context, span)
                    for span, who in clauses[number]
                )
            )
        elif speaker is None:
            quoted = _quoted_inside(passage, context)
            statements.append((Statement(context.voice, "voice", whole, whole), *quoted))
        else:
            statements.append((Statement(speaker, kind, whole, whole),))
    return statements


def attribute_recorded(
    article: Article,
    passages: Sequence[Passage],
    people: People,
    names: Sequence[tuple[str, str | None]] | None = None,
) -> tuple[list[tuple[Statement, ...]], list[Lookup]]:
    """`attribute`, with the lookups of people it made: while another corpus's people find the same
    (`lookups_hold`), the article's statements stay the same and need not be worked out again."""
    recorded = RecordedPeople(people)
    return attribute(article, passages, recorded, names), recorded.lookups


_LEADING_CLAUSE = re.compile(r"(?:While|Although|Though|Whereas)\b[^,;]{10,300}?(,\s+)(?=[^,;]{10})")


def _voice(context: _Context, span: tuple[int, int]) -> Statement:
    return Statement(context.voice, "voice", span, span)


def _clause_speakers(passage: Passage, context: _Context) -> list[tuple[tuple[int, int], Speaker | None]]:
    """Clauses with speakers of their own ("X asserted …, while Y echoed …"), when there are two or more.

    A clause with no cue after one whose cue takes an infinitive ("X aimed to …, and leaving …
    would …") is the article's own voice (None): an infinitive's content ends at its clause, unless
    the next clause starts with "to" again."""
    text = passage.text
    masked, _ = mask_quotations(text, False)
    cuts = [(m.start(), m.end()) for m in CLAUSE_SPLIT.finditer(masked)]
    lead = _LEADING_CLAUSE.match(masked)  # "While Sanders admitted that …, his campaign has argued …"
    if lead is not None:
        cuts = [(lead.start(1), lead.end(1)), *(cut for cut in cuts if cut[0] > lead.end())]
    if not cuts:
        return []
    bounds = [(0, cuts[0][0])]
    bounds += [(one[1], two[0]) for one, two in itertools.pairwise(cuts)]
    bounds.append((cuts[-1][1], len(text)))
    found: list[tuple[tuple[int, int], Speaker | None]] = []
    infinitive = False  # the last clause's cue takes "to …"
    for start, end in bounds:
        segment = text[start:end].rstrip(" ,;")
        source = find_source(masked[start : start + len(segment)], segment)
        speaker = _resolve(source, context) if source is not None else None
        if speaker is None and not (infinitive and not segment.lower().startswith("to ")):
            return []
        if source is not None:
            infinitive = _takes_infinitive(masked[start : start + len(segment)], source)
        found.append(((passage.start + start, passage.start + start + len(segment)), speaker))
    return found if len({s.label if s is not None else None for _, s in found}) > 1 else []


def _takes_infinitive(masked: str, source: Source) -> bool:
    """The cue is a verb of thought or intent followed by "to" ("aimed to dominate"); a verb of speech
    followed by "to" names whom it was said to ("said to reporters")."""
    words = source.cue.lower().split()
    after = masked[source.start + len(source.cue) :].split()
    return bool(words) and words[0] not in lexicon().speech_forms and after[:1] == ["to"]


def _speaker_of(
    number: int, passage: Passage, context: _Context, speakers: list[Speaker | None], decide: Decide
) -> tuple[Speaker | None, StatementKind]:
    first_in_paragraph = passage.paragraph != context.paragraph
    if first_in_paragraph:
        context.paragraph, context.open_quote, context.pending = passage.paragraph, False, []
        context.quote_speaker = None
    was_open = context.open_quote
    masked, context.open_quote = mask_quotations(passage.text, was_open)
    has_quote = masked != passage.text or bool(QUOTE.search(passage.text))
    kind: StatementKind = "quoted" if has_quote or was_open else "reported"
    source = find_source(masked, passage.text) if cue_possible(masked) else None
    if source is None and was_open and context.quote_speaker is None and only_quotation(masked):
        # Inside a long quotation whose speaker is not known yet (a quoted report, a block quote): a
        # sentence of it that reports speech ("Then Kerry said that …") says who.
        source = find_source(QUOTE.sub(lambda m: " " * len(m.group()), passage.text), passage.text)
    cue_speaker = _resolve(source, context) if source is not None else None
    sentence = Sentence(
        passage.text, masked, was_open, context.open_quote, only_quotation(masked), first_in_paragraph
    )
    chosen = decide(number, _candidates(sentence, source, cue_speaker, passage, context))
    speaker = chosen.speaker
    quote_before = context.quote_only
    context.quote_only = None
    if (
        chosen.origin == "cue"
        and speaker is not None
        and source is not None
        and quote_before is not None
        and (
            quote_before[1] == passage.paragraph
            or (quote_before[1] == passage.paragraph - 1 and passage.text.lstrip()[:1] in "-—–")
        )
        and not QUOTE.search(passage.text, 0, source.start)
        and source.start < 80
    ):
        # “…!” Trump said on Twitter. — the sentence after a quotation says who said it.
        speakers[quote_before[0]] = speaker
    if speaker is not None:
        for earlier_number in context.pending:  # sentences of this quotation read before its cue
            speakers[earlier_number] = speaker
        context.pending = []
        context.last_quoted = (passage.paragraph, speaker)
        if speaker.kind == "person":
            context.last_person = speaker
    elif context.open_quote:
        context.pending.append(number)
    else:
        context.last_quoted = None  # the article's own words in between: a later quotation is not theirs
    if only_quotation(masked) and not context.open_quote:
        context.quote_only = (number, passage.paragraph)
    if speaker is not None and passage.text.rstrip().endswith(":"):
        context.colon = (passage.paragraph, speaker)
    context.quote_speaker = speaker if context.open_quote else None
    return speaker, kind


def _candidates(
    sentence: Sentence,
    source: Source | None,
    cue_speaker: Speaker | None,
    passage: Passage,
    context: _Context,
) -> list[Candidate]:
    """The speakers a sentence may have, in the rules' order, the article's own voice last."""
    shared = cache(lambda: sentence_features(sentence))
    found: list[Candidate] = []
    if source is not None and cue_speaker is not None:
        found.append(
            Candidate(cue_speaker, "cue", lambda: features("cue", shared(), cue_features(source, sentence)))
        )
    if sentence.was_open and context.quote_speaker is not None:
        same = {"same_as_cue": float(context.quote_speaker == cue_speaker)}
        found.append(Candidate(context.quote_speaker, "open", lambda: features("open", shared(), same)))
    if context.last_quoted is not None and context.last_quoted[0] >= passage.paragraph - 1:
        paragraph, earlier = context.last_quoted
        rule = sentence.only_quotation or (
            QUOTE.search(sentence.text) is not None and paragraph == passage.paragraph
        )
        last = {
            "same_paragraph": float(paragraph == passage.paragraph),
            "same_as_cue": float(earlier == cue_speaker),
        }
        found.append(Candidate(earlier, "last", lambda: features("last", shared(), last), rule=rule))
    if context.colon is not None and context.colon[0] == passage.paragraph - 1:
        found.append(Candidate(context.colon[1], "colon", lambda: features("colon", shared())))
    voice = {"author": float(context.voice.kind == "author"), "others": float(len(found))}
    found.append(Candidate(None, "voice", lambda: features("voice", shared(), voice)))
    return found


def _resolve(source: Source, context: _Context) -> Speaker | None:
    """The speaker a source names, as a person of the corpus where it is one."""
    lex = lexicon()
    if source.kind == "pronoun":
        return context.last_person
    if source.kind == "name":
        person = context.people.find(source.name, context.local)
        if person is None and " " not in source.name and _common_word(source.name, context):
            return None  # "Attempts to …": a capitalised common noun, not a name
        key = person.key if person is not None else person_key(source.name) or None
        name = person.name if person is not None else source.name
        if person is not None:
            context.local[person.key.split()[-1]] = person
        if source.role and source.role_first and key:
            context.roles[key] = source.role
        role, first = source.role, source.role_first
        if role is None and key:
            role = context.roles.get(key) or (usual_role(person) if person is not None else None)
            first = True
        return Speaker(name, "person", role=role, role_first=first, key=key)
    if source.kind in ("described", "group", "organisation", "outlet"):
        epithet = context.people.epithet(source.name)
        if epithet is not None:
            role = context.roles.get(epithet.key) or usual_role(epithet)
            return Speaker(epithet.name, "person", role=role, key=epithet.key)
        head = source.name.split()[-1].lower()
        if head in lex.outlet_nouns and context.last_outlet is not None:
            return context.last_outlet  # "the newspaper" is the outlet last named
        own = context.article.outlet
        if source.kind == "outlet" and own and _same_outlet(source.name, own):
            return None  # an outlet citing itself is the article's own voice
        if source.kind == "outlet":
            if context.last_outlet is not None and _same_outlet(source.name, context.last_outlet.name):
                return context.last_outlet  # "The Post" after "The Washington Post"
            context.last_outlet = Speaker(source.name, "outlet")
            return context.last_outlet
        kind: SpeakerKind = source.kind
        return Speaker(source.name, kind)
    return None


def _same_outlet(short: str, full: str) -> bool:
    """ "The Post" and "The Washington Post", "Caliber.Az" and "Caliber.Az": one outlet."""
    a, b = fold(short).removeprefix("the "), fold(full).removeprefix("the ")
    return a == b or (b.endswith(" " + a) and len(a) >= 3)


def _common_word(word: str, context: _Context) -> bool:
    """A capitalised word the article also writes in lower case: a common noun, not a name."""
    lowered = word.lower()
    return (
        lowered != word
        and re.search(rf"(?<![\w.]){re.escape(lowered)}(?!\w)", context.article.text) is not None
    )


def _quoted_inside(passage: Passage, context: _Context) -> tuple[Statement, ...]:
    """A person's own words quoted in a sentence about them ("her warning that “…”")."""
    statements = []
    for match in re.finditer(r"“([^”]{2,})”|\"([^\"]{2,})\"", passage.text):
        quoted = match.group(1) or match.group(2) or ""
        before = passage.text[: match.start()]
        if len(quoted.split()) < 3 or _POSSESSIVE_SPEECH.search(before) is None:
            continue
        named = [
            person
            for word in re.findall(r"[A-ZÀ-Þ][\w'’-]+", before)
            if (person := context.people.find(word, context.local)) is not None
        ]
        if not named:
            continue
        person = named[-1]
        whole = (passage.start, passage.end)
        said = (passage.start + match.start() + 1, passage.start + match.end() - 1)
        role = context.roles.get(person.key) or usual_role(person)
        speaker = Speaker(person.name, "person", role=role, key=person.key)
        statements.append(Statement(speaker, "quoted", whole, said))
    return tuple(statements)
