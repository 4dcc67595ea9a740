"""Real file permissions in tests: root ignores them unless it gives up its override capabilities."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def as_unprivileged(command: list[str]) -> list[str]:
    """`command`, run so that file permissions apply to it: as root, without the capabilities that
    override them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), for it and every process it starts."""
    if os.geteuid() != 0:
        return command
    setpriv = shutil.which("setpriv")
    assert setpriv, "tests that need a read-only folder need setpriv (util-linux) when run as root"
    return [setpriv, "--bounding-set=-dac_override,-dac_read_search", *command]


@contextmanager
def read_only_corpus(articles: list[Path]) -> Iterator[Path]:
    """A read-only corpus (files 0444, folder 0555) in a writable folder, so that Citebot's state
    can go beside it; removed afterwards."""
    top = Path(tempfile.mkdtemp(prefix="citebot-ro-"))
    corpus = top / "corpus"
    corpus.mkdir()
    for path in articles:
        target = corpus / path.name
        shutil.copyfile(path, target)
        target.chmod(0o444)
    corpus.chmod(0o555)
    try:
        yield corpus
    finally:
        corpus.chmod(0o755)
        shutil.rmtree(top, ignore_errors=True)
