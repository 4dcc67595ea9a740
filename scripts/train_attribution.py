"""Train the model that chooses a sentence's speaker (bot/attribution/chooser.json) on PolNeAR.

    .venv/bin/pip install -e '.[train]'          # scikit-learn, for this script only
    .venv/bin/python scripts/train_attribution.py --folds 5          # figures, folds by article
    .venv/bin/python scripts/train_attribution.py --write            # fit on every article, ship it
    .venv/bin/python scripts/train_attribution.py --folds 5 --scorer # the dev set's own scorer per fold

What is learned: for each annotated sentence, which of the candidates attribution proposes
(`bot.attribution.choice`) is the annotated source (PolNeAR's named sources, from the dev set's phrase
and pronoun cases). Sentences no case touches and where no cue proposes a speaker teach the article's
own voice. The rules' choices steer the reading while recording (which speaker carries over), as
they do at run time until the model's choice differs.

Figures: with --folds K the articles are split into K folds (by article, fixed shuffle); a model
fitted on K-1 folds attributes the K-th. "sentence" figures are worked out here, in process: the
statement that covers the case's words names a key of the case. --scorer also runs the dev set's
`score.py` per fold on a copy of the project holding that fold's model, and on all articles with the
model fitted on all of them.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.attribution import article_names, attribute, people_of
from bot.attribution.choice import MODEL_FILE, Candidate, Chooser, choose, rule_choice
from bot.corpus import Article, article_from_bytes
from bot.passages import split_article
from bot.text import fold

SCARE_QUOTES = 0.25  # at most this share of a sentence's words quoted: the writer quotes a phrase
ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "devsets" / "attribution" / "polnear-train.json"
SCORER = DATA.parent / "score.py"
C = 0.5  # the regularisation; fixed, not searched on the folds that report the figures
SEED = 27


@dataclass
class Case:
    at: int
    keys: list[str]


@dataclass
class Group:
    """One sentence's candidates and which of them is right (-1: none of them)."""

    features: list[dict[str, float]]
    labels: list[int]


def load(path: Path) -> tuple[list[Article], dict[str, list[Case]], dict[str, list[tuple[int, int]]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    articles = [article_from_bytes(a["text"].encode(), a["id"] + ".txt", ".txt") for a in data["articles"]]
    cases: dict[str, list[Case]] = {}
    touched: dict[str, list[tuple[int, int]]] = {}
    for case in data["phrase"] + data["pronoun"]:
        doc = case["doc"] + ".txt"
        cases.setdefault(doc, []).append(Case(case["at"][0], [k.lower() for k in case["keys"]]))
        touched.setdefault(doc, []).extend((a, b) for a, b in case["content"])
    for case in data["person"]:
        for doc, spans in case["spans"].items():
            touched.setdefault(doc + ".txt", []).extend((a, b) for a, b in spans)
    return articles, cases, touched


def names_key(candidate: Candidate, keys: list[str]) -> bool:
    if candidate.speaker is None:
        return False
    said = fold(candidate.speaker.label)
    return any(key in said for key in keys)


def record(
    articles: Sequence[Article], cases: dict[str, list[Case]], touched: dict[str, list[tuple[int, int]]]
) -> list[Group]:
    """Each training sentence's candidates, with the rules steering the reading."""
    names = [article_names(a) for a in articles]
    people = people_of(names)
    groups: list[Group] = []
    for article, article_names_ in zip(articles, names, strict=True):
        passages = split_article(article)
        seen: dict[int, Sequence[Candidate]] = {}

        def decide(number: int, candidates: Sequence[Candidate], seen: dict[int, Any] = seen) -> Candidate:
            seen[number] = candidates
            return rule_choice(candidates)

        attribute(article, passages, people, article_names_, decide)
        spans = touched.get(article.doc_id, [])
        for number, passage in enumerate(passages):
            candidates = seen[number]
            keys = [c.keys for c in cases.get(article.doc_id, []) if passage.start <= c.at < passage.end]
            if keys:
                labels = [int(names_key(c, keys[0])) for c in candidates]
            elif (
                not any(a < passage.end and passage.start < b for a, b in spans)
                and not any(c.origin == "cue" for c in candidates)
                and candidates[-1].features.get("voice|quoted_share", 0) <= SCARE_QUOTES
                and not candidates[-1].features.get("voice|was_open")
                and not candidates[-1].features.get("voice|open_at_end")
            ):
                labels = [int(c.origin == "voice") for c in candidates]
            else:
                # The annotation leaves it open: cases leave out unnamed and pronoun sources and
                # contents under 8 words, so a quotation no case covers may still be someone's (a
                # few quoted words in a sentence of the writer's are taken as the writer's).
                continue
            groups.append(Group([dict(c.features) for c in candidates], labels))
    return groups


def fit(groups: Sequence[Group]) -> Chooser:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    rows = [f for g in groups for f in g.features]
    labels = [y for g in groups for y in g.labels]
    vectorizer = DictVectorizer(sparse=False)
    x = vectorizer.fit_transform(rows)
    model = LogisticRegression(C=C, max_iter=5000, solver="liblinear", random_state=SEED)
    model.fit(x, labels)
    weights = {
        name: round(float(w), 4)
        for name, w in zip(vectorizer.get_feature_names_out(), model.coef_[0], strict=True)
        if abs(w) >= 1e-4
    }
    return Chooser(
        trained_on=f"PolNeAR dev set, {len(groups)} sentences; scripts/train_attribution.py (C={C})",
        bias=round(float(model.intercept_[0]), 4),
        weights=dict(sorted(weights.items())),
    )


def sentence_figure(
    articles: Sequence[Article], cases: dict[str, list[Case]], chooser: Chooser | None
) -> tuple[int, int]:
    """(right, all) phrase and pronoun cases whose covering statement names a key, attributing
    `articles` as one corpus with `chooser` (None: the rules)."""
    names = [article_names(a) for a in articles]
    people = people_of(names)
    right = total = 0
    for article, article_names_ in zip(articles, names, strict=True):
        passages = split_article(article)
        said = attribute(article, passages, people, article_names_, lambda _n, cands: choose(cands, chooser))
        for case in cases.get(article.doc_id, []):
            total += 1
            number = next((n for n, p in enumerate(passages) if p.start <= case.at < p.end), None)
            if number is None:
                continue
            statements = said[number]
            hit = next((s for s in statements if s.said[0] <= case.at < s.said[1]), statements[0])
            speaker = hit.speaker
            if speaker.kind == "article":
                continue
            name = speaker.name if speaker.kind == "author" else speaker.label
            right += any(key in fold(name) for key in case.keys)
    return right, total


def folds(articles: Sequence[Article], k: int) -> list[list[int]]:
    order = sorted(range(len(articles)), key=lambda n: articles[n].doc_id)
    random.Random(SEED).shuffle(order)
    return [sorted(order[i::k]) for i in range(k)]


def run_scorer(chooser: Chooser, data: dict[str, Any], ids: set[str]) -> str:
    """The dev set's score.py on the articles `ids`, run on a copy of the project holding `chooser`."""
    with tempfile.TemporaryDirectory(prefix="citebot-fold-") as tmp:
        copy = Path(tmp) / "project"
        shutil.copytree(ROOT / "bot", copy / "bot", ignore=shutil.ignore_patterns("__pycache__"))
        (copy / "bot" / "attribution" / MODEL_FILE).write_text(chooser.model_dump_json(), encoding="utf-8")
        subset = {
            **data,
            "articles": [a for a in data["articles"] if a["id"] in ids],
            "phrase": [c for c in data["phrase"] if c["doc"] in ids],
            "pronoun": [c for c in data["pronoun"] if c["doc"] in ids],
            "person": [c for c in data["person"] if set(c["docs"]) <= ids],
        }
        (Path(tmp) / "data.json").write_text(json.dumps(subset), encoding="utf-8")
        out = subprocess.run(
            [sys.executable, str(SCORER), "--python", sys.executable, "--data", str(Path(tmp) / "data.json")],
            cwd=copy,
            capture_output=True,
            text=True,
            env={"PATH": "/usr/bin:/bin", "PYTHONHASHSEED": "0", "HOME": tmp},
            check=False,
        )
        return out.stdout.strip().splitlines()[-1] if out.stdout.strip() else out.stderr[-500:]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--folds", type=int, default=0, help="report K-fold figures, folds by article")
    ap.add_argument("--scorer", action="store_true", help="also run the dev set's score.py per fold")
    ap.add_argument(
        "--write", action="store_true", help=f"fit on every article, write bot/attribution/{MODEL_FILE}"
    )
    args = ap.parse_args()
    articles, cases, touched = load(args.data)
    data = json.loads(args.data.read_text(encoding="utf-8"))
    if args.folds:
        parts = folds(articles, args.folds)
        sums = {"rules": [0, 0], "model": [0, 0]}
        for k, held in enumerate(parts):
            held_set = set(held)
            train = [a for n, a in enumerate(articles) if n not in held_set]
            test = [articles[n] for n in held]
            chooser = fit(record(train, cases, touched))
            for name, used in (("rules", None), ("model", chooser)):
                right, total = sentence_figure(test, cases, used)
                sums[name][0] += right
                sums[name][1] += total
            line = f"fold {k + 1}: {len(test)} articles, sentence: model {right}/{total}"
            if args.scorer:
                line += " | " + run_scorer(
                    chooser, data, {articles[n].doc_id.removesuffix(".txt") for n in held}
                )
            print(line, flush=True)
        for name, (right, total) in sums.items():
            print(
                f"{args.folds}-fold by article, sentence, {name}: {right}/{total} ({100 * right / total:.1f}%)"
            )
    chooser = fit(record(articles, cases, touched))
    right, total = sentence_figure(articles, cases, chooser)
    rules_right, _ = sentence_figure(articles, cases, None)
    print(
        f"all articles, fitted on all: sentence, model {right}/{total} ({100 * right / total:.1f}%), "
        f"rules {rules_right}/{total} ({100 * rules_right / total:.1f}%)"
    )
    if args.scorer:
        print("all articles, scorer:", run_scorer(chooser, data, {a["id"] for a in data["articles"]}))
    if args.write:
        path = ROOT / "bot" / "attribution" / MODEL_FILE
        path.write_text(
            json.dumps(chooser.model_dump(), indent=1, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        print(f"wrote {path.relative_to(ROOT)} ({len(chooser.weights)} weights)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
