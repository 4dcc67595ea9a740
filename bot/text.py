"""Normalise and tokenise text the same way for articles and questions.

Case and accent folding (Németh = nemeth), curly and straight quotes alike, possessives dropped,
British spellings folded to American, stop words removed, Snowball stemming, and an alias table
that maps every name of one thing to one term. Mapping aliases to a single term on both sides is
query expansion without the double counting: "Kremlin" finds "Moscow" and "Russian", and a passage
naming Russia three ways does not outscore one that names it once.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache

import Stemmer

from bot.wordlists import wordlists

# Spellings of one word in English: every variant maps to the term on the left. Names of a shelf's
# places, people and institutions are not language: they are the domain file's aliases (Analyzer).
ALIASES: dict[str, tuple[str, ...]] = {
    "defense": ("defence", "defense"),
    "offense": ("offence", "offense"),
}
# Full names of the acronyms below, folded to the acronym's term before tokenising.
PHRASES: dict[str, str] = {
    "united states": "usa",
    "united kingdom": "uk",
    "european union": "eu",
    "united nations": "un",
}
_ACRONYMS = re.compile(r"\b(?:U\.S\.A\.|U\.S\.|U\.S\b|US\b|USA\b|U\.K\.|UK\b|U\.N\.|E\.U\.)")
_ACRONYM_TERM = {"U.S.A.": "usa", "U.S.": "usa", "U.S": "usa", "US": "usa", "USA": "usa"}
_ACRONYM_TERM |= {"U.K.": "uk", "UK": "uk", "U.N.": "un", "E.U.": "eu"}
# Numbers; runs of Han, kana or Thai (no spaces between words: cut into overlapping pairs below); and
# words of letters in any other script, with inner apostrophes.
_CJK = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u0e00-\u0e7f"
_LETTERS = rf"[^\W\d_{_CJK}]+"  # letters of any script but those
_TOKEN = re.compile(rf"\d+(?:,\d{{3}})+(?:\.\d+)?|\d+(?:\.\d+)?|[{_CJK}]+|{_LETTERS}(?:'{_LETTERS})*")
_ASCII_TOKEN = re.compile(r"\d+(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[a-z]+(?:'[a-z]+)*")  # the same, faster
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_HAS_DIGIT = re.compile(r"\d")
# The Snowball stemmer for each script whose words it can stem (PyStemmer ships them); other scripts'
# words are indexed as written (folded).
_SCRIPT_STEMMERS = (("LATIN", "english"), ("CYRILLIC", "russian"), ("GREEK", "greek"), ("ARABIC", "arabic"))
UKRAINIAN_STEM = 5  # letters kept of a Ukrainian word
# Letters only Ukrainian (and Belarusian) use: the Russian stemmer would mangle such words.
_NOT_RUSSIAN = frozenset("іїєґў")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'", "´": "'", "“": '"', "”": '"', "„": '"'})
_WORD = re.compile(r"\w+")
_COMBINING = re.compile(r"[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]")
_ISE = re.compile(r"^(?P<stem>\w{3,})is(?P<end>e|es|ed|ing|ation|ations|er|ers)$")
# In a question "us" is far more often the country than the pronoun, unless a verb takes it.
_PRONOUN_US_AFTER = frozenset("tell give show help let for to with of about among join".split())


@lru_cache(maxsize=8)
def _stemmer(language: str = "english") -> Stemmer.Stemmer:
    return Stemmer.Stemmer(language)


def _stem(word: str) -> str:
    """The word's stem by the Snowball stemmer of its script, or the word itself."""
    if word.isascii():
        return str(_stemmer().stemWord(_americanise(word)))
    script = unicodedata.name(word[0], "").split(" ")[0]
    language = next((lang for name, lang in _SCRIPT_STEMMERS if name == script), None)
    if language == "russian" and not _NOT_RUSSIAN.isdisjoint(word):
        # Ukrainian has no Snowball stemmer, and the Russian one mangles it: its inflections mostly
        # change the end of a word, so the first letters stand for the word (truncation stemming).
        return word[:UKRAINIAN_STEM]
    if language is None:
        return word
    return str(_stemmer(language).stemWord(word))


def fold(text: str) -> str:
    """Lower-case, strip accents, and make curly quotes and apostrophes straight."""
    if text.isascii():
        return text.lower()
    decomposed = unicodedata.normalize("NFKD", text.translate(_QUOTES))
    return _COMBINING.sub("", decomposed).casefold()


def _americanise(word: str) -> str:
    match = _ISE.match(word)
    if match is None or f"{match['stem']}ise" in (keep := wordlists().ise_keep) or word in keep:
        return word
    return f"{match['stem']}iz{match['end']}"


class Analyzer:
    """Text to index terms, the same way for articles and questions, with a shelf's aliases.

    `aliases` maps a term to the other words and phrases that name the same thing (from the domain file):
    a variant maps to the term whatever its inflection ("Brits" as "Brit"), a phrase before tokenising.
    """

    def __init__(self, aliases: Mapping[str, Sequence[str]] | None = None) -> None:
        self.aliases = {term: tuple(variants) for term, variants in sorted((aliases or {}).items())}
        single: dict[str, str] = {v: t for t, variants in ALIASES.items() for v in (t, *variants)}
        phrases = dict(PHRASES)
        for term, variants in self.aliases.items():
            for variant in (term, *variants):
                folded = " ".join(fold(variant).split())
                if " " in folded:
                    phrases[folded] = term
                else:
                    single[folded] = term
        self._stop_words = wordlists().stop_words
        self._alias_of = single
        self._alias_of_stem = {
            _stem(word): term for word, term in single.items() if word not in self._stop_words
        }
        self._phrases = phrases
        self._phrase_re = re.compile(
            r"\b(?:" + "|".join(re.escape(p) for p in sorted(phrases, key=len, reverse=True)) + r")\b"
        )
        self._terms: dict[str, str | None] = {}

    def words(self, text: str) -> list[str]:
        """Folded words of `text`, possessives dropped and numbers without thousands separators."""
        text = _ACRONYMS.sub(lambda m: f" {_ACRONYM_TERM[m.group()]} ", text)
        folded = self._phrase_re.sub(lambda m: self._phrases[" ".join(m.group().split())], fold(text))
        ascii_text = folded.isascii()
        tokens = (_ASCII_TOKEN if ascii_text else _TOKEN).findall(folded)
        if ascii_text and "'" not in folded and not _HAS_DIGIT.search(folded):
            return tokens  # plain words only: nothing below would change them
        out = []
        for token in tokens:
            if token[0].isdigit():
                out.append(token.replace(",", ""))
                continue
            if not ascii_text and _CJK_RUN.fullmatch(token):
                # No spaces between words: each character and each overlapping pair.
                out.extend([*token, *(token[i : i + 2] for i in range(len(token) - 1))])
                continue
            if token.endswith("'s"):
                token = token[:-2]
            out.append(token.replace("'", ""))
        return out

    def canonical(self, word: str) -> str | None:
        """The index term for one folded word, or None for a stop word."""
        term = self._terms.get(word, "")
        if term != "":
            return term
        if word in self._alias_of:
            term = self._alias_of[word]
        elif word in self._stop_words or (len(word) < 2 and not word.isdigit() and not _CJK_RUN.match(word)):
            term = None
        else:
            stem = _stem(word)
            term = self._alias_of_stem.get(stem, stem)
        if len(self._terms) < _MAX_CACHED_TERMS:
            self._terms[word] = term
        return term

    def analyse(self, text: str) -> list[tuple[str, str]]:
        """(word, index term) for every word of an article sentence that is not a stop word."""
        known = self._terms  # a million sentences' words: the cache is read here, not through a call
        pairs = []
        for word in self.words(text):
            term = known.get(word, "")
            if term == "":
                term = self.canonical(word)
            if term is not None:
                pairs.append((word, term))
        return pairs

    def analyse_query(self, text: str) -> list[tuple[str, str]]:
        """(word, index term) for a question as typed: a lower-case "us" counts as the country."""
        raw = self.words(text)
        pairs = []
        for i, word in enumerate(raw):
            if word == "us" and (i == 0 or raw[i - 1] not in _PRONOUN_US_AFTER):
                word = "usa"
            term = self.canonical(word)
            if term is not None:
                pairs.append((word, term))
        return pairs

    def tokenize(self, text: str) -> list[str]:
        """Index terms of an article sentence."""
        return [term for _, term in self.analyse(text)]

    def tokenize_query(self, text: str) -> list[str]:
        """Index terms of a question, as typed."""
        return [term for _, term in self.analyse_query(text)]


_MAX_CACHED_TERMS = 262_144
PLAIN = Analyzer()  # no shelf's aliases: for names and text that no index is built from


def words(text: str) -> list[str]:
    """Folded words of `text` (no shelf's aliases)."""
    return PLAIN.words(text)


def same_text_key(text: str) -> str:
    """A sentence's words only, folded: copies that differ in quotes, dashes or spacing compare equal."""
    return " ".join(_WORD.findall(fold(text)))


def tokenize(text: str) -> list[str]:
    """Index terms of `text` with no shelf's aliases (an index's own analyzer has them)."""
    return PLAIN.tokenize(text)


def tokenize_query(text: str) -> list[str]:
    """Index terms of a question with no shelf's aliases (an index's own analyzer has them)."""
    return PLAIN.tokenize_query(text)
