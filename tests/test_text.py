"""text: folding, tokenising, aliases, stemming and stop words."""

from __future__ import annotations

import pytest

from bot.text import fold, tokenize, tokenize_query


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
        assert tokenize(variant) == [term], variant


def test_stemming_stop_words_and_numbers() -> None:
    assert tokenize("The troops were deploying") == ["troop", "deploy"]
    assert tokenize("negotiations") == tokenize("negotiate")
    assert tokenize("demilitarised") == tokenize("demilitarized") == tokenize("demilitarization")
    assert tokenize("sending 10,000 troops") == ["send", "10000", "troop"]
    assert tokenize("Németh") == tokenize("Nemeth")


def test_curly_and_straight_apostrophes_are_alike() -> None:
    assert (
        tokenize("Ukraine’s sovereignty") == tokenize("Ukraine's sovereignty") == ["ukraine", "sovereignti"]
    )


def test_british_words_that_are_not_ise_verbs_stay() -> None:
    assert tokenize("promised") == tokenize("promise")
    assert tokenize("exercise") != tokenize("exercize")


def test_query_us_is_the_country_unless_a_verb_takes_it() -> None:
    assert tokenize_query("what is the us backstop") == ["usa", "backstop"]
    assert tokenize_query("tell us about the backstop") == ["backstop"]
    assert tokenize("they told us") == []
