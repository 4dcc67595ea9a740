"""text: folding, tokenising, aliases, stemming and stop words."""

from __future__ import annotations

import pytest

from bot.domain import shipped_domain
from bot.text import Analyzer, fold, tokenize, tokenize_query

UKRAINE = Analyzer(shipped_domain().aliases)  # with the shipped domain file's aliases


def test_fold_accents_case_and_quotes() -> None:
    assert fold("Németh’s “Plan”") == 'nemeth\'s "plan"'


@pytest.mark.parametrize(
    ("variants", "term"),
    [
        (["Zelensky", "Zelenskyy", "ZELENSKIY"], "zelensky"),
        (["UK", "U.K.", "Britain", "British", "United Kingdom"], "uk"),
        (["US", "U.S.", "United States", "America", "American", "Washington", "USA"], "usa"),
        (["Russia", "Russian", "Moscow", "Kremlin", "Russia’s", "Russia's"], "russia"),
        (["defence", "defense"], "defense"),
    ],
)
def test_aliases_map_to_one_term(variants: list[str], term: str) -> None:
    for variant in variants:
        assert UKRAINE.tokenize(variant) == [term], variant


def test_aliases_are_the_domain_files_not_the_languages() -> None:
    # Without a shelf's aliases, a place is itself; spellings and acronyms of English still fold.
    assert tokenize("Britain") == ["britain"] and tokenize("Kremlin") == ["kremlin"]
    assert tokenize("U.K.") == tokenize("United Kingdom") == ["uk"]
    assert tokenize("defence") == ["defense"]
    # A variant maps to its term whatever its inflection; a phrase before tokenising.
    trade = Analyzer({"duty": ["tariff", "levy"], "norland": ["the northern kingdom"]})
    assert trade.tokenize("tariffs levies duty") == ["duty", "duty", "duty"]
    assert trade.tokenize("The Northern Kingdom's exports") == ["norland", "export"]


def test_stemming_stop_words_and_numbers() -> None:
    assert tokenize("The troops were deploying") == ["troop", "deploy"]
    assert tokenize("negotiations") == tokenize("negotiate")
    assert tokenize("demilitarised") == tokenize("demilitarized") == tokenize("demilitarization")
    assert tokenize("sending 10,000 troops") == ["send", "10000", "troop"]
    assert tokenize("Németh") == tokenize("Nemeth")


def test_curly_and_straight_apostrophes_are_alike() -> None:
    assert tokenize("Ukraine’s sovereignty") == tokenize("Ukraine's sovereignty") == ["ukrain", "sovereignti"]


def test_british_words_that_are_not_ise_verbs_stay() -> None:
    assert tokenize("promised") == tokenize("promise")
    assert tokenize("exercise") != tokenize("exercize")


def test_query_us_is_the_country_unless_a_verb_takes_it() -> None:
    assert tokenize_query("what is the us backstop") == ["usa", "backstop"]
    assert tokenize_query("tell us about the backstop") == ["backstop"]
    assert tokenize("they told us") == []


def test_the_word_lists_ship_as_data_and_are_read_whole() -> None:
    from bot.wordlists import wordlists

    lists = wordlists()
    assert {"the", "whether", "что", "це"} <= lists.stop_words  # English, Russian, Ukrainian
    assert "minister" not in lists.stop_words
    assert {"gen", "sen", "sept"} <= lists.abbreviations and "however" in lists.sentence_starters
    assert "promise" in lists.ise_keep and "organise" not in lists.ise_keep
    assert lists.junk.match("Advertisement") and lists.junk.match("Follow us on Telegram")
    assert not lists.junk.match("Advertisement revenue fell by a third, the minister said.")
