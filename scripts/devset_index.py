"""Write a QA development set's corpus to a folder and index it with its vectors (for tune_ask.py).

python scripts/devset_index.py ../shared/devsets/newsqa /tmp/dev-newsqa
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import time
from pathlib import Path

from bot.index import open_index, saved_index
from bot.index.meaning import fill
from bot.meaning import load

SCORER = Path(__file__).resolve().parent.parent.parent / "shared" / "devsets" / "qa" / "score.py"


def scorer():  # type: ignore[no-untyped-def]
    """The development sets' own scorer, for its corpus writer and answer matching."""
    spec = importlib.util.spec_from_file_location("devscore", SCORER)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["devscore"] = module
    spec.loader.exec_module(module)
    return module


def main(data: Path, work: Path) -> None:
    logging.basicConfig(level=logging.INFO)
    articles = [json.loads(line) for line in (data / "articles.jsonl").open(encoding="utf-8")]
    corpus = work / "corpus"
    if not corpus.is_dir():
        scorer().write_corpus(articles, str(corpus))
    index = saved_index(work / "index") or open_index(corpus, work / "index")
    model = load()
    assert model is not None
    started = time.monotonic()
    done = fill(
        work / "index", model, report=lambda n, total: print(f"{n}/{total}", end="\r", file=sys.stderr)
    )
    print(f"\n{len(index)} passages, {done} embedded in {time.monotonic() - started:.0f} s")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
