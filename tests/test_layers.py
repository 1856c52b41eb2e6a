"""Data flows one way: app/ui and the HTTP API -> assistant -> guardrails -> clinical -> corpus.

Each package may import only the packages below it (api and eval, like ui, sit above assistant
and beside each other; only app.py, the top, imports api and ui together).
Imports are read from the source with `ast`, so a lazy import inside a function counts too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Each layer with the project packages it may import.
ALLOWED = {
    "corpus": {"corpus"},
    "clinical": {"clinical", "corpus"},
    "guardrails": {"guardrails", "clinical", "corpus"},
    "assistant": {"assistant", "guardrails", "clinical", "corpus"},
    "ui": {"ui", "assistant", "guardrails", "clinical", "corpus"},
    "api": {"api", "assistant", "guardrails", "clinical", "corpus"},
    "eval": {"eval", "assistant", "guardrails", "clinical", "corpus"},
}
PROJECT = set(ALLOWED) | {"app"}
# The load check drives the web app as its clients would, so it stands above it.
ABOVE_APP = {Path("ui/load.py")}
# The privacy check reads the chat and the exports as a user gets them, so it uses ui's service.
EVAL_OF_UI = {Path("eval/privacy.py")}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & PROJECT


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_package_imports_only_lower_layers(package: str) -> None:
    wrong = {
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))}"
        for path in (ROOT / package).rglob("*.py")
        if (bad := _imports(path) - ALLOWED[package] - _app_if_above(path))
    }
    assert not wrong, sorted(wrong)


def _app_if_above(path: Path) -> set[str]:
    if path.relative_to(ROOT) in EVAL_OF_UI:
        return {"ui"}
    return {"app"} if path.relative_to(ROOT) in ABOVE_APP else set()


def test_app_is_the_top() -> None:
    importers = {
        f.relative_to(ROOT)
        for p in ALLOWED
        for f in (ROOT / p).rglob("*.py")
        if "app" in _imports(f) and not _app_if_above(f)
    }
    assert not importers
