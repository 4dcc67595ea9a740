"""Tune /ask's fused score and its "not found" threshold (bot/answers/fusion.py) on the QA development
sets, and report them honestly: tuned on the even-numbered questions of both sets and scored on the odd
ones, then the reverse, beside the figure on all questions.

First index each set with its vectors (about 5 and 15 minutes on 2 cores):

    python scripts/devset_index.py ../shared/devsets/newsqa /tmp/dev-newsqa
    python scripts/devset_index.py ../shared/devsets/qa /tmp/dev-squad
    python scripts/tune_ask.py /tmp/dev-newsqa /tmp/dev-squad

It prints the figures tuned on each half and scored on the other, then writes the weights and the
answerability model fitted on all questions to bot/answers/fusion.json. `score.py` then measures the
product itself.
"""

from __future__ import annotations

import json
import pickle
import sys
from dataclasses import asdict, replace
from pathlib import Path

import numpy as np

from bot.answers.fusion import (
    ANSWERABLE_FEATURES,
    MEANING_FEATURES,
    TUNED_FILE,
    Answerable,
    Evidence,
    Weights,
    WordsAlone,
    evidence,
)
from bot.index import saved_index
from bot.meaning import load

DATA = {"newsqa": "newsqa", "squad": "qa"}
DEVSETS = Path(__file__).resolve().parent.parent.parent / "shared" / "devsets"

Row = tuple[int, list[Evidence], list[bool]]  # question number, candidates, each one's label


def _collect(work: Path, name: str) -> tuple[list[Row], list[Row]]:
    """Each question's candidates with their evidence and whether each holds an answer."""
    cache = work / "evidence.pickle"
    if cache.exists():
        return pickle.loads(cache.read_bytes())  # type: ignore[no-any-return]
    sys.path.insert(0, str(Path(__file__).parent))
    from devset_index import scorer

    devscore = scorer()
    folder = DEVSETS / DATA[name]
    index = saved_index(work / "index")  # as indexed, even if the code has changed since
    assert index is not None
    model = load()
    assert model is not None
    index.meaning_model = model

    def rows(path: Path, labelled: bool) -> list[Row]:
        out = []
        for number, line in enumerate(path.open(encoding="utf-8")):
            q = json.loads(line)
            terms = index.analyzer.tokenize_query(q["question"])
            found = evidence(index, q["question"], terms, model.query(q["question"]))
            if labelled:
                doc = devscore.file_name(q["article"])
                wanted = [devscore.folded(a["text"]) for a in q["answers"]]
                labels = [
                    index.doc_id(e.pid) == doc
                    and any(w in devscore.folded(index.passage_text(e.pid)) for w in wanted)
                    for e in found
                ]
            else:
                labels = [False] * len(found)
            out.append((number, found, labels))
        return out

    result = rows(folder / "questions.jsonl", True), rows(folder / "offtopic.jsonl", False)
    cache.write_bytes(pickle.dumps(result))
    return result


FEATURES = ("words", "meaning", "nearby", "sentence", "paragraph", "kind")
OUT = Path(__file__).resolve().parent.parent / "bot" / "answers" / TUNED_FILE


class Padded:
    """One development set's candidates as arrays, questions by candidates (padded), for fast tuning."""

    def __init__(self, rows: list[Row]) -> None:
        width = max((len(found) for _, found, _ in rows), default=1) or 1
        shape = (len(rows), width)
        self.features = np.zeros((*shape, len(FEATURES)), dtype=np.float32)
        self.answerable = np.zeros((*shape, len(ANSWERABLE_FEATURES)), dtype=np.float32)
        self.labels = np.zeros(shape, dtype=bool)
        self.present = np.zeros(shape, dtype=bool)
        for i, (_, found, labels) in enumerate(rows):
            for j, (e, label) in enumerate(zip(found, labels, strict=True)):
                self.features[i, j] = [getattr(e, name) for name in FEATURES]
                self.answerable[i, j] = [getattr(e, name) for name in ANSWERABLE_FEATURES]
                self.labels[i, j] = label
                self.present[i, j] = True

    def order(self, w: Weights) -> np.ndarray:
        """Each question's candidates by fused score, best first."""
        fused = self.features @ np.array([getattr(w, name) for name in FEATURES], dtype=np.float32)
        return np.argsort(-np.where(self.present, fused, -np.inf), axis=1, kind="stable")

    def best(self, w: Weights) -> np.ndarray:
        """The answerability features of each question's best candidate."""
        order = self.order(w)
        return self.answerable[np.arange(len(order)), order[:, 0]]


def log_odds(model: Answerable, x: np.ndarray) -> np.ndarray:
    """The model's log-odds for rows of all ANSWERABLE_FEATURES."""
    x = x[:, [ANSWERABLE_FEATURES.index(f) for f in model.features]]
    return ((x - np.array(model.mean)) / np.array(model.scale)) @ np.array(model.coef) + model.intercept


SENTENCE, PARAGRAPH = ANSWERABLE_FEATURES.index("sentence"), ANSWERABLE_FEATURES.index("paragraph")


def says_yes(model: Answerable, words: WordsAlone | None, x: np.ndarray) -> np.ndarray:
    yes = log_odds(model, x) >= model.threshold
    if words is not None:
        yes |= (x[:, SENTENCE] >= words.sentence) & (x[:, PARAGRAPH] >= words.paragraph)
    return yes


def measure(
    questions: Padded, offtopic: Padded, w: Weights, model: Answerable | None, words: WordsAlone | None = None
) -> dict[str, float]:
    """top-1, top-3 and found (share of questions), off-topic answered (count); all answered if no model."""
    order = questions.order(w)
    rows = np.arange(len(order))[:, None]
    answered = np.ones(len(order), dtype=bool)
    wrong = len(offtopic.labels)
    if model is not None:
        answered = says_yes(model, words, questions.best(w))
        wrong = int(says_yes(model, words, offtopic.best(w)).sum())
    labels = questions.labels[rows, order[:, :3]] & questions.present[rows, order[:, :3]] & answered[:, None]
    n = max(1, len(order))
    return {
        "top1": float(labels[:, 0].sum()) / n,
        "top3": float(labels.any(axis=1).sum()) / n,
        "found": float(answered.sum()) / n,
        "offtopic": wrong,
        "of": len(offtopic.labels),
    }


def tune_ranking(sets: list[tuple[Padded, Padded]]) -> Weights:
    """Coordinate search over the weights for top-1 + top-3, every question answered."""
    w = Weights()
    grid = {
        "words": [0.0, 0.25, 0.5, 0.75, 1.0],
        "meaning": [0.5, 1.0, 1.5, 2.0],
        "nearby": [0.0, 0.15, 0.3, 0.5],
        "sentence": [0.0, 0.5, 1.0, 2.0],
        "paragraph": [0.0, 0.5, 1.0, 2.0, 3.0],
        "kind": [0.0, 0.2, 0.4, 0.8, 1.2],
    }

    def gain(weights: Weights) -> float:
        return sum(sum(measure(q, o, weights, None)[k] for k in ("top1", "top3")) for q, o in sets)

    for _ in range(3):
        for field, values in grid.items():
            w = replace(w, **{field: max(values, key=lambda v: gain(replace(w, **{field: v})))})
    return w


def fit_answerable(
    sets: list[tuple[Padded, Padded]],
    w: Weights,
    features: tuple[str, ...] = ANSWERABLE_FEATURES,
    words: WordsAlone | None = None,
) -> Answerable:
    """Logistic regression (numpy, class-balanced per set): in-shelf questions against off-topic ones;
    then the threshold that maximises the found share minus the off-topic share, summed over sets (an
    off-topic answer costs as much as a question left unanswered)."""
    xs, ys, weights = [], [], []
    for questions, offtopic in sets:
        inside, outside = questions.best(w), offtopic.best(w)
        xs += [inside, outside]
        ys += [np.ones(len(inside)), np.zeros(len(outside))]
        weights += [np.full(len(inside), 1 / len(inside)), np.full(len(outside), 1 / len(outside))]
    x, y, sample = np.vstack(xs).astype(np.float64), np.concatenate(ys), np.concatenate(weights)
    x = x[:, [ANSWERABLE_FEATURES.index(f) for f in features]]
    mean, scale = x.mean(axis=0), x.std(axis=0) + 1e-6
    z = (x - mean) / scale
    coef, intercept = np.zeros(z.shape[1]), 0.0
    for _ in range(4000):
        p = 1 / (1 + np.exp(-(z @ coef + intercept)))
        g = (p - y) * sample
        coef -= 0.2 * (z.T @ g) / sample.sum()
        intercept -= 0.2 * g.sum() / sample.sum()
    model = Answerable(
        features=list(features),
        mean=mean.round(5).tolist(),
        scale=scale.round(5).tolist(),
        coef=coef.round(5).tolist(),
        intercept=round(float(intercept), 5),
        threshold=0.0,
    )

    threshold = max(
        (round(float(t), 2) for t in np.arange(-2.0, 2.01, 0.05)),
        key=lambda t: value(sets, w, model.model_copy(update={"threshold": t}), words),
    )
    return model.model_copy(update={"threshold": threshold})


def value(
    sets: list[tuple[Padded, Padded]], w: Weights, model: Answerable, words: WordsAlone | None
) -> float:
    """Found share minus off-topic share, summed over the sets."""
    total = 0.0
    for questions, offtopic in sets:
        m = measure(questions, offtopic, w, model, words)
        total += m["found"] - m["offtopic"] / max(1, m["of"])
    return total


RULES = [WordsAlone(sentence=s, paragraph=p) for s, p in ((0.5, 0.7), (0.6, 0.8), (0.7, 0.9), (0.8, 1.0))]


def fit_both(sets: list[tuple[Padded, Padded]], w: Weights) -> tuple[Answerable, WordsAlone]:
    """The model and the words-alone rule, chosen together."""
    fitted = [(fit_answerable(sets, w, words=rule), rule) for rule in RULES]
    return max(fitted, key=lambda pair: value(sets, w, pair[0], pair[1]))


def half(rows: list[Row], parity: int) -> list[Row]:
    return [r for r in rows if r[0] % 2 == parity]


def report(label: str, name: str, m: dict[str, float]) -> None:
    print(
        f"  {name} {label}: top3 {m['top3']:.1%} top1 {m['top1']:.1%} found {m['found']:.1%} "
        f"off-topic {m['offtopic']}/{m['of']}"
    )


def main(works: list[Path]) -> None:
    names = [("newsqa" if "newsqa" in str(w) else "squad") for w in works]
    data = {name: _collect(work, name) for name, work in zip(names, works, strict=True)}
    for parity, other in ((0, 1), (1, 0)):
        sets = [(Padded(half(q, parity)), Padded(half(o, parity))) for q, o in data.values()]
        w = tune_ranking(sets)
        model, rule = fit_both(sets, w)
        print(
            f"tuned on the {'even' if parity == 0 else 'odd'} questions: {asdict(w)}, "
            f"threshold {model.threshold}, {rule}"
        )
        for name, (q, o) in data.items():
            report(
                f"{'odd' if other else 'even'} (held out)",
                name,
                measure(Padded(half(q, other)), Padded(half(o, other)), w, model, rule),
            )
    sets = [(Padded(q), Padded(o)) for q, o in data.values()]
    w = tune_ranking(sets)
    model, rule = fit_both(sets, w)
    print(f"tuned on all: {asdict(w)}, threshold {model.threshold}, {rule}")
    for name, (q, o) in data.items():
        report("all (tuned on them)", name, measure(Padded(q), Padded(o), w, model, rule))
    meaning_only = fit_answerable(sets, w, MEANING_FEATURES, rule)
    for name, (q, o) in data.items():
        report("all, judged on meaning alone", name, measure(Padded(q), Padded(o), w, meaning_only, rule))
    tuned = {
        "ranking": asdict(w),
        "answerable": model.model_dump(),
        "by_meaning": meaning_only.model_dump(),
        "words_alone": rule.model_dump(),
    }
    OUT.write_text(json.dumps(tuned, indent=1) + "\n", encoding="utf-8")
    print(f"written to {OUT}")


if __name__ == "__main__":
    main([Path(p) for p in sys.argv[1:]])
