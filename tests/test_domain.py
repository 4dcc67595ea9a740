"""The domain file: a shelf's topic commands, routes, aliases and people as data, validated at start-up.

A second shelf (tests/domains/trade.toml, with our own articles in tests/trade/) is answered end to
end, from the command line and through the real server, without a line of code about it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.__main__ import main
from bot.answers import answer, parse
from bot.corpus import load_corpus
from bot.domain import Domain, load_domain, shipped_domain
from bot.errors import DomainError
from bot.index import SearchIndex
from bot.render import render_text
from tests.slack_kit import Server, StandIn, post, sign, slash_command, start_server

ROOT = Path(__file__).resolve().parent.parent
TRADE = ROOT / "tests" / "domains" / "trade.toml"
TRADE_ARTICLES = ROOT / "tests" / "trade"
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def trade() -> Domain:
    return load_domain(TRADE)


@pytest.fixture(scope="module")
def trade_index(trade: Domain) -> SearchIndex:
    return SearchIndex.build(load_corpus(TRADE_ARTICLES, clutter=trade.clutter), knowledge=trade.knowledge())


def test_the_shipped_domain_file_loads() -> None:
    domain = shipped_domain()
    assert [t.command for t in domain.topics] == ["troops", "russia-position"]
    assert all(len(t.facets) >= 4 for t in domain.topics)


def _words(text: str) -> list[str]:
    return re.findall(r"[^\W_]+", text.lower())


def test_no_four_words_of_a_seed_article_in_the_code_or_the_domain_file() -> None:
    """Facets, cues and examples are general words: nothing is copied from the shipped articles."""
    grams: set[tuple[str, ...]] = set()
    for article in SEEDS.iterdir():
        words = _words(article.read_text(encoding="utf-8"))
        grams |= {tuple(words[i : i + 4]) for i in range(len(words) - 3)}
    copied = {}
    for path in sorted((ROOT / "bot").rglob("*")):
        if path.suffix in {".py", ".toml", ".json", ".txt", ".md"}:
            words = _words(path.read_text(encoding="utf-8"))
            hits = {
                " ".join(words[i : i + 4]) for i in range(len(words) - 3) if tuple(words[i : i + 4]) in grams
            }
            if hits:
                copied[str(path.relative_to(ROOT))] = sorted(hits)
    assert not copied, copied


def test_the_overlap_scan_does_find_a_copied_phrase(tmp_path: Path) -> None:
    sentence = (SEEDS / sorted(p.name for p in SEEDS.iterdir())[0]).read_text(encoding="utf-8").split("\n")[0]
    words = _words(sentence)[:4]
    grams = set()
    for article in SEEDS.iterdir():
        all_words = _words(article.read_text(encoding="utf-8"))
        grams |= {tuple(all_words[i : i + 4]) for i in range(len(all_words) - 3)}
    assert tuple(words) in grams  # the scan above would flag these four words in a file


@pytest.mark.parametrize(
    ("change", "where"),
    [
        (
            lambda t: t.replace('  label = "Goods"\n', '  label = ""\n'),
            r"line 3\d: topic\.0\.facet\.1\.label",
        ),
        (lambda t: t.replace('command = "tariffs"', 'command = "Tariffs!"'), r"line 1\d: topic\.0\.command"),
        (lambda t: t.replace('command = "tariffs"', 'command = "ask"'), "built-in command"),
        (lambda t: t.replace("[app]", "[app\n"), "not valid TOML"),
        (
            lambda t: t + '\n[[topic.facet]]\nname = "x"\nlabel = "X"\ndescription = "xyz"\nasked_by = []\n',
            r"asked_by",
        ),
    ],
)
def test_a_broken_domain_file_is_refused_naming_the_line(tmp_path: Path, change, where: str) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "broken.toml"
    path.write_text(change(TRADE.read_text(encoding="utf-8")), encoding="utf-8")
    with pytest.raises(DomainError, match=where):
        load_domain(path)


def test_a_broken_domain_file_stops_the_cli_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "broken.toml"
    path.write_text(
        TRADE.read_text(encoding="utf-8").replace('label = "Rates"', "label = 5"), encoding="utf-8"
    )
    monkeypatch.setenv("DOMAIN_FILE", str(path))
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    assert main(["ask", "--corpus", str(TRADE_ARTICLES), "/tariffs"]) == 1
    err = capsys.readouterr().err.strip()
    assert "\n" not in err and "broken.toml, line" in err and "label" in err


def test_another_shelf_has_its_own_commands_help_and_routes(trade: Domain, trade_index: SearchIndex) -> None:
    help_text = answer("help", trade_index, domain=trade).message or ""
    assert "/tariffs" in help_text and "/troops" not in help_text and "/russia-position" not in help_text
    assert parse("/troops", trade).command == "help"  # not a command on this shelf
    assert parse("What duties will Norland impose on steel?", trade).command == "tariffs"
    assert parse("How many troops would Europe send?", trade).command == "ask"


def test_another_shelf_answers_its_topic_command(trade: Domain, trade_index: SearchIndex) -> None:
    overview = answer("/tariffs", trade_index, domain=trade)
    assert overview.found and overview.title == "The tariff dispute"
    labels = {q.facet: q.quote for q in overview.answers}
    assert "25 percent" in labels["Rates"] or "10 percent" in labels["Rates"]
    assert "retaliation" in labels["Retaliation"]
    assert "storm" not in " ".join(labels.values()).lower()
    rates = answer("/tariffs how high are the duties on cheese?", trade_index, domain=trade)
    assert "10 percent" in rates.answers[0].quote
    assert not answer("/tariffs football results", trade_index, domain=trade).found


def test_aliases_and_people_come_from_the_domain_file(trade: Domain, trade_index: SearchIndex) -> None:
    # The trade file makes "tariff" and "levy" the same term as "duty": the articles say only "duty".
    analyzer = trade_index.analyzer
    assert analyzer.tokenize_query("tariffs") == analyzer.tokenize("duties") == analyzer.tokenize("levy")
    duty = next(pid for pid in range(len(trade_index)) if "25 percent duty" in trade_index.passage_text(pid))
    assert trade_index.scores(analyzer.tokenize_query("tariff"))[duty] > 0
    plain = SearchIndex.build(load_corpus(TRADE_ARTICLES))  # the shipped domain's knowledge
    assert plain.scores(plain.analyzer.tokenize_query("tariff")).max() == 0
    # Its known person's description names her.
    said = answer("/whosaid Ilse Varga", trade_index, domain=trade)
    assert said.found and "dumping" in said.answers[0].quote
    assert trade_index.people.epithet("Norland's trade minister") is not None


def test_another_shelf_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DOMAIN_FILE", str(TRADE))
    monkeypatch.setenv("STATE_DIR", str(tmp_path / "state"))
    assert main(["ask", "--json", "--corpus", str(TRADE_ARTICLES), "/tariffs which goods are covered?"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["command"] == "tariffs" and data["found"]
    assert any("Cheese" in q["quote"] for q in data["answers"])


@pytest.fixture(scope="module")
def trade_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, StandIn]]:
    api = StandIn().start()
    env = {
        "CORPUS_DIR": str(TRADE_ARTICLES),
        "DOMAIN_FILE": str(TRADE),
        "STATE_DIR": str(tmp_path_factory.mktemp("trade-state")),
    }
    running = start_server(api, env=env)
    yield running, api
    running.stop()
    api.stop()


def test_another_shelf_through_the_server(trade_server: tuple[Server, StandIn]) -> None:
    server, _ = trade_server
    body = slash_command("/tariffs", "how high are the duties?")
    reply = post(server.port, body, "application/x-www-form-urlencoded", sign(body))
    assert reply.status == 200
    text = json.dumps(reply.json())
    assert "The tariff dispute" in text and "25 percent" in text
    body = slash_command("/troops", "")
    text = json.dumps(post(server.port, body, "application/x-www-form-urlencoded", sign(body)).json())
    assert "/tariffs" in text and "I don't know the command /troops" in text


def test_help_and_usage_follow_the_domain(seed_index: SearchIndex) -> None:
    text = render_text(answer("help", seed_index))
    for topic in shipped_domain().topics:
        assert f"/{topic.command}" in text and topic.example in text


def test_the_domain_files_clutter_lines_are_never_quoted(trade: Domain, trade_index: SearchIndex) -> None:
    everything = " ".join(trade_index.passage_text(pid) for pid in range(len(trade_index)))
    assert "weekly cargo figures" in everything and "Trade desk notes are compiled" not in everything
    plain = SearchIndex.build(load_corpus(TRADE_ARTICLES))  # without the trade file's clutter
    assert any("Trade desk notes are compiled" in plain.passage_text(p) for p in range(len(plain)))
