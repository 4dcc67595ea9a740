"""Who said what: statements and their speakers, attributed from the text itself.

Every passage gets at least one statement. A statement names its speaker when the text does:
a direct quotation (“…,” said X / X said: “…”), reported speech with a speech verb (X warned that …,
…, says X, according to X), a pronoun or epithet that refers back to a person ("He also called
for …", "The Kremlin dictator …"), a group or an unnamed source ("officials say"). A sentence that
names no speaker is the article's own voice: its author where the article names one, else its
outlet, else the article. Variant spellings of one person map to one canonical name.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Literal

from bot.corpus import Article, ArticleInfo
from bot.passages import Passage
from bot.text import fold, tokenize

# ----------------------------------------------------------------------------------------------
# Data: extend freely.

# Canonical name -> other names of the same person (spelling variants and epithets, any case).
PEOPLE: dict[str, tuple[str, ...]] = {
    "Volodymyr Zelenskyy": ("Zelensky", "Zelenskyy", "Zelenskiy", "Vladimir Zelensky", "Volodymyr Zelensky"),
    "Vladimir Putin": (
        "Putin",
        "Kremlin dictator",
        "Kremlin leader",
        "Kremlin chief",
        "Russian ruler",
        "Russian leader",
        "Russian dictator",
        "Russian president",
    ),
}
# Verbs (every inflection) that report speech or a stated position.
SPEECH_VERBS: tuple[str, ...] = (
    *"""
    say says said tell tells told remark remarks remarked assert asserts asserted emphasise emphasises
    emphasised emphasize emphasizes emphasized stress stresses stressed warn warns warned insist insists
    insisted echo echoes echoed reiterate reiterates reiterated indicate indicates indicated express
    expresses expressed envision envisions envisioned envisage envisages envisaged caution cautions
    cautioned suggest suggests suggested argue argues argued note notes noted add adds added state states
    stated claim claims claimed report reports reported announce announces announced explain explains
    explained acknowledge acknowledges acknowledged articulate articulates articulated reaffirm reaffirms
    reaffirmed believe believes believed contend contends contended maintain maintains maintained
    predict predicts predicted admit admits admitted confirm confirms confirmed urge
    urges urged demand demands demanded declare declares declared write writes wrote reference
    references referenced frame frames framed endorse endorses endorsed disagree disagrees disagreed
    underline underlines underlined underscore underscores underscored
    """.split(),
    "call for",
    "calls for",
    "called for",
    "rule out",
    "rules out",
    "ruled out",
    "point out",
    "points out",
    "pointed out",
    "is hopeful",
    "are hopeful",
    "was hopeful",
    "were hopeful",
    "is confident",
    "are confident",
    "is adamant",
    "are adamant",
)
# What people hold as office; the words before a name that make up its role.
TITLES = (
    r"Prime\s+Minister|Foreign\s+Minister|Defen[cs]e\s+(?:Minister|Secretary)|Secretary(?:-|\s)General|"
    r"Secretary\s+of\s+State|President(?:-elect)?|Vice\s+President|Chancellor|Minister|Chief|Secretary|"
    r"Director|Ambassador|Spokes(?:man|woman|person)|Senator|Sen\.|Governor|Gov\.|Mayor|King|Queen|"
    r"Commander|General|Gen\.|Admiral|Adm\.|Colonel|Col\.|Envoy|Premier|Chairman|Chair|Leader|Pope|"
    r"Professor|Prof\.|Mr\.|Ms\.|Mrs\.|Dr\."
)
GROUP_HEADS = (
    "officials official leaders leader experts expert analysts analyst diplomats diplomat sources source "
    "advisors advisers advisor adviser capitals governments government ministers lawmakers legislators "
    "politicians commanders generals observers critics allies partners counterparts spokesman spokeswoman "
    "spokesperson representatives envoys negotiators authorities officers insiders aides researchers "
    "scholars economists strategists planners members"
).split()
OUTLET_WORDS = (
    "Post Times Journal News Herald Tribune Guardian Telegraph Reuters Bloomberg Politico Economist "
    "Independent Observer Gazette Press Agency TASS Interfax AFP BBC CNN Axios Monitor Insider Spiegel "
    "Monde Izvestia Kommersant Kyodo Xinhua Talks"
).split()
# Capitalised function words: never part of a name or a role.
FUNCTION_WORDS = frozenset(
    """
    As In On At The A An But And However While When If After Before During Since Although Though
    Meanwhile Still Yet Moreover Instead Crucially Additionally Nevertheless Concurrently This That These
    Those It He She They We I Even So Also Then Now Here There With Without For From By Of To Amid Amidst
    Given Despite Under Over Through Ongoing Recent Another Some Many Several Such Both Each Every Its
    His Her Their Our Your Unless Until Whether Why What Who How
    """.split()
)
# Capitalised words that never start or continue a person's name here.
NOT_NAMES = FUNCTION_WORDS | frozenset(
    """
    Western Eastern European Europe Russian Russia Ukrainian Ukraine American
    America British Britain French France German Germany Polish Poland NATO EU UN US UK White House
    Council Center Centre College War Federation Union Forces Relations Ministry Office Department
    Agency Institute University Party Parliament Assembly Commission Court Bank Fund Group Alliance
    Organization Treaty Talks Summit Conference Cold North South East West Korean Korea Baltic Nordic
    Brussels Paris Moscow Kyiv Washington London Berlin Davos Friday Monday Tuesday Wednesday Thursday
    Saturday Sunday January February March April May June July August September October November
    December Q&A Israel Israeli Iranian Iran China Chinese India Indian Japan Canada Finland Crimea
    Bosnia Belarus Kremlin Post Times Prime Minister President Chief Secretary Global Live Home World
    International Crisis Black Sea Atlantic Eurasia New Foreign King Kings Hamas Previously Source
    """.split()
)
_PRONOUNS = {"he": "person", "she": "person", "him": "person", "her": "person"}
_LOWER_FIRST = frozenset(
    "some many several most few other certain former senior top unnamed anonymous a an the".split()
)
_ADVERBIALS = (
    r"(?:\s+(?:has|have|had|also|so\s+far|openly|repeatedly|consistently|still|again|now|"
    r"already|initially|reportedly|publicly|privately|explicitly|recently|previously|long|firmly|"
    r"continues\s+to|continued\s+to|has\s+continued\s+to|would|will|could|may|might|not|never))*"
)

SpeakerKind = Literal["person", "group", "outlet", "author", "article"]
StatementKind = Literal["quoted", "reported", "voice"]


@dataclass(frozen=True, slots=True)
class Speaker:
    """Who a statement is attributed to, with their role where the text states one."""

    name: str
    kind: SpeakerKind
    role: str | None = None
    role_first: bool = True

    @property
    def label(self) -> str:
        """The speaker as the text gives them: "U.K. Prime Minister Keir Starmer", "Bence Németh, a …"."""
        if self.kind == "author":
            return f"{self.name} (author{', ' + self.role if self.role else ''})"
        if not self.role:
            return self.name
        return f"{self.role} {self.name}" if self.role_first else f"{self.name}, {self.role}"


def speaker_key(speaker: Speaker) -> str:
    """One key per speaker across articles: a person by surname (variants folded), others by label."""
    if speaker.kind in ("person", "author"):
        return "p:" + name_key(speaker.name.split()[-1])
    return "l:" + fold(speaker.label).removeprefix("the ")


@dataclass(frozen=True, slots=True)
class Statement:
    """Words attributed to a speaker: `said` is what they said, `span` what to quote (both offsets)."""

    speaker: Speaker
    kind: StatementKind
    span: tuple[int, int]
    said: tuple[int, int]


@dataclass(slots=True)
class Person:
    """A person the corpus names, under one canonical name."""

    name: str
    key: str
    roles: Counter[str] = field(default_factory=Counter)


# ----------------------------------------------------------------------------------------------
# Patterns

_CAP = r"[A-ZÀ-Þ][\w'’.&-]*"
_NAME_TOKEN = r"(?:Mc|Mac|O['’]|De|Van|Von|Al-)?[A-ZÀ-Þ][a-zà-ÿ'’-]*[a-zà-ÿ]"
_VERB = r"(?:" + "|".join(v.replace(" ", r"\s+") for v in sorted(SPEECH_VERBS, key=len, reverse=True)) + r")"
_GROUP_HEAD = r"(?i:" + "|".join(sorted(GROUP_HEADS, key=len, reverse=True)) + r")\b"
_MODIFIER = (
    r"(?:(?i:some|many|several|most|few|other|certain|former|senior|top|unnamed|anonymous|two|three|four|"
    r"an?|the|their|its|one|military|western|european|prominent|foreign|local|government|defen[cs]e|"
    r"security|intelligence|administration)|and|" + _CAP + r")"
)
_GROUP_NP = (
    rf"(?:{_MODIFIER}\s+){{0,5}}{_GROUP_HEAD}"
    r"(?:\s+(?:familiar\s+with|close\s+to|briefed\s+on)\s+the\s+\w+)?"
)
_ROLE_MOD = r"(?:(?:[A-Z]\.){2,}|[A-ZÀ-Þ][\w'’&-]*|former|deputy|acting)"
_ROLE = rf"(?:{_ROLE_MOD}\s+){{0,3}}(?:{TITLES})"
_PERSON_NP = rf"(?:{_ROLE}\s+)?(?:{_NAME_TOKEN}\s+){{0,2}}{_NAME_TOKEN}"
_OUTLET_NP = (
    r"(?:[Tt]he\s+)?(?:" + _CAP + r"\s+){0,3}(?:" + "|".join(OUTLET_WORDS) + r")\b"
    r"|[A-Z][\w-]*\.[A-Za-z]{2,}"
    r"|the\s+(?:newspaper|paper|outlet|publication|broadcaster|agency|report)"
)
_ENTITY_NP = rf"{_CAP}(?:\s+{_CAP})?(?:(?:,\s+|\s+and\s+){_CAP}(?:\s+{_CAP})?)*"
_EPITHET_NP = r"(?:[Tt]he\s+)?(?:Kremlin|Russian|Ukrainian|French|British|U\.S\.|US|American)\s+(?:dictator|ruler|leader|president|autocrat|chief|strongman)"
_WHO = rf"(?P<who>{_EPITHET_NP}|{_GROUP_NP}|{_OUTLET_NP}|{_PERSON_NP}|{_ENTITY_NP}|[Hh]e|[Ss]he)"
_WHO_AFTER = rf"(?P<who>{_EPITHET_NP}|{_GROUP_NP}|{_OUTLET_NP}|{_PERSON_NP}|{_ENTITY_NP}|he|she)"
_APPOSITION = r"(?:,\s+(?P<role>(?:a|an|the)\s+[^,.;]+?)(?=\s*(?:[.;!?]|,|$)))?"
_RELATIVE = r"(?:,\s+who\s+[^,]{1,80},)?"

# The speaker-finding patterns, in order of trust. Each finds (who, verb) in a clause.
_AFTER_VERB = re.compile(rf"(?:^|,\s+|[”\"]\s*)(?P<verb>{_VERB})\s+{_WHO_AFTER}{_APPOSITION}")
_ACCORDING = re.compile(
    rf"\b[Aa]ccording\s+to\s+(?:(?:a\s+|the\s+)?(?:report|reports|statements|comments|remarks|sources)\s+"
    rf"(?:by|from|in)\s+)?{_WHO_AFTER}"
)
_AS_SAID = re.compile(rf"\bAs\s+{_WHO}\s+(?:has\s+|had\s+)?(?P<verb>{_VERB})\b")
_PROPOSED_BY = re.compile(
    rf"\b(?:first\s+|initially\s+|originally\s+)?(?:proposed|suggested|floated|put\s+forward)\s+by\s+{_WHO_AFTER}"
)
_CLAUSE_START = (
    r"(?:^|(?<=,\s)|(?<=;\s)|(?<=:\s)|(?<=—)|(?<=—\s)|(?<=“)|(?<=”\s)|(?<=\"\s)|(?<=\bas\s)|(?<=\bwhile\s)|(?<=\band\s)|"
    r"(?<=\bbut\s)|(?<=\byet\s)|(?<=\bthat\s)|(?<=\bbecause\s)|(?<=\balthough\s)|(?<=\bwhereas\s))"
)
_SUBJECT_VERB = re.compile(rf"{_CLAUSE_START}{_WHO}{_RELATIVE}{_ADVERBIALS}\s+(?P<verb>{_VERB})\b")
_QUOTATION = re.compile(r"“(?P<q1>[^”]{2,})”|(?<![\w])\"(?P<q2>[^\"]{2,})\"")
_POSSESSIVE_SPEECH = re.compile(
    r"\b(?:his|her)\s+(?:\w+\s+)?(?:threats?|words|promise|pledge|warning|vow|claim|remarks?|call|demands?|"
    r"message|slogan)\b"
)
_CLAUSE_SPLIT = re.compile(r",\s+(?=(?:while|whereas|yet|but)\s)|;\s+")
_LEADING_SUBORDINATE = re.compile(r"^(?:While|Although|Though|Whereas)\b[^,]{3,200},\s+")
_CONNECTOR = re.compile(r"(?:while|whereas|yet|but|and)\s+", re.IGNORECASE)
_FULL_NAME = re.compile(rf"(?<![\w.])(?:{_NAME_TOKEN}\s+){{1,2}}{_NAME_TOKEN}(?![\w])")
_TITLED_NAME = re.compile(rf"\b(?:{TITLES})\s+(?P<name>(?:{_NAME_TOKEN}\s+){{0,2}}{_NAME_TOKEN})")
_ROLE_BEFORE = re.compile(rf"(?P<role>{_ROLE})\s+$")
_ROLE_AND_NAME = re.compile(rf"^(?P<role>{_ROLE})\s+(?P<name>.+)$")
# The telling word of each speech cue ("hopeful" in "is hopeful"): a set lookup rules out most sentences.
_CUE_WORDS = frozenset(
    v.split()[1] if v.split()[0] in {"is", "are", "was", "were"} else v.split()[0] for v in SPEECH_VERBS
) | {"according", "proposed", "suggested", "floated", "forward"}
_LOWER_WORD = re.compile(r"[a-z]+")


# ----------------------------------------------------------------------------------------------
# The people of a corpus


class People:
    """Everyone the corpus names as a person, keyed by folded surname, with variants mapped to one name."""

    def __init__(self, persons: Iterable[Person]) -> None:
        self._by_key = {p.key: p for p in persons}
        self._alias_key, self._epithets = _table_keys()
        self._epithet_re = re.compile(
            r"\b(?:" + "|".join(re.escape(epithet) for epithet, _ in self._epithets) + r")\b", re.IGNORECASE
        )
        self._epithet_person = {epithet: canonical for epithet, canonical in self._epithets}

    @classmethod
    def from_articles(cls, articles: Sequence[Article]) -> People:
        """Find the people of a corpus: titled names, names that speak, authors, and the PEOPLE table."""
        alias_key, _ = _table_keys()
        table_name = {name_key(c.split()[-1]): c for c in PEOPLE}
        forms: dict[str, Counter[str]] = {}
        evidence: set[str] = set()
        roles: dict[str, Counter[str]] = {}

        def note(name: str, *, proof: bool, role: str | None = None) -> None:
            words = name.split()
            if not words or any(w in NOT_NAMES for w in words):
                return
            key = name_key(words[-1])
            key = alias_key.get(key, key)
            if not key:
                return
            forms.setdefault(key, Counter())[name] += 1
            if proof or key in table_name:
                evidence.add(key)
            if role:
                roles.setdefault(key, Counter())[role] += 1

        for article in articles:
            for author in re.split(r"\s*(?:,|\band\b|&)\s*", article.author or ""):
                if author:
                    note(author, proof=True)
            for start, end in article.paragraphs:
                text = article.text[start:end]
                if not _has_capitalised_pair(text):
                    continue
                for match in _TITLED_NAME.finditer(text):
                    role_match = _ROLE_BEFORE.search(text, 0, match.start("name"))
                    role = _clean_role(role_match["role"]) if role_match else None
                    note(_strip_stop_words(match["name"]), proof=True, role=role)
                for match in _FULL_NAME.finditer(text):
                    name = _strip_stop_words(match.group())
                    if (
                        len(name.split()) < 2
                        or text[max(0, match.start() - 4) : match.start()].lower() == "the "
                    ):
                        continue
                    note(name, proof=_speaks(text, match.start(), match.end()))
                for match in re.finditer(r"[A-ZÀ-Þ][\w'’-]+", text):
                    key = name_key(match.group())
                    if alias_key.get(key, key) in table_name:
                        note(match.group(), proof=True)
        persons = []
        for key in evidence:
            counter = forms.get(key, Counter())
            full = [name for name, _ in counter.most_common() if len(name.split()) > 1]
            name = table_name.get(key) or (full[0] if full else counter.most_common(1)[0][0])
            persons.append(Person(name=name, key=key, roles=roles.get(key, Counter())))
        return cls(persons)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._alias_key.get(key, key) in self._by_key

    def __iter__(self) -> Iterator[Person]:
        return iter(self._by_key.values())

    def by_key(self, key: str) -> Person | None:
        """The person with this surname key, if any."""
        return self._by_key.get(self._alias_key.get(key, key))

    def find(self, text: str) -> Person | None:
        """The person a name or epithet refers to ("Zelenskiy", "the Kremlin dictator"), if known."""
        folded = fold(text)
        for epithet, canonical in self._epithets:
            if folded.endswith(epithet):
                return self.by_key(name_key(canonical.split()[-1]))
        words = re.findall(r"[^\W\d_][\w'’-]*", text)
        return self.by_key(name_key(words[-1])) if words else None

    def mentions(self, text: str) -> list[tuple[int, Person]]:
        """People named in `text`, by position (surnames and epithets)."""
        found = []
        for match in re.finditer(r"[A-ZÀ-Þ][\w'’-]+", text):
            if match.group() in NOT_NAMES:
                continue
            person = self.by_key(name_key(match.group()))
            if person is not None:
                found.append((match.start(), person))
        for match in self._epithet_re.finditer(text):
            canonical = self._epithet_person[fold(match.group())]
            person = self.by_key(name_key(canonical.split()[-1]))
            if person is not None:
                found.append((match.start(), person))
        return sorted(found, key=lambda item: item[0])


def _table_keys() -> tuple[dict[str, str], list[tuple[str, str]]]:
    """From PEOPLE: surname key of each name variant -> canonical key; and the epithets (folded)."""
    alias_key: dict[str, str] = {}
    epithets: list[tuple[str, str]] = []
    for canonical, variants in PEOPLE.items():
        canonical_key = name_key(canonical.split()[-1])
        for variant in (canonical, *variants):
            if variant.split()[-1][0].isupper():
                alias_key[name_key(variant.split()[-1])] = canonical_key
            else:
                epithets.append((fold(variant), canonical))
    return alias_key, epithets


def _speaks(text: str, start: int, end: int) -> bool:
    """A name followed by a speech verb or a role in apposition, or preceded by a speech verb."""
    after = text[end : end + 60]
    before = text[max(0, start - 30) : start]
    return bool(
        re.match(rf"\s*(?:,\s+(?:a|an|the)\s|{_RELATIVE}{_ADVERBIALS}\s+{_VERB}\b)", after)
        or re.search(rf"\b{_VERB}\s+$", before)
    )


def has_speech_cue(text: str) -> bool:
    """Could this sentence report speech? (A quotation mark, a speech verb, "according to" …)"""
    if '"' in text or "“" in text or "”" in text:
        return True
    return not _CUE_WORDS.isdisjoint(_LOWER_WORD.findall(text.lower()))


@lru_cache(maxsize=65_536)
def name_key(word: str) -> str:
    """A surname folded to match its variants: Zelenskyy = Zelensky, Németh = Nemeth."""
    terms = tokenize(word.rstrip("’'s").rstrip("’'"))
    return terms[-1] if terms else ""


def _has_capitalised_pair(text: str) -> bool:
    return re.search(r"[A-Z]\w*\s+[A-Z]", text) is not None


def _strip_stop_words(name: str) -> str:
    words = name.split()
    while words and words[0] in NOT_NAMES:
        words.pop(0)
    return " ".join(words)


def _clean_role(role: str | None) -> str | None:
    if not role:
        return None
    words = role.split()
    while words and (words[0] in FUNCTION_WORDS or words[0].lower() in {"the", "a", "an"}):
        words.pop(0)
    return " ".join(words) if words and re.search(rf"(?:{TITLES})$", " ".join(words)) else None


# ----------------------------------------------------------------------------------------------
# Attribution


@dataclass(slots=True)
class _Context:
    """What attribution remembers while reading one article in order."""

    article: Article
    people: People
    voice: Speaker
    recent: list[Person] = field(default_factory=list)
    last_speaker: Person | None = None
    last_outlet: str | None = None
    article_roles: dict[str, str] = field(default_factory=dict)


def voice_of(article: ArticleInfo) -> Speaker:
    """Who speaks when an article speaks in its own voice: author, else outlet, else the article."""
    if article.author:
        about = ", ".join(part for part in (article.author_role, article.outlet) if part)
        return Speaker(article.author, "author", role=about or None)
    if article.outlet:
        return Speaker(article.outlet, "outlet")
    label = f"“{article.title}”" if article.title else article.doc_id
    return Speaker(f"the article {label}", "article")


def attribute(article: Article, passages: Sequence[Passage], people: People) -> list[tuple[Statement, ...]]:
    """Statements of each passage of one article (in reading order), each with its speaker."""
    context = _Context(article=article, people=people, voice=voice_of(article.info))
    return [_attribute_passage(passage, context) for passage in passages]


def _attribute_passage(passage: Passage, context: _Context) -> tuple[Statement, ...]:
    text = passage.text
    mentions = context.people.mentions(text) if _has_capitalised_word(text) else []
    for position, person in mentions:
        role = _ROLE_BEFORE.search(text, 0, position)
        if role is not None and (cleaned := _clean_role(role["role"])):
            context.article_roles.setdefault(person.key, cleaned)
    statements: list[Statement] = []
    if has_speech_cue(text):
        statements = _explicit_statements(passage, context)
    if not any(speaks_for_passage(s) for s in statements):
        whole = (passage.start, passage.end)
        statements.insert(0, Statement(context.voice, "voice", whole, whole))
    first_person = next((s.speaker for s in statements if s.speaker.kind == "person"), None)
    context.last_speaker = context.people.find(first_person.name) if first_person else None
    if mentions:
        context.recent = [person for _, person in mentions]
    return tuple(statements)


def speaks_for_passage(statement: Statement) -> bool:
    """An attributed statement of a whole sentence or clause, not a phrase quoted inside one."""
    return statement.kind != "voice" and statement.said == statement.span


def _explicit_statements(passage: Passage, context: _Context) -> list[Statement]:
    """Statements whose speaker the sentence names: one for the sentence, or one per clause."""
    text, base = passage.text, passage.start
    found: list[tuple[Speaker, tuple[int, int], StatementKind]] = []
    for start, end in _clauses(text):
        speaker = _clause_speaker(text[start:end], context)
        if speaker is not None:
            kind: StatementKind = "quoted" if _QUOTATION.search(text, start, end) else "reported"
            found.append((speaker, (base + start, base + end), kind))
    if not found:
        return _possessive_quotations(passage, context)
    if len({speaker.label for speaker, _, _ in found}) == 1:
        speaker, _, kind = found[0]
        whole = (passage.start, passage.end)
        return [Statement(speaker, kind, whole, whole)]
    return [Statement(speaker, kind, span, span) for speaker, span, kind in found]


def _clauses(text: str) -> list[tuple[int, int]]:
    """Clauses that may each have their own speaker ("X asserted …, while Y echoed …")."""
    cuts = [0]
    lead = _LEADING_SUBORDINATE.match(text)
    if lead is not None and has_speech_cue(text[: lead.end()]) and has_speech_cue(text[lead.end() :]):
        cuts.append(lead.end())
    for match in _CLAUSE_SPLIT.finditer(text):
        cuts.append(match.end())
    cuts.append(len(text))
    spans = []
    for s, e in itertools.pairwise(cuts):
        connector = _CONNECTOR.match(text, s)
        if connector is not None:
            s = connector.end()
        segment = text[s:e].rstrip(" ,;")
        if segment:
            spans.append((s, s + len(segment)))
    return spans


def _clause_speaker(clause: str, context: _Context) -> Speaker | None:
    for pattern in (_AFTER_VERB, _ACCORDING, _AS_SAID, _PROPOSED_BY, _SUBJECT_VERB):
        for match in pattern.finditer(clause):
            who = match["who"].strip()
            role = match.groupdict().get("role")
            if pattern is _SUBJECT_VERB and _not_a_subject(clause, match):
                continue
            speaker = _resolve(who, role, context)
            if speaker is not None:
                return speaker
    return None


def _not_a_subject(clause: str, match: re.Match[str]) -> bool:
    """A name right after a preposition is not the subject ("a meeting with Starmer, Trump said")."""
    before = clause[: match.start("who")].rstrip()
    return re.search(r"\b(?:with|of|to|for|from|by|about|on|against|at|than)$", before) is not None


def _resolve(who: str, role: str | None, context: _Context) -> Speaker | None:
    """Turn the words naming a speaker into a Speaker, resolving pronouns, epithets and name variants."""
    who = re.sub(r"^(?:However|Still|But|And|Meanwhile|Crucially|Moreover|Instead|Yet|So|Also)\s+", "", who)
    lowered = who.lower()
    if lowered in _PRONOUNS:
        person = context.last_speaker or (context.recent[0] if context.recent else None)
        return _person_speaker(person, None, context) if person else None
    if lowered in {"it", "this", "that", "they", "we", "i", "there", "which", "what"}:
        return None
    person = context.people.find(who) if _names_a_person(who, context) else None
    if person is not None:
        stated = _ROLE_AND_NAME.match(who)
        given = _clean_role(stated["role"]) if stated else None
        if role:
            return Speaker(person.name, "person", role=role.strip(), role_first=False)
        return _person_speaker(person, given, context)
    if re.fullmatch(_OUTLET_NP, who):
        if context.article.outlet and fold(who).removeprefix("the ") == fold(context.article.outlet):
            return None  # "Caliber.Az reports" in Caliber.Az's own article: the article's own voice
        return _outlet(who, context)
    group = re.search(rf"{_GROUP_NP}$", who)
    if group is not None:
        return Speaker(_group_label(group.group()), "group")
    words = who.split()
    if words and all(w[0].isupper() or w in {"and", "of"} for w in words) and not set(words) <= {"The", "A"}:
        if len(words) >= 2 and all(re.fullmatch(_NAME_TOKEN, w) for w in words) and words[0] not in NOT_NAMES:
            return Speaker(who, "person", role=role, role_first=False) if role else Speaker(who, "person")
        return Speaker(who, "group")
    return None


def _names_a_person(who: str, context: _Context) -> bool:
    words = who.split()
    if not words:
        return False
    if re.search(_EPITHET_NP + "$", who):
        return True
    last = words[-1]
    return last[0].isupper() and last not in NOT_NAMES and name_key(last) in context.people


def _person_speaker(person: Person, given_role: str | None, context: _Context) -> Speaker:
    role = given_role or context.article_roles.get(person.key)
    if role is None and person.roles:
        role = person.roles.most_common(1)[0][0]
    return Speaker(person.name, "person", role=role)


def _outlet(who: str, context: _Context) -> Speaker:
    if re.fullmatch(r"the\s+(?:newspaper|paper|outlet|publication|broadcaster|agency|report)", who):
        name = context.last_outlet or context.article.outlet or who
        return Speaker(name, "outlet")
    last_word = who.split()[-1]
    if (
        context.last_outlet
        and context.last_outlet.split()[-1] == last_word
        and len(who) < len(context.last_outlet)
    ):
        return Speaker(context.last_outlet, "outlet")
    context.last_outlet = who
    return Speaker(who, "outlet")


def _group_label(text: str) -> str:
    words = text.split()
    if words and (words[0].lower() in _LOWER_FIRST or words[0].lower() in GROUP_HEADS):
        words[0] = words[0].lower()
    return " ".join(words)


def _possessive_quotations(passage: Passage, context: _Context) -> list[Statement]:
    """A quotation of a person's own words in a sentence about them ("his threats of imposing “…”")."""
    statements = []
    for match in _QUOTATION.finditer(passage.text):
        words = (match["q1"] or match["q2"] or "").split()
        possessive = _POSSESSIVE_SPEECH.search(passage.text, 0, match.start())
        if len(words) < 3 or possessive is None:
            continue
        people = [p for pos, p in context.people.mentions(passage.text) if pos < possessive.start()]
        if not people:
            continue
        whole = (passage.start, passage.end)
        said = (passage.start + match.start() + 1, passage.start + match.end() - 1)
        statements.append(Statement(_person_speaker(people[-1], None, context), "quoted", whole, said))
    return statements


def _has_capitalised_word(text: str) -> bool:
    return re.search(r"(?<!^)\b[A-Z]", text) is not None or text[:1].isupper()
