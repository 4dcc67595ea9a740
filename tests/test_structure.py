"""The package's shape: data flows one way, and Slack types stay in `render` and `slack`.

corpus -> passages -> attribution -> index -> answers -> render -> slack -> the CLI, with the shared
pieces (errors, settings, the domain file, text analysis) usable everywhere. A module may import its
own stage and earlier ones, never a later one. The index, the shared state and the state folder's
checks are siblings that never import each other (`bot.hosts` joins them), and modules stay small.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "bot"

# Each stage: the modules (or packages) in it, in the order data flows.
STAGES: list[tuple[str, ...]] = [
    ("bot", "bot.errors", "bot.config", "bot.wordlists", "bot.domain", "bot.text", "bot.logs"),
    ("bot.webpage", "bot.pdf", "bot.fetch", "bot.feeds", "bot.corpus"),
    ("bot.passages", "bot.copies", "bot.shelf", "bot.adds"),
    ("bot.attribution",),
    ("bot.index", "bot.progress", "bot.state", "bot.usage", "bot.shared"),
    ("bot.hosts", "bot.following"),
    ("bot.answers",),
    ("bot.render",),
    ("bot.slack",),
    ("bot.cli", "bot.__main__"),
]
SLACK_LIBRARIES = ("slack_sdk", "slack_bolt")


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def stage_of(module: str) -> int:
    best, rank = "", -1
    for number, members in enumerate(STAGES):
        for member in members:
            if (module == member or module.startswith(member + ".")) and len(member) > len(best):
                best, rank = member, number
    assert rank >= 0, f"{module} is in no stage: add it to STAGES"
    return rank


def imports(path: Path) -> list[str]:
    """Every module `path` imports, at any depth (TYPE_CHECKING blocks and functions included)."""
    names = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.append(node.module)
    return names


MODULES = sorted(PACKAGE.rglob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_imports_point_only_upstream(path: Path) -> None:
    module = module_name(path)
    own = stage_of(module)
    later = [name for name in imports(path) if name.startswith("bot") and stage_of(name) > own]
    assert not later, f"{module} imports later stages: {later}"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_slack_types_stay_in_render_and_slack(path: Path) -> None:
    module = module_name(path)
    if stage_of(module) >= stage_of("bot.render"):
        return
    leaked = [name for name in imports(path) if name.split(".")[0] in SLACK_LIBRARIES]
    assert not leaked, f"{module} imports {leaked}"


def test_the_check_does_catch_an_upstream_import(tmp_path: Path) -> None:
    broken = tmp_path / "corpus.py"
    broken.write_text("from bot.answers import answer\nimport slack_sdk\n", encoding="utf-8")
    assert [stage_of(n) > stage_of("bot.corpus") for n in imports(broken) if n.startswith("bot")] == [True]


SIBLINGS = ("bot.index", "bot.shared", "bot.state")


def sibling_of(module: str) -> str | None:
    return next((s for s in SIBLINGS if module == s or module.startswith(s + ".")), None)


def sibling_imports(module: str, names: list[str]) -> list[str]:
    """The imports of `module` that reach into one of its siblings."""
    own = sibling_of(module)
    return [name for name in names if sibling_of(name) not in (None, own)] if own else []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_index_shared_state_and_the_state_folder_do_not_import_each_other(path: Path) -> None:
    reached = sibling_imports(module_name(path), imports(path))
    assert not reached, f"{module_name(path)} imports {reached}"


def test_the_check_does_catch_an_import_between_siblings(tmp_path: Path) -> None:
    broken = tmp_path / "cache.py"
    broken.write_text("from bot.index.store import building\nfrom bot.shared.base import SharedState\n")
    assert sibling_imports("bot.shared.cache", imports(broken)) == ["bot.index.store"]
    assert sibling_imports("bot.state", ["bot.shared"]) == ["bot.shared"]
    assert sibling_imports("bot.hosts", imports(broken)) == []


MAX_LINES = 450
MAX_INIT_LINES = 80
MAX_MAIN_LINES = 200


def limit_of(path: Path) -> int:
    if path.name == "__init__.py":
        return MAX_INIT_LINES
    return MAX_MAIN_LINES if path.name == "__main__.py" else MAX_LINES


@pytest.mark.parametrize("path", MODULES, ids=lambda p: module_name(p))
def test_modules_stay_small(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= limit_of(path), f"{module_name(path)}: {lines} lines (at most {limit_of(path)})"
