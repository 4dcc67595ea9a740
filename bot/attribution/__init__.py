"""Who said what: statements and their speakers, attributed from the text itself.

Each sentence (passage) is read with its quotations masked; its cue and source come from
`sources.find_source`. A named source is resolved to a person of the corpus (`people.People`), a
pronoun to the last person who spoke, and a sentence inside a quotation that runs over several
sentences or continues the previous paragraph to that quotation's speaker. A sentence with no source
is the article's own voice: its author where the article names one, else its outlet, else the article.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Iterator, Sequence
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
from bot.attribution.lexicon import lexicon
from bot.attribution.models import (
    Person,
    Speaker,
    SpeakerKind,
    Statement,
    StatementKind,
    speaker_key,
    speaks_for_passage,
)
from bot.attribution.people import (
    Lookup,
    People,
    PeopleLookup,
    RecordedPeople,
    lookups_hold,
    name_key,
    person_key,
    usual_role,
)
from bot.attribution.sources import Source, find_source
from bot.corpus import Article, ArticleInfo
from bot.passages import Passage, split_sentences
from bot.text import fold

__all__ = [
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
    "voice_of",
]

Decide = Callable[[int, Sequence[Candidate]], Candidate]  # (passage number, candidates) -> the speaker

_OPENING = {"“": True, "”": False, "``": True}
_LOWER_WORD = re.compile(r"[a-z]+")
_QUOTE = re.compile(r"``|''|[“”\"]")
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


# ----------------------------------------------------------------------------------------------
# Quotations


def mask_quotations(text: str, inside: bool) -> tuple[str, bool]:
    """`text` with the words inside quotation marks blanked, and whether a quotation is open at its end.

    Curly quotes open and close; straight double quotes and the '' of some newspapers toggle.
    """
    out = []
    at = 0
    for match in _QUOTE.finditer(text):
        mark = match.group()
        if inside:
            out.append(" " * (match.start() - at))
        else:
            out.append(text[at : match.start()])
        out.append(mark)
        at = match.end()
        inside = _OPENING.get(mark, not inside)
    out.append(" " * (len(text) - at) if inside else text[at:])
    return "".join(out), inside


def _only_quotation(masked: str) -> bool:
    """Nothing but a quotation (and punctuation) in the sentence."""
    return not re.search(r"[^\W\d_]", _QUOTE.sub("", masked))


# ----------------------------------------------------------------------------------------------
# The people of a corpus


def people_of(
    names: Iterable[Sequence[tuple[str, str | None]]], epithets: dict[str, str] | None = None
) -> People:
    """Every person the corpus names in full as a source, with a title, or as an author, from each
    article's `article_names`; `epithets` (the domain file's) maps descriptions to people's names."""
    return People.from_names(itertools.chain.from_iterable(names), epithets)


def article_names(article: Article) -> list[tuple[str, str | None]]:
    """(name, role) for the people one article names: its authors, titled names, named sources, and the
    full names of sources it names by surname. Paragraphs with no speech cue are only scanned for titles."""
    names: list[tuple[str, str | None]] = [
        (author, None) for author in re.split(r"\s*(?:,|\band\b|&)\s*", article.author or "") if author
    ]
    surnames: set[str] = set()
    for start, end in article.paragraphs:
        paragraph = article.text[start:end]
        names.extend(titled_names(paragraph))
        if not _cue_possible(paragraph):
            continue
        for s_start, s_end in split_sentences(paragraph):
            for name, role in _sources_named(paragraph[s_start:s_end]):
                if " " in name:
                    names.append((name, role))
                else:
                    surnames.add(name)
    names.extend(_full_names(article.text, surnames))
    return names


def _full_names(text: str, surnames: set[str]) -> Iterator[tuple[str, str | None]]:
    """For a source named by surname alone ("McDonough wrote"), the full name the article gives it
    elsewhere ("White House Chief of Staff Denis McDonough")."""
    lex = lexicon()
    for surname in sorted(surnames):
        pattern = rf"((?:[A-ZÀ-Þ][\w'’-]+\s+(?:[A-Z]\.\s+)?){{1,2}}){re.escape(surname)}\b"
        for match in re.finditer(pattern, text):
            words = match.group(1).split()
            while words and (words[0] in lex.not_names or words[0].rstrip(".") in lex.titles):
                words.pop(0)
            if words and not {w.rstrip(".") for w in words} & (lex.titles | lex.organisation_words):
                yield " ".join([*words, surname]), None
                break


def _sources_named(text: str) -> Iterator[tuple[str, str | None]]:
    """Names a sentence gives as sources (one per clause), with the role before the name, if any."""
    if not _cue_possible(text):
        return
    masked, _ = mask_quotations(text, False)
    cuts = [0, *(m.end() for m in _CLAUSE_SPLIT.finditer(masked)), len(text)]
    for start, end in itertools.pairwise(cuts):
        source = find_source(masked[start:end], text[start:end])
        if source is not None and source.kind == "name":
            yield source.name, source.role if source.role_first else None


@cache
def _titled_name() -> re.Pattern[str]:
    lex = lexicon()
    titles = "|".join(sorted((re.escape(t) for t in lex.titles), key=len, reverse=True))
    name = r"[A-ZÀ-Þ][a-zà-ÿ'’-]+"
    lead = r"(?:(?:[A-Z][\w’'-]*|[A-Z]\.(?:[A-Z]\.)+)\s+){0,2}"  # "U.S.", "Russian", "Prime"
    return re.compile(
        rf"(?<![\w.])(?P<title>{lead}(?:{titles})\.?)\s+(?P<name>{name}(?:\s+(?:[A-Z]\.\s+)?{name}){{1,2}})\b"
    )


def titled_names(text: str) -> Iterator[tuple[str, str | None]]:
    """("Lindsey Graham", "Sen.") for every title followed by a full name."""
    lex = lexicon()
    for match in _titled_name().finditer(text):
        words = match["name"].split()
        if words[0] in lex.not_names or words[0] in lex.titles:
            continue
        if {w for w in words} & (lex.organisation_words | lex.outlet_words):
            continue
        title = match["title"].split()
        while title and title[0] in lex.not_names:
            title.pop(0)
        yield match["name"], " ".join(title) or None


def _cue_possible(text: str) -> bool:
    lex = lexicon()
    if ":" in text or "(@" in text or text.lstrip()[:1] in "-—–" or _QUOTE.search(text):
        return True
    found = set(_LOWER_WORD.findall(text.lower()))
    return not lex.cue_forms.isdisjoint(found) or "according" in found


# ----------------------------------------------------------------------------------------------
# Attribution


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
    quote_only: tuple[int, int] | None = None
    colon: tuple[int, Speaker] | None = (
        None  # (paragraph, speaker) of an attribution ending in ":"  # (passage, paragraph) of a sentence that is only a quotation
    )


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
_CLAUSE_SPLIT = re.compile(r",\s+(?:while|whereas|but|and|yet)\s+|;\s+")


def _voice(context: _Context, span: tuple[int, int]) -> Statement:
    return Statement(context.voice, "voice", span, span)


def _clause_speakers(passage: Passage, context: _Context) -> list[tuple[tuple[int, int], Speaker | None]]:
    """Clauses with speakers of their own ("X asserted …, while Y echoed …"), when there are two or more.

    A clause with no cue after one whose cue takes an infinitive ("X aimed to …, and leaving …
    would …") is the article's own voice (None): an infinitive's content ends at its clause, unless
    the next clause starts with "to" again."""
    text = passage.text
    masked, _ = mask_quotations(text, False)
    cuts = [(m.start(), m.end()) for m in _CLAUSE_SPLIT.finditer(masked)]
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
    has_quote = masked != passage.text or bool(_QUOTE.search(passage.text))
    kind: StatementKind = "quoted" if has_quote or was_open else "reported"
    source = find_source(masked, passage.text) if _cue_possible(masked) else None
    if source is None and was_open and context.quote_speaker is None and _only_quotation(masked):
        # Inside a long quotation whose speaker is not known yet (a quoted report, a block quote): a
        # sentence of it that reports speech ("Then Kerry said that …") says who.
        source = find_source(_QUOTE.sub(lambda m: " " * len(m.group()), passage.text), passage.text)
    cue_speaker = _resolve(source, context) if source is not None else None
    sentence = Sentence(
        passage.text, masked, was_open, context.open_quote, _only_quotation(masked), first_in_paragraph
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
        and not _QUOTE.search(passage.text, 0, source.start)
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
    if _only_quotation(masked) and not context.open_quote:
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
            _QUOTE.search(sentence.text) is not None and paragraph == passage.paragraph
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
